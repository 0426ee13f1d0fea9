"""The outer strategy shared by the colouring searches: fewer and fewer colours.

Start from a proper colouring (DSatur, random-order greedy or the best of several), then
repeatedly empty one colour class and let the algorithm remove the conflicts of the
``k - 1`` colouring; each conflict-free result becomes the new best. The objective is the
number of colours of the best proper colouring, so it is feasible from the first step.
A chunk's ``current`` is ``k + conflicts`` of the colouring being repaired (``>= best``).
The search is finished when the best reaches the instance's lower bound.
"""

from __future__ import annotations

import abc
import math
from typing import Any

import numpy as np

from solvers import _anneal, codes
from solvers._base import ChunkStats, Instance, Search
from solvers._rng import seed_state, shuffle
from solvers.coloring import _ils_kernel as _ils
from solvers.coloring import _sa_kernel as _sa
from solvers.coloring import _tabu_kernel as _tabu
from solvers.coloring._construct import dsatur, greedy
from solvers.coloring._kstate import KState, drop_color
from solvers.config import ILSConfig, SAConfig, TabuConfig
from solvers.errors import ConfigError

SA_PRESETS: dict[str, dict[str, float]] = {
    "default": {"recolor": 0.5, "min_conflicts": 0.5, "random_vertex": 0.0},
    "intensify": {"recolor": 0.2, "min_conflicts": 0.8, "random_vertex": 0.0},
    "diversify": {"recolor": 0.4, "min_conflicts": 0.2, "random_vertex": 0.4},
    "uniform": {"recolor": 1 / 3, "min_conflicts": 1 / 3, "random_vertex": 1 / 3},
}


def compact(colors: np.ndarray) -> np.ndarray:
    """Renumber the colours used to ``0..k-1`` in order of first use (``int32[n]``)."""
    _, first, inverse = np.unique(colors, return_index=True, return_inverse=True)
    rank = np.empty(first.shape[0], dtype=np.int32)
    rank[np.argsort(first, kind="stable")] = np.arange(first.shape[0], dtype=np.int32)
    return rank[inverse].astype(np.int32)


def n_colors(colors: np.ndarray) -> int:
    return int(np.unique(colors).shape[0])


class ColoringSearch(Search):
    """Holds the best proper colouring and the :class:`KState` of the next attempt.

    Subclasses implement ``_prepare`` (algorithm state for a fresh attempt) and ``_chunk``
    (one kernel call) and name their ``operators``.
    """

    def __init__(self, instance: Instance, config: Any, seed: int) -> None:
        self.graph = instance.data
        self.config = config
        self.rng = seed_state(seed)
        self.lower = max(int(instance.lower_bound or 1), 2 if self.graph.n_edges else 1)
        self.best = np.zeros(self.graph.n, dtype=np.int32)
        self.best_k = 0
        self.state: KState | None = None
        self.counts = np.zeros((len(self.operators), 2), dtype=np.int64)

    # --- the Search contract ---------------------------------------------------------------
    def start(self) -> dict[str, Any]:
        built = self._initial()
        self.best, self.best_k = built, n_colors(built)
        self._attempt()
        return {"objective": self.best_k, "strategy": self.config.initial, "lower_bound": self.lower}

    def run(self, iterations: int) -> ChunkStats:
        done, current, temperature = 0, float(self.best_k), float("nan")
        self.counts[:] = 0
        while done < iterations and self.state is not None:
            n, temperature = self._chunk(iterations - done)
            done += n
            current = float(self.state.k + self.state.conflicts)
            if self.state.conflicts == 0:
                self.best = compact(self.state.colors)
                self.best_k = n_colors(self.best)
                self._attempt()
            elif n == 0:
                break
        return ChunkStats(iterations=done, current=current, best=float(self.best_k), temperature=temperature,
                          proposals=dict(zip(self.operators, self.counts[:, 0].tolist())),
                          accepts=dict(zip(self.operators, self.counts[:, 1].tolist())))

    def best_solution(self) -> np.ndarray:
        return self.best.copy()

    def finished(self) -> bool:
        return self.best_k <= self.lower

    def restart_from_best(self) -> dict[str, Any] | None:
        self._attempt()
        return {"colors": self.best_k}

    # --- shared machinery --------------------------------------------------------------------
    def _initial(self) -> np.ndarray:
        g, cfg = self.graph, self.config
        if cfg.initial == "constructive":
            return compact(dsatur(g.indptr, g.indices))
        if cfg.initial == "random":
            return compact(self._random_greedy())
        candidates = [dsatur(g.indptr, g.indices)] + [self._random_greedy() for _ in range(cfg.multistart_k - 1)]
        return compact(min(candidates, key=n_colors))

    def _random_greedy(self) -> np.ndarray:
        order = np.arange(self.graph.n, dtype=np.int64)
        shuffle(self.rng, order)
        return greedy(self.graph.indptr, self.graph.indices, order)

    def _attempt(self) -> None:
        """Start repairing a ``best_k - 1`` colouring, unless the lower bound is reached."""
        if self.finished():
            self.state = None
            return
        g, k = self.graph, self.best_k
        self.state = KState.start(g, drop_color(g.indptr, g.indices, self.best, k, self.rng), k - 1)
        self._prepare()

    @abc.abstractmethod
    def _prepare(self) -> None:
        """Set up algorithm state for the fresh attempt in ``self.state``."""

    @abc.abstractmethod
    def _chunk(self, iterations: int) -> tuple[int, float]:
        """One kernel call adding to ``self.counts``: (iterations done, temperature)."""


