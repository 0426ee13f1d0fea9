"""Compile (or load from numba's on-disk cache) every kernel before any solver clock starts.

`solve` warms the family and solver it runs before its clock starts, so a time limit and a
study's cost measure solving, never JIT. `warmup()` does it for every registered pair up
front (`tunetrack warmup`, run by `tunetrack demo`), leaving numba's cache warm for the next
processes. A family opts in with `Family.warmup_spec`, a tiny instance on which every kernel
of every solver runs (the search must not finish at once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from solvers import codes
from solvers.registry import available_families, get_family, solver_names

_WARM: set[tuple[str, str, str]] = set()
_ITERATIONS = 4


@dataclass(frozen=True)
class Warmed:
    """One (family, solver) pair warmed in this process and the seconds it took."""

    family: str
    solver: str
    seconds: float


def warm(family: str, solver: str, initial: str | None = None) -> float:
    """Make sure every kernel `solver` uses on `family` is compiled in this process, for the
    `initial` strategy given (default: every strategy); returns the seconds spent (0.0 when
    already warm, or when the family gives no `warmup_spec`)."""
    start = time.perf_counter()
    for strategy in (initial,) if initial else codes.INITIAL:
        key = (family, solver, strategy)
        if key in _WARM:
            continue
        _WARM.add(key)  # before running, so the solve below does not recurse
        spec = get_family(family).warmup_spec
        if not spec:
            continue
        from solvers._driver import solve  # the driver imports this module

        # each initial strategy calls its own constructive kernels
        solve(get_family(family).load(spec), solver, {"initial": strategy, "multistart_k": 2, "chunk_size": 2},
              seed=1, iterations=_ITERATIONS)
    return time.perf_counter() - start


def warmup(families: list[str] | None = None, solvers: list[str] | None = None) -> list[Warmed]:
    """Warm every (family, solver) pair (default: all registered that import); one record each."""
    out = []
    for family in families or available_families():
        for solver in solvers or solver_names():
            out.append(Warmed(family, solver, warm(family, solver)))
    return out
