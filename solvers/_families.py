"""Find problem families by name and turn a problem spec or a file path into an instance."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from solvers._base import Family, Instance
from solvers.errors import ProblemError

# family name -> module that defines `FAMILY`; imported lazily on first use.
FAMILY_MODULES: dict[str, str] = {
    "flowshop": "solvers.flowshop",
    "coloring": "solvers.coloring",
}


@cache
def get_family(name: str) -> Family:
    """The family registered under `name`."""
    module = FAMILY_MODULES.get(name)
    if module is None:
        raise ProblemError(f"problem family: must be one of {', '.join(FAMILY_MODULES)} (got {name!r})")
    try:
        return importlib.import_module(module).FAMILY
    except (ImportError, AttributeError) as exc:
        raise ProblemError(f"problem family {name!r} is not available ({exc})") from None


def available_families() -> list[str]:
    """Names of the families that import cleanly."""
    names = []
    for name in FAMILY_MODULES:
        try:
            get_family(name)
        except ProblemError:
            continue
        names.append(name)
    return names


def load_instance(spec: str) -> Instance:
    """An instance from `family:rest` (e.g. `flowshop:ta021`, `coloring:queen8_8`) or a file path.

    A file's family is chosen by suffix (`.col` -> coloring, `.txt`/`.fsp` -> flowshop), else
    by asking each family whether the first lines look like its format.
    """
    path = Path(spec).expanduser()
    family_name, sep, rest = spec.partition(":")
    if sep and family_name in FAMILY_MODULES:
        return get_family(family_name).load(rest)
    if path.is_file():
        return _read_file(path)
    raise ProblemError(
        f"problem: {spec!r} is neither an existing file nor '<family>:<name>' with family one of "
        f"{', '.join(FAMILY_MODULES)}")


def _read_file(path: Path) -> Instance:
    families = [get_family(n) for n in available_families()]
    for family in families:
        if path.name.lower().endswith(family.suffixes):
            return family.read(path)
    with path.open(errors="replace") as fh:
        head = "".join(fh.readline() for _ in range(20))
    for family in families:
        if family.sniff(head):
            return family.read(path)
    raise ProblemError(f"problem file {str(path)!r}: format not recognised by any of {', '.join(FAMILY_MODULES)}")
