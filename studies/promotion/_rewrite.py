"""Rewrite named constants of a Python, YAML or TOML file inside the project, with provenance.

>>> from pathlib import Path
>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> _ = (root / "constants.py").write_text("RATE: float = 0.5  # per step\\n")
>>> rewrite_constants(root / "constants.py", {"RATE": 0.25}, project_root=root, dry_run=False).changes[0].new
0.25
>>> (root / "constants.py").read_text()
'RATE: float = 0.25  # per step\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from studies.promotion._errors import TargetError
from studies.promotion._python import replace_python
from studies.promotion._text import Replacement, unified_diff, with_provenance, write_atomic
from studies.promotion._toml import replace_toml
from studies.promotion._values import KEEP
from studies.promotion._yaml import replace_yaml
from studies.settings import Settings, default_settings

Scalar = bool | int | float | str

FORMATS: dict[str, Callable[[str, str, Any], Replacement]] = {
    ".py": replace_python,
    ".yaml": replace_yaml,
    ".yml": replace_yaml,
    ".toml": replace_toml,
}


class ConstantChange(BaseModel):
    """One constant rewritten (or to be rewritten, in a dry run)."""

    symbol: str = Field(description="Constant name (Python) or dotted key path (YAML, TOML).")
    old: Scalar
    new: Scalar
    line: int = Field(description="1-based line of the assignment after the rewrite.")


class Rewrite(BaseModel):
    """What a rewrite changes in one file: the changes, the unified diff, and whether it was written."""

    target: str
    changes: list[ConstantChange]
    diff: str
    written: bool


def project_root(settings: Settings | None = None) -> Path:
    """The directory promotion may write into: `agent.project_root`, else this tunetrack checkout."""
    configured = (settings or default_settings()).agent.project_root
    if configured:
        return Path(configured).expanduser().resolve()
    import solvers

    return Path(solvers.__file__).resolve().parents[1]


def default_target(settings: Settings | None = None) -> Path:
    """The solvers' constants module of the project: `<project root>/solvers/constants.py`."""
    return project_root(settings) / "solvers" / "constants.py"


def resolve_target(target: str | Path, root: Path) -> Path:
    """`target` as an absolute path (relative ones are under `root`), refused unless it is a file inside `root`."""
    root = Path(root).resolve()
    path = Path(target).expanduser()
    resolved = (path if path.is_absolute() else root / path).resolve()
    if not resolved.is_relative_to(root):
        raise TargetError(f"target {str(target)!r} is outside the project directory {root}; "
                          "promotion only writes files inside the project")
    if resolved.suffix.lower() not in FORMATS:
        raise TargetError(f"target {str(target)!r}: promotion rewrites {', '.join(sorted(FORMATS))} files")
    if not resolved.is_file():
        raise TargetError(f"target {str(target)!r} does not exist (looked for {resolved})")
    return resolved


def read_constant(target: str | Path, symbol: str, *, project_root: Path) -> Scalar:
    """The current value of `symbol` in `target` (same lookup and refusals as a rewrite)."""
    path = resolve_target(target, project_root)
    return FORMATS[path.suffix.lower()](path.read_bytes().decode("utf-8"), symbol, KEEP).old


def rewrite_constants(
    target: str | Path,
    values: Mapping[str, Any],
    *,
    project_root: Path,
    provenance: Mapping[str, str] | str | None = None,
    dry_run: bool = True,
) -> Rewrite:
    """Replace each `symbol -> value` in `target`, one line each, with a provenance comment above it.

    Every other byte of the file stays as it was. A dry run computes the diff and writes
    nothing; a real run writes once, atomically (temporary file + `os.replace`).

    Args:
        target: a .py, .yaml/.yml or .toml file inside `project_root` (relative paths are under it).
        values: constant name (Python) or dotted key path (YAML/TOML) -> new value.
        project_root: the directory promotion may write into; anything outside is refused.
        provenance: the comment for every constant, or one per symbol (`None`: no comment).
        dry_run: compute the diff only.
    """
    if not values:
        raise TargetError("nothing to rewrite: no constants given")
    path = resolve_target(target, project_root)
    replace = FORMATS[path.suffix.lower()]
    original = path.read_bytes().decode("utf-8")
    text = original
    changes: list[ConstantChange] = []
    for symbol, value in values.items():
        replaced = replace(text, symbol, value)
        if replaced.old == replaced.new and type(replaced.old) is type(replaced.new):
            raise TargetError(f"{symbol} is already {replaced.old!r} in {path.name}; nothing to promote")
        text, line = replaced.text, replaced.line
        note = provenance.get(symbol) if isinstance(provenance, Mapping) else provenance
        if note:
            text, inserted = with_provenance(text, line, note)
            if inserted:  # earlier changes below the new comment line moved down by one
                for change in changes:
                    change.line += change.line > line
                line += 1
        changes.append(ConstantChange(symbol=symbol, old=replaced.old, new=replaced.new, line=line + 1))
    rel = path.relative_to(Path(project_root).resolve()).as_posix()
    if not dry_run:
        write_atomic(path, text)
    return Rewrite(target=str(path), changes=changes, diff=unified_diff(original, text, rel), written=not dry_run)
