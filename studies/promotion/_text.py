"""Text plumbing shared by the formats: lines, the provenance comment, the diff, atomic writes."""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

PROVENANCE_MARK = "# tunetrack promote"


@dataclasses.dataclass(frozen=True)
class Replacement:
    """A file's text with one value replaced; `line` is the 0-based line of the symbol's assignment."""

    text: str
    line: int
    old: Any
    new: Any


def split_lines(text: str) -> list[str]:
    """Lines with their endings kept as they are (\\n, \\r\\n or \\r), so joining them gives `text` back."""
    return io.StringIO(text, newline="").readlines()


def with_provenance(text: str, line: int, comment: str) -> tuple[str, bool]:
    """Put `# tunetrack promote <comment>` on its own line just above line `line`.

    A provenance line already there (from an earlier promotion of the same constant) is
    replaced, so the file keeps one such line per promoted constant. Returns the new text and
    whether a line was inserted (lines at and after `line` moved down by one).
    """
    lines = split_lines(text)
    target = lines[line]
    indent = target[: len(target) - len(target.lstrip(" \t"))]
    ending = target[len(target.rstrip("\r\n")):] or _first_ending(lines)
    new = f"{indent}{PROVENANCE_MARK} {' '.join(comment.split())}{ending}"
    if line > 0 and lines[line - 1].strip().startswith(PROVENANCE_MARK):
        lines[line - 1] = new
        return "".join(lines), False
    lines.insert(line, new)
    return "".join(lines), True


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(split_lines(old), split_lines(new), fromfile=f"a/{name}", tofile=f"b/{name}"))


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same directory and `os.replace`: readers see old or new, never half."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _first_ending(lines: list[str]) -> str:
    for line in lines:
        stripped = line.rstrip("\r\n")
        if stripped != line:
            return line[len(stripped):]
    return "\n"
