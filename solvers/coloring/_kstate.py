"""The state of a search for a proper k-colouring, and the step from k to k - 1 colours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from solvers._rng import rand_below
from solvers.coloring._graph import Graph
from solvers.coloring._moves import BEST, CONFLICTS, N_SCAL, build_table, least_used_colour, load_state


@njit(cache=True, nogil=True)
def drop_color(indptr, indices, colors, k, rng):
    """A ``k - 1`` colouring from a ``k`` colouring: the smallest colour class (ties at random)
    is emptied, each of its vertices taking the colour fewest of its neighbours have (ties at
    random), and colour ``k - 1`` is renamed to the emptied one. Returns a new ``int32[n]``."""
    n = colors.shape[0]
    sizes = np.zeros(k, dtype=np.int64)
    for v in range(n):
        sizes[colors[v]] += 1
    drop, ties = 0, 0
    for c in range(k):
        if sizes[c] < sizes[drop]:
            drop, ties = c, 1
        elif sizes[c] == sizes[drop]:
            ties += 1
            if rand_below(rng, ties) == 0:
                drop = c
    out = colors.copy()
    table = build_table(indptr, indices, out, k)
    for v in range(n):
        if out[v] != drop:
            continue
        best = least_used_colour(table, v, drop, rng)
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            table[u, drop] -= 1
            table[u, best] += 1
        out[v] = best
    for v in range(n):
        if out[v] == k - 1:
            out[v] = drop
    return out


@dataclass
class KState:
    """Arrays of a search with ``k`` colours (shapes in :mod:`solvers.coloring._moves`)."""

    k: int
    colors: np.ndarray
    table: np.ndarray
    conf_list: np.ndarray
    conf_pos: np.ndarray
    scal: np.ndarray
    tabu: np.ndarray
    best_colors: np.ndarray

    @classmethod
    def start(cls, graph: Graph, colors: np.ndarray, k: int) -> KState:
        """Load ``colors`` (values in ``0..k-1``) as the current and best colouring."""
        n = graph.n
        colors = np.ascontiguousarray(colors, dtype=np.int32).copy()
        state = cls(
            k=k,
            colors=colors,
            table=np.zeros((n, k), dtype=np.int32),
            conf_list=np.zeros(n, dtype=np.int32),
            conf_pos=np.full(n, -1, dtype=np.int32),
            scal=np.zeros(N_SCAL, dtype=np.int64),
            tabu=np.zeros((n, k), dtype=np.int64),
            best_colors=colors.copy(),
        )
        state.reload(graph, colors)
        state.scal[BEST] = state.scal[CONFLICTS]
        return state

    def arrays(self) -> tuple:
        """The state tuple the kernels take (order in :mod:`solvers.coloring._moves`)."""
        return (self.colors, self.table, self.conf_list, self.conf_pos, self.scal, self.best_colors, self.tabu)

    def reload(self, graph: Graph, colors: np.ndarray) -> None:
        """Make ``colors`` the current colouring; the best of this k is left as it is."""
        self.colors[:] = colors
        load_state(graph.arrays(), self.arrays())

    @property
    def conflicts(self) -> int:
        return int(self.scal[CONFLICTS])

    @property
    def best_conflicts(self) -> int:
        return int(self.scal[BEST])
