"""The flow shop searches: Python state holders around the chunk kernels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from solvers import _anneal, codes
from solvers._base import ChunkStats, Search
from solvers._rng import seed_state, shuffle
from solvers.config import ILSConfig, SAConfig, TabuConfig
from solvers.errors import ConfigError
from solvers.flowshop import _ils_kernel as ils
from solvers.flowshop import _sa_kernel as sa
from solvers.flowshop import _tabu_kernel as tb
from solvers.flowshop._construct import neh, random_order_neh
from solvers.flowshop._moves import insertion_local_search, makespan

SA_PRESETS: dict[str, dict[str, float]] = {
    "default": {"insert": 0.7, "swap": 0.2, "adjacent": 0.1},
    "intensify": {"insert": 0.4, "swap": 0.0, "adjacent": 0.6},
    "diversify": {"insert": 0.4, "swap": 0.6, "adjacent": 0.0},
    "uniform": {"insert": 1.0, "swap": 1.0, "adjacent": 1.0},
}
PERM = np.int32  # job indices


class _PermutationSearch(Search):
    """State shared by the flow shop searches: times, permutations, workspaces, RNG."""

    def __init__(self, p: np.ndarray, config: Any, seed: int) -> None:
        self.p = p
        self.n, self.m = p.shape
        self.config = config
        self.rng = seed_state(seed)
        self.perm = np.arange(self.n, dtype=PERM)
        self.best_perm = self.perm.copy()
        self.vals = np.zeros(2, dtype=np.int64)  # [current, best]
        self.e = np.zeros((self.n + 1, self.m), dtype=p.dtype)
        self.q = np.zeros((self.n + 1, self.m), dtype=p.dtype)
        self.f = np.zeros(self.n + 1, dtype=p.dtype)
        self.c = np.zeros(self.m, dtype=p.dtype)
        self.order = np.zeros(self.n, dtype=PERM)
        self.counts = np.zeros((len(self.operators), 2), dtype=np.int64)

    def _construct(self) -> dict[str, Any]:
        cfg = self.config
        if cfg.initial == "random":
            shuffle(self.rng, self.perm)
            value = makespan(self.p, self.perm, self.n, self.c)
        else:
            priority = np.argsort(-self.p.sum(axis=1), kind="stable").astype(PERM)
            value = neh(self.p, priority, self.perm, self.e, self.q, self.f)
            if cfg.initial == "multistart":
                trial = np.empty_like(self.perm)
                for _ in range(cfg.multistart_k - 1):
                    v = random_order_neh(self.p, trial, self.order, self.e, self.q, self.f, self.rng)
                    if v < value:
                        value, self.perm[:] = v, trial
        self._set_current(int(value))
        return {"objective": int(value), "strategy": cfg.initial}

    def _set_current(self, value: int) -> None:
        self.vals[:] = value
        self.best_perm[:] = self.perm

    def best_solution(self) -> np.ndarray:
        return self.best_perm.copy()

    def restart_from_best(self) -> dict[str, Any] | None:
        self.perm[:] = self.best_perm
        self.vals[0] = self.vals[1]
        return {"objective": int(self.vals[1])}

    def _stats(self, iterations: int, temperature: float = math.nan) -> ChunkStats:
        return ChunkStats(iterations, float(self.vals[0]), float(self.vals[1]), temperature,
                          dict(zip(self.operators, self.counts[:, 0].tolist())),
                          dict(zip(self.operators, self.counts[:, 1].tolist())))


class IteratedGreedy(_PermutationSearch):
    """Iterated greedy (ILS on permutations): NEH start, destruction/construction, local search."""

    operators = ils.OPERATORS

    def __init__(self, p: np.ndarray, config: ILSConfig, seed: int) -> None:
        super().__init__(p, config, seed)
        n, m = self.n, self.m
        self.temperature = config.acceptance_temperature * float(p.sum()) / (n * m * 10)
        self.params = np.zeros(ils.N_PARAMS)
        self.params[[ils.P_STRENGTH, ils.P_ACCEPT_T, ils.P_LOCAL_SEARCH, ils.P_PARTIAL]] = (
            config.perturbation_strength, self.temperature, codes.code(codes.LOCAL_SEARCH, config.local_search),
            float(config.partial_local_search))
        self.ws = (self.e, self.q, self.f, self.c, self.order, np.zeros(n, PERM), np.zeros(n, PERM))

    def start(self) -> dict[str, Any]:
        detail = self._construct()
        ls = codes.code(codes.LOCAL_SEARCH, self.config.local_search)
        if ls != codes.LS_NONE and self.n > 1:
            value = insertion_local_search(self.p, self.perm, self.n, self.vals[0], ls == codes.LS_FULL, self.order,
                                           self.e, self.q, self.f, self.rng)
            self._set_current(int(value))
            detail["objective"] = int(value)
        return detail

    def run(self, iterations: int) -> ChunkStats:
        self.counts[:] = 0
        if self.n > 1:
            ils.ils_chunk(self.p, self.perm, self.best_perm, self.vals, self.params, self.ws, self.rng,
                          self.counts, iterations)
        return self._stats(iterations, self.temperature)


class Annealing(_PermutationSearch):
    """Simulated annealing over insert / swap / adjacent-swap moves."""

    operators = sa.OPERATORS

    def __init__(self, p: np.ndarray, config: SAConfig, seed: int) -> None:
        super().__init__(p, config, seed)
        self.params = _anneal.make_params(config, operator_cumulative_weights(config))
        self.fstate = np.zeros(_anneal.N_FSTATE)
        self.ws = (self.c,)

    def start(self) -> dict[str, Any]:
        detail = self._construct()
        deltas = np.zeros(self.config.temperature_samples if self.config.initial_temperature <= 0 and self.n > 1 else 0)
        if deltas.size:
            sa.sample_deltas(self.p, self.perm, self.params, self.rng, self.c, deltas)
        t0 = _anneal.initial_temperature(self.config, deltas)
        self.fstate[_anneal.F_T] = self.fstate[_anneal.F_T0] = t0
        detail["initial_temperature"] = t0
        return detail

    def run(self, iterations: int) -> ChunkStats:
        self.counts[:] = 0
        if self.n > 1:
            sa.sa_chunk(self.p, self.perm, self.best_perm, self.vals, self.params, self.fstate, self.ws, self.rng,
                        self.counts, iterations)
        return self._stats(iterations, float(self.fstate[_anneal.F_T]))

    def reheat(self, factor: float) -> dict[str, Any] | None:
        self.fstate[_anneal.F_T] = max(self.fstate[_anneal.F_T], self.fstate[_anneal.F_T0] * factor)
        return {"temperature": float(self.fstate[_anneal.F_T])}

    def restart_from_best(self) -> dict[str, Any] | None:
        self.fstate[_anneal.F_T] = self.fstate[_anneal.F_T0]
        return {**super().restart_from_best(), "temperature": float(self.fstate[_anneal.F_T])}


class TabuSearch(_PermutationSearch):
    """Tabu search over the insertion neighbourhood of `candidates` random jobs per iteration."""

    operators = tb.OPERATORS

    def __init__(self, p: np.ndarray, config: TabuConfig, seed: int) -> None:
        super().__init__(p, config, seed)
        self.params = np.zeros(tb.N_PARAMS)
        self.params[[tb.P_TENURE, tb.P_TENURE_RANDOM, tb.P_ASPIRATION, tb.P_CANDIDATES]] = (
            config.tenure, config.tenure_random, float(config.aspiration), config.candidates)
        self.tabu = np.zeros((self.n, self.n), dtype=np.int64)
        self.ws = (self.e, self.q, self.f, np.zeros(self.n, PERM))
        self.iteration = 0

    def start(self) -> dict[str, Any]:
        return self._construct()

    def run(self, iterations: int) -> ChunkStats:
        self.counts[:] = 0
        if self.n > 1:
            tb.tabu_chunk(self.p, self.perm, self.best_perm, self.vals, self.params, self.tabu, self.ws,
                          self.rng, self.counts, self.iteration, iterations)
        self.iteration += iterations
        return self._stats(iterations)

    def scale_tenure(self, factor: float) -> dict[str, Any] | None:
        base = self.config.tenure
        tenure = base if factor == 0 else min(max(1, round(self.params[tb.P_TENURE] * factor)), self.n)
        self.params[tb.P_TENURE] = tenure
        return {"tenure": int(tenure)}

    def restart_from_best(self) -> dict[str, Any] | None:
        self.tabu[:] = 0
        return super().restart_from_best()


SEARCHES: dict[str, type[_PermutationSearch]] = {"sa": Annealing, "ils": IteratedGreedy, "tabu": TabuSearch}


def operator_cumulative_weights(config: SAConfig) -> np.ndarray:
    """Cumulative, normalised SA operator weights from the preset or explicit weights."""
    weights = dict(SA_PRESETS[config.operator_preset])
    if config.operator_weights is not None:
        unknown = sorted(set(config.operator_weights) - set(sa.OPERATORS))
        if unknown:
            raise ConfigError(f"operator_weights: unknown operator {unknown[0]!r}; flow shop operators are "
                              f"{', '.join(sa.OPERATORS)}")
        weights = {op: float(config.operator_weights.get(op, 0.0)) for op in sa.OPERATORS}
    w = np.array([weights[op] for op in sa.OPERATORS], dtype=np.float64)
    if (w < 0).any() or w.sum() <= 0:
        raise ConfigError(f"operator_weights: must be >= 0 with a positive sum (got {weights})")
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    return cum

