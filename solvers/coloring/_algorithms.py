"""The three colouring searches: each maps its validated config onto a chunk kernel."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from solvers.coloring import _ils, _sa, _tabu
from solvers.coloring._search import ColoringSearch
from solvers.errors import ConfigError

SA_PRESETS: dict[str, dict[str, float]] = {
    "default": {"recolor": 0.5, "min_conflicts": 0.5, "random_vertex": 0.0},
    "intensify": {"recolor": 0.2, "min_conflicts": 0.8, "random_vertex": 0.0},
    "diversify": {"recolor": 0.4, "min_conflicts": 0.2, "random_vertex": 0.4},
    "uniform": {"recolor": 1 / 3, "min_conflicts": 1 / 3, "random_vertex": 1 / 3},
}
_COOLING = {"geometric": _sa.GEOMETRIC, "linear": _sa.LINEAR, "adaptive": _sa.ADAPTIVE}
_LOCAL_SEARCH = {"full": _ils.LS_FULL, "single_pass": _ils.LS_SINGLE_PASS, "none": _ils.LS_NONE}


def _state_args(search: ColoringSearch) -> tuple:
    g, s = search.graph, search.state
    return g.indptr, g.indices, s.colors, s.table, s.conf_list, s.conf_pos, s.scal


class TabuColoring(ColoringSearch):
    """Tabucol; ``candidates`` = conflicting vertices examined per iteration (sampled at random
    when more conflict), ``tenure_conflict_factor`` times the conflicting vertices is added to
    each tenure."""

    operators = ("recolor",)

    def __init__(self, instance, config, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.params = np.zeros(_tabu.N_TABU_PARAMS)
        self.params[_tabu.P_TENURE_RANDOM] = config.tenure_random
        self.params[_tabu.P_ALPHA] = config.tenure_conflict_factor
        self.params[_tabu.P_CANDIDATES] = config.candidates
        self.params[_tabu.P_ASPIRATION] = float(config.aspiration)
        self.scale_tenure(0.0)

    def _prepare(self) -> None:
        pass  # KState.start gives a fresh tabu list

    def _chunk(self, iterations: int):
        s = self.state
        stats = _tabu.tabu_chunk(*_state_args(self), s.tabu, s.best_colors, self.params, self.rng, iterations)
        return (int(stats[_tabu.S_ITERATIONS]), float("nan"), (stats[_tabu.S_PROPOSALS],),
                (stats[_tabu.S_ACCEPTS],))

    def scale_tenure(self, factor: float) -> dict[str, Any]:
        base = self.config.tenure if factor == 0.0 else self.params[_tabu.P_TENURE] * factor
        self.params[_tabu.P_TENURE] = base
        return {"tenure": float(base)}


class SAColoring(ColoringSearch):
    """Simulated annealing over the operators of :mod:`solvers.coloring._sa`."""

    operators = _sa.SA_OPERATORS

    def __init__(self, instance, config, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.cum_weights = np.cumsum(_weights(config))
        self.cum_weights[-1] = 1.0
        self.params = np.zeros(_sa.N_SA_PARAMS)
        self.params[_sa.P_COOLING] = _COOLING[config.cooling]
        self.params[_sa.P_RATE] = config.cooling_rate
        self.params[_sa.P_MIN_T] = config.min_temperature
        self.params[_sa.P_TARGET] = config.target_acceptance
        self.params[_sa.P_NEIGHBOURS] = config.neighbours
        self.t0 = None

    def _prepare(self) -> None:
        if self.t0 is None:
            self.t0 = self.config.initial_temperature or self._estimate_t0()
            self.params[_sa.P_T0] = self.params[_sa.P_TEMPERATURE] = self.t0

    def _estimate_t0(self) -> float:
        s = self.state
        mean = _sa.sample_worsening(s.table, s.colors, s.conf_list, s.scal, self.rng, self.config.temperature_samples)
        return -mean / math.log(self.config.initial_acceptance) if mean > 0 else 1.0

    def _chunk(self, iterations: int):
        s = self.state
        stats = _sa.sa_chunk(*_state_args(self), s.best_colors, self.params, self.cum_weights, self.rng, iterations)
        if self.params[_sa.P_TEMPERATURE] <= self.config.min_temperature and s.conflicts:
            self.params[_sa.P_TEMPERATURE] = self.t0  # a frozen colouring search starts a new cycle
        n_ops = len(self.operators)
        return (int(stats[_sa.S_ITERATIONS]), float(stats[_sa.S_TEMPERATURE]),
                tuple(stats[_sa.S_OPS:_sa.S_OPS + n_ops]), tuple(stats[_sa.S_OPS + n_ops:]))

    def reheat(self, factor: float) -> dict[str, Any]:
        t = max(self.params[_sa.P_TEMPERATURE], (self.t0 or 0.0) * factor)
        self.params[_sa.P_TEMPERATURE] = t
        return {"temperature": float(t)}

    def restart_from_best(self) -> dict[str, Any] | None:
        detail = super().restart_from_best()
        if self.t0 is not None:
            self.params[_sa.P_TEMPERATURE] = self.t0
        return detail


class ILSColoring(ColoringSearch):
    """Iterated local search: random recolouring of ``perturbation_strength`` conflicting
    vertices, a descent, acceptance at ``acceptance_temperature`` (in conflicts). The
    flow-shop-only ``partial_local_search`` has no effect here."""

    operators = ("perturb",)

    def __init__(self, instance, config, seed: int) -> None:
        super().__init__(instance, config, seed)
        self.params = np.zeros(_ils.N_ILS_PARAMS)
        self.params[_ils.P_STRENGTH] = config.perturbation_strength
        self.params[_ils.P_ACCEPT_T] = config.acceptance_temperature
        self.params[_ils.P_LOCAL_SEARCH] = _LOCAL_SEARCH[config.local_search]
        self.log = np.zeros((self.graph.n_edges + config.perturbation_strength + 1, 2), dtype=np.int32)

    def _prepare(self) -> None:
        pass

    def _chunk(self, iterations: int):
        s = self.state
        stats = _ils.ils_chunk(*_state_args(self), s.best_colors, self.log, self.params, self.rng, iterations)
        return (int(stats[_ils.S_ITERATIONS]), float("nan"), (stats[_ils.S_ITERATIONS],),
                (stats[_ils.S_ACCEPTED],))


def _weights(config) -> np.ndarray:
    weights = config.operator_weights or SA_PRESETS[config.operator_preset]
    unknown = sorted(set(weights) - set(_sa.SA_OPERATORS))
    if unknown:
        raise ConfigError(f"operator_weights: names must be among {', '.join(_sa.SA_OPERATORS)} (got {unknown})")
    out = np.array([float(weights.get(op, 0.0)) for op in _sa.SA_OPERATORS])
    if (out < 0).any() or out.sum() <= 0:
        raise ConfigError(f"operator_weights: must be >= 0 with a positive sum (got {dict(weights)})")
    return out / out.sum()


SEARCHES = {"tabu": TabuColoring, "sa": SAColoring, "ils": ILSColoring}
