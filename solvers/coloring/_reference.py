"""Published facts about the named colouring instances, from the table shipped in the package."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class ColoringReference:
    """One row of ``solvers/data/coloring_reference.csv``."""

    name: str
    vertices: int
    edges: int
    chromatic_number: int
    known_exact: bool


@functools.cache
def reference_table() -> dict[str, ColoringReference]:
    """Every named instance with its vertex and edge counts and chromatic number, by name."""
    text = resources.files("solvers").joinpath("data", "coloring_reference.csv").read_text()
    return {
        row["name"]: ColoringReference(
            name=row["name"],
            vertices=int(row["vertices"]),
            edges=int(row["edges"]),
            chromatic_number=int(row["chromatic_number"]),
            known_exact=row["known_exact"].strip().lower() == "yes",
        )
        for row in csv.DictReader(text.splitlines())
    }
