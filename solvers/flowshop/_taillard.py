"""Taillard's (1993) flow shop generator and the reference bounds of ta001-ta120.

The generator is Taillard's Lehmer LCG x <- 16807 x mod (2^31 - 1) (Schrage's method);
`unif(low, high)` advances the seed, then returns low + floor(x / m * (high - low + 1))
in double precision (single precision changes one value of ta120). Processing times are
drawn in 1..99, machine-major: for each machine, for each job.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

_M = 2147483647
_A = 16807
_B = 127773
_C = 2836


def unif(seed: int, low: int, high: int) -> tuple[int, int]:
    """One draw of Taillard's generator: (new seed, value in low..high)."""
    k = seed // _B
    seed = _A * (seed % _B) - k * _C
    if seed < 0:
        seed += _M
    return seed, low + int(float(seed) / float(_M) * (high - low + 1))


def generate(jobs: int, machines: int, time_seed: int) -> np.ndarray:
    """Processing times from a time seed, shape (machines, jobs) int64, Taillard's layout."""
    if jobs < 1 or machines < 1:
        raise ValueError(f"jobs and machines must be >= 1 (got {jobs}x{machines})")
    if not 0 < time_seed < _M:
        raise ValueError(f"time_seed: must be in 1..{_M - 1} (got {time_seed})")
    times = np.empty((machines, jobs), dtype=np.int64)
    seed = time_seed
    for i in range(machines):
        for j in range(jobs):
            seed, times[i, j] = unif(seed, 1, 99)
    return times


@dataclass(frozen=True)
class TaillardEntry:
    """One row of the shipped reference table."""

    name: str
    jobs: int
    machines: int
    time_seed: int
    lower_bound: int
    upper_bound: int
    optimal: bool


@cache
def reference_table() -> dict[str, TaillardEntry]:
    """ta001-ta120 with sizes, time seeds and bounds, from `solvers/data/taillard_flowshop.csv`."""
    text = resources.files("solvers").joinpath("data/taillard_flowshop.csv").read_text()
    table = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["name"]] = TaillardEntry(
            name=row["name"], jobs=int(row["jobs"]), machines=int(row["machines"]),
            time_seed=int(row["time_seed"]), lower_bound=int(row["lower_bound"]),
            upper_bound=int(row["upper_bound"]), optimal=row["optimal"] == "yes")
    return table
