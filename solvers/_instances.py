"""Turn a problem spec or a file path into an instance of a registered family."""

from __future__ import annotations

import inspect
from pathlib import Path

from solvers._base import Family, Instance
from solvers.errors import ProblemError
from solvers.registry import available_families, family_names, get_family

def load_instance(spec: str) -> Instance:
    """An instance from `family:rest` (e.g. `flowshop:ta021`, `coloring:queen8_8`) or a file path.

    A file's family is chosen by suffix (`.col` -> coloring, `.txt`/`.fsp` -> flowshop), else
    by asking each family whether the first lines look like its format.
    """
    path = Path(spec).expanduser()
    family_name, sep, rest = spec.partition(":")
    if sep and family_name in family_names():
        return get_family(family_name).load(rest)
    if path.is_file():
        return _read_file(path)
    base, _, index = spec.rpartition("#")
    if base and Path(base).expanduser().is_file():
        if not index.isdigit():
            raise ProblemError(f"problem {spec!r}: after '#' give the instance's position in the file (1, 2, ...)")
        return _read_file(Path(base).expanduser(), int(index))
    raise ProblemError(
        f"problem: {spec!r} is neither an existing file nor '<family>:<name>' with family one of "
        f"{', '.join(family_names())}")


def _read_file(path: Path, index: int | None = None) -> Instance:
    families = [get_family(n) for n in available_families()]

    def read(family: Family) -> Instance:
        if index is None:
            return family.read(path)
        if "index" not in inspect.signature(family.read).parameters:
            raise ProblemError(f"problem file {str(path)!r}: {family.name} files hold one instance; drop '#{index}'")
        return family.read(path, index=index)

    for family in families:
        if path.name.lower().endswith(family.suffixes):
            return read(family)
    with path.open(errors="replace") as fh:
        head = "".join(fh.readline() for _ in range(20))
    for family in families:
        if family.sniff(head):
            return read(family)
    raise ProblemError(f"problem file {str(path)!r}: format not recognised by any of {', '.join(family_names())}")