class TabuColoring(ColoringSearch):
    """Tabucol; ``candidates`` = conflicting vertices examined per iteration (sampled at random
    when more conflict), ``tenure_conflict_factor`` times the conflicting vertices is added to
    each tenure."""

    operators = _tabu.OPERATORS

    def __init__(self, instance: Instance, config: TabuConfig, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.params = np.zeros(_tabu.N_PARAMS)
        self.params[_tabu.P_TENURE_RANDOM] = config.tenure_random
        self.params[_tabu.P_ALPHA] = config.tenure_conflict_factor
        self.params[_tabu.P_CANDIDATES] = config.candidates
        self.params[_tabu.P_ASPIRATION] = float(config.aspiration)
        self.scale_tenure(0.0)

    def _prepare(self) -> None:
        pass  # KState.start gives a fresh tabu list

    def _chunk(self, iterations: int) -> tuple[int, float]:
        done = _tabu.tabu_chunk(self.graph.arrays(), self.state.arrays(), self.params, self.rng, self.counts,
                                iterations)
        return int(done), math.nan

    def scale_tenure(self, factor: float) -> dict[str, Any]:
        base = self.config.tenure if factor == 0.0 else self.params[_tabu.P_TENURE] * factor
        self.params[_tabu.P_TENURE] = base
        return {"tenure": float(base)}


class SAColoring(ColoringSearch):
    """Simulated annealing over the operators of :mod:`solvers.coloring._sa_kernel`."""

    operators = _sa.OPERATORS

    def __init__(self, instance: Instance, config: SAConfig, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.params = _anneal.make_params(config, cumulative_weights(config))
        self.fstate = np.zeros(_anneal.N_FSTATE)
        self.t0: float | None = None

    def _prepare(self) -> None:
        if self.t0 is None:
            deltas = np.zeros(self.config.temperature_samples if self.config.initial_temperature <= 0 else 0)
            if deltas.size:
                _sa.sample_deltas(self.state.arrays(), self.rng, deltas)
            self.t0 = _anneal.initial_temperature(self.config, deltas)
            self.fstate[_anneal.F_T] = self.fstate[_anneal.F_T0] = self.t0

    def _chunk(self, iterations: int) -> tuple[int, float]:
        done = _sa.sa_chunk(self.graph.arrays(), self.state.arrays(), self.params, self.fstate, self.rng,
                            self.counts, iterations)
        if self.fstate[_anneal.F_T] <= self.config.min_temperature and self.state.conflicts:
            self.fstate[_anneal.F_T] = self.t0  # a frozen colouring search starts a new cycle
        return int(done), float(self.fstate[_anneal.F_T])

    def reheat(self, factor: float) -> dict[str, Any]:
        t = max(self.fstate[_anneal.F_T], (self.t0 or 0.0) * factor)
        self.fstate[_anneal.F_T] = t
        return {"temperature": float(t)}

    def restart_from_best(self) -> dict[str, Any] | None:
        detail = super().restart_from_best()
        if self.t0 is not None:
            self.fstate[_anneal.F_T] = self.t0
        return detail


class ILSColoring(ColoringSearch):
    """Iterated local search: random recolouring of ``perturbation_strength`` conflicting
    vertices, a descent, acceptance at ``acceptance_temperature`` (in conflicts). The
    flow-shop-only ``partial_local_search`` has no effect here."""

    operators = _ils.OPERATORS

    def __init__(self, instance: Instance, config: ILSConfig, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.params = np.zeros(_ils.N_PARAMS)
        self.params[_ils.P_STRENGTH] = config.perturbation_strength
        self.params[_ils.P_ACCEPT_T] = config.acceptance_temperature
        self.params[_ils.P_LOCAL_SEARCH] = codes.code(codes.LOCAL_SEARCH, config.local_search)
        self.ws = (np.zeros((self.graph.n_edges + config.perturbation_strength + 1, 2), dtype=np.int32),
                   np.zeros(self.graph.n, dtype=np.int32))

    def _prepare(self) -> None:
        pass

    def _chunk(self, iterations: int) -> tuple[int, float]:
        done = _ils.ils_chunk(self.graph.arrays(), self.state.arrays(), self.params, self.ws, self.rng, self.counts,
                              iterations)
        return int(done), math.nan


def cumulative_weights(config: SAConfig) -> np.ndarray:
    """Cumulative, normalised SA operator weights from the preset or explicit weights."""
    weights = config.operator_weights or SA_PRESETS[config.operator_preset]
    unknown = sorted(set(weights) - set(_sa.OPERATORS))
    if unknown:
        raise ConfigError(f"operator_weights: names must be among {', '.join(_sa.OPERATORS)} (got {unknown})")
    out = np.array([float(weights.get(op, 0.0)) for op in _sa.OPERATORS])
    if (out < 0).any() or out.sum() <= 0:
        raise ConfigError(f"operator_weights: must be >= 0 with a positive sum (got {dict(weights)})")
    cum = np.cumsum(out / out.sum())
    cum[-1] = 1.0
    return cum


SEARCHES: dict[str, type[ColoringSearch]] = {"tabu": TabuColoring, "sa": SAColoring, "ils": ILSColoring}
