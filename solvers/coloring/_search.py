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
from typing import Any

import numpy as np

from solvers._base import ChunkStats, Instance, Search
from solvers._rng import seed_state, shuffle
from solvers.coloring._construct import dsatur, greedy
from solvers.coloring._kstate import KState, drop_color


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

    # --- the Search contract ---------------------------------------------------------------
    def start(self) -> dict[str, Any]:
        built = self._initial()
        self.best, self.best_k = built, n_colors(built)
        self._attempt()
        return {"objective": self.best_k, "strategy": self.config.initial, "lower_bound": self.lower}

    def run(self, iterations: int) -> ChunkStats:
        done, current, temperature = 0, float(self.best_k), float("nan")
        proposals = dict.fromkeys(self.operators, 0)
        accepts = dict.fromkeys(self.operators, 0)
        while done < iterations and self.state is not None:
            n, temperature, props, accs = self._chunk(iterations - done)
            done += n
            for op, p, a in zip(self.operators, props, accs):
                proposals[op] += int(p)
                accepts[op] += int(a)
            current = float(self.state.k + self.state.conflicts)
            if self.state.conflicts == 0:
                self.best = compact(self.state.colors)
                self.best_k = n_colors(self.best)
                self._attempt()
            elif n == 0:
                break
        return ChunkStats(iterations=done, current=current, best=float(self.best_k), temperature=temperature,
                          proposals=proposals, accepts=accepts)

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
    def _chunk(self, iterations: int) -> tuple[int, float, tuple, tuple]:
        """One kernel call: (iterations done, temperature, proposals, accepts per operator)."""
