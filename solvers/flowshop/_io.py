"""Flow shop instance files: Taillard's text format (read and write) and the bare variants.

Taillard's format::

    number of jobs, number of machines, initial seed, upper bound and lower bound :
              20           5   873654221        1278        1232
    processing times :
     54 83 15 71 ...      (one line per machine, one value per job)

Also read: the same without the header words (`n m` then m rows of n times), and the
OR-Library layout (`n m` then one line per job of `machine time` pairs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from solvers.errors import ProblemError

HEADER = "number of jobs, number of machines, initial seed, upper bound and lower bound :"


@dataclass(frozen=True)
class FlowShopFile:
    """What a file holds: times (machines, jobs) int64, and the header values when present."""

    times: np.ndarray
    time_seed: int | None = None
    upper_bound: int | None = None
    lower_bound: int | None = None


def parse_taillard(text: str, *, index: int | None = None, where: str = "flow shop file") -> FlowShopFile:
    """Parse one instance in Taillard's format or a bare variant (see module docstring).

    Taillard's published files hold several instances one after another; such a file is refused
    unless `index` (1-based) says which one, so a run never silently uses the first.
    """
    starts = [m.start() for m in re.finditer(r"number of jobs", text, flags=re.IGNORECASE)]
    if len(starts) > 1 or index is not None:
        count = max(len(starts), 1)
        if index is None:
            raise ProblemError(f"{where!r} holds {count} instances; choose one with {where}#1 .. {where}#{count}")
        if not 1 <= index <= count:
            raise ProblemError(f"{where}#{index}: instance index must be between 1 and {count}")
        if len(starts) > 1:
            text = text[starts[index - 1]: starts[index] if index < count else len(text)]
    has_header = "number of jobs" in text.lower()
    body = re.split(r"processing times\s*:?", text, flags=re.IGNORECASE)
    head_numbers = [int(x) for x in re.findall(r"-?\d+", body[0])]
    if has_header and len(body) > 1:
        if len(head_numbers) < 2:
            raise ProblemError("flow shop file: header has no 'jobs machines' line")
        n, m = head_numbers[:2]
        extra = head_numbers[2:5] + [None] * (3 - len(head_numbers[2:5]))
        values = [int(x) for x in re.findall(r"-?\d+", body[1])]
        return FlowShopFile(_machine_major(values, n, m), extra[0], extra[1], extra[2])
    numbers = [int(x) for x in re.findall(r"-?\d+", text)]
    if len(numbers) < 2:
        raise ProblemError("flow shop file: expected 'jobs machines' then processing times")
    n, m, values = numbers[0], numbers[1], numbers[2:]
    if len(values) == 2 * n * m and n * m > 0 and _looks_like_pairs(values, m):
        times = np.asarray(values[1::2], dtype=np.int64).reshape(n, m).T.copy()
        return FlowShopFile(times)
    return FlowShopFile(_machine_major(values, n, m))


def format_taillard(times: np.ndarray, time_seed: int = 0, upper_bound: int = 0, lower_bound: int = 0) -> str:
    """Taillard's text format of times (machines, jobs)."""
    m, n = times.shape
    rows = "\n".join("".join(f"{int(v):3d}" for v in row) for row in times)
    return (f"{HEADER}\n{n:12d}{m:12d}{time_seed:12d}{upper_bound:12d}{lower_bound:12d}\n"
            f"processing times :\n{rows}\n")


def _machine_major(values: list[int], n: int, m: int) -> np.ndarray:
    if n < 1 or m < 1:
        raise ProblemError(f"flow shop file: jobs and machines must be >= 1 (got {n} x {m})")
    if len(values) < n * m:
        raise ProblemError(f"flow shop file: expected {n * m} processing times for {n} jobs x {m} machines, "
                           f"found {len(values)}")
    times = np.asarray(values[: n * m], dtype=np.int64).reshape(m, n)
    if (times < 0).any():
        raise ProblemError("flow shop file: processing times must be >= 0")
    return times


def _looks_like_pairs(values: list[int], m: int) -> bool:
    machines = values[0::2]
    return all(machines[i] == i % m for i in range(len(machines)))
