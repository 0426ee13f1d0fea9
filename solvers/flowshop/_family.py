"""The flow shop family: instance specs and files, scenario descriptors, evaluation, searches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from solvers._base import Family, Instance, Search
from solvers.errors import ProblemError
from solvers.limits import check_flowshop_size
from solvers.flowshop._io import parse_taillard
from solvers.flowshop._moves import makespan
from solvers.flowshop._searches import SA_PRESETS, SEARCHES
from solvers.flowshop._taillard import generate, reference_table

_RANDOM_SPEC = re.compile(r"^random:(\d+)x(\d+)(?::(?:seed=)?(\d+))?$")
_TA_SPEC = re.compile(r"^ta(\d{1,3})$", re.IGNORECASE)
_SEED_MODULUS = 2147483646


@dataclass(frozen=True, eq=False)
class FlowShopData:
    """Processing times as the kernels read them: p (jobs, machines), p[j, r], int32 unless the
    total time would overflow it (then int64)."""

    p: np.ndarray

    @property
    def times(self) -> np.ndarray:
        """Taillard's layout, (machines, jobs)."""
        return self.p.T


def lower_bound(times: np.ndarray) -> int:
    """Taillard's machine- and job-based lower bound of times (machines, jobs)."""
    m, _ = times.shape
    heads = np.vstack([np.zeros(times.shape[1], np.int64), np.cumsum(times, axis=0)[:-1]])
    tails = np.vstack([np.cumsum(times[::-1], axis=0)[::-1][1:], np.zeros(times.shape[1], np.int64)])
    machine_bound = max(int(heads[r].min() + times[r].sum() + tails[r].min()) for r in range(m))
    return max(machine_bound, int(times.sum(axis=0).max()))


def make_instance(name: str, times: np.ndarray, *, reference: int | None = None, lower: int | None = None,
                  time_seed: int | None = None, optimal: bool | None = None) -> Instance:
    """An `Instance` from times (machines, jobs) and what is known about it."""
    times = np.ascontiguousarray(times, dtype=np.int64)
    m, n = times.shape
    lower = lower if lower is not None else lower_bound(times)
    descriptor: dict[str, Any] = {"family": "flowshop", "instance": name, "jobs": n, "machines": m,
                                  "reference": reference, "lower_bound": lower, "sum_p": int(times.sum())}
    if time_seed is not None:
        descriptor["time_seed"] = time_seed
    if optimal is not None:
        descriptor["optimal"] = optimal
    dtype = np.int32 if int(times.sum()) < np.iinfo(np.int32).max else np.int64
    return Instance("flowshop", name, FlowShopData(np.ascontiguousarray(times.T, dtype=dtype)), reference, lower,
                    descriptor)


def taillard_instance(name: str) -> Instance:
    """ta001-ta120 generated from their time seeds, with the shipped bounds."""
    match = _TA_SPEC.match(name)
    entry = reference_table().get(f"ta{int(match.group(1)):03d}") if match else None
    if entry is None:
        raise ProblemError(f"flowshop instance: must be ta001..ta120 or random:<jobs>x<machines>[:seed=<s>] "
                           f"(got {name!r})")
    times = generate(entry.jobs, entry.machines, entry.time_seed)
    return make_instance(entry.name, times, reference=entry.upper_bound, lower=entry.lower_bound,
                         time_seed=entry.time_seed, optimal=entry.optimal)


def random_instance(jobs: int, machines: int, seed: int = 1) -> Instance:
    """A Taillard-style random instance (times U[1, 99]) of any size; seed mapped into 1..2^31-2."""
    time_seed = seed % _SEED_MODULUS + 1 if not 0 < seed <= _SEED_MODULUS else seed
    return make_instance(f"random_{jobs}x{machines}_seed{seed}", generate(jobs, machines, time_seed),
                         time_seed=time_seed)


class FlowShopFamily(Family):
    """Permutation flow shop, makespan objective; solutions are 0-based job permutations."""

    name = "flowshop"
    suffixes = (".fsp", ".txt", ".taillard")
    warmup_spec = "random:6x3"

    def load(self, spec: str) -> Instance:
        match = _RANDOM_SPEC.match(spec.strip())
        if match:
            jobs, machines = int(match.group(1)), int(match.group(2))
            if jobs < 1 or machines < 1:
                raise ProblemError(f"flowshop random instance: jobs and machines must be >= 1 (got {spec!r})")
            check_flowshop_size(jobs, machines, f"flowshop random instance {spec!r}")
            return random_instance(jobs, machines, int(match.group(3) or 1))
        return taillard_instance(spec.strip())

    def read(self, path: Path, index: int | None = None) -> Instance:
        """One instance of a file; a file holding several needs `index` (1-based, `FILE#K`)."""
        try:
            parsed = parse_taillard(Path(path).read_text(), index=index, where=str(path))
        except ProblemError as exc:
            raise ProblemError(str(exc) if str(path) in str(exc) else f"problem file {str(path)!r}: {exc}") from None
        name = Path(path).stem if index is None else f"{Path(path).stem}#{index}"
        return make_instance(name, parsed.times, reference=parsed.upper_bound or None,
                             lower=parsed.lower_bound or None, time_seed=parsed.time_seed or None)

    def sniff(self, head: str) -> bool:
        return "number of jobs" in head.lower()

    def evaluate(self, instance: Instance, solution: np.ndarray) -> tuple[float, bool]:
        p = instance.data.p
        perm = np.asarray(solution)
        feasible = perm.shape == (p.shape[0],) and bool((np.sort(perm) == np.arange(p.shape[0])).all())
        if not feasible:
            return float("inf"), False
        perm = perm.astype(np.int32)
        return float(makespan(p, perm, perm.shape[0], np.zeros(p.shape[1], p.dtype))), True

    def search(self, instance: Instance, solver: str, config: Any, seed: int) -> Search:
        if solver not in SEARCHES:
            raise ProblemError(f"flowshop: solver must be one of {', '.join(SEARCHES)} (got {solver!r})")
        return SEARCHES[solver](instance.data.p, config, seed)

    def operators(self) -> dict[str, tuple[str, ...]]:
        return {solver: cls.operators for solver, cls in SEARCHES.items()}

    def presets(self) -> dict[str, dict[str, float]]:
        return SA_PRESETS
