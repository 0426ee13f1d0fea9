"""Conflict objective and the tabucol-style adjacency-colour table (numba kernels).

Shapes and dtypes used throughout the colouring kernels:

- ``indptr`` ``int32[n+1]``, ``indices`` ``int32[2m]``: the graph in CSR form;
- ``colors`` ``int32[n]``: a colour in ``0..k-1`` per vertex;
- ``table`` ``int32[n, k]``: ``table[v, c]`` = neighbours of ``v`` coloured ``c``;
- ``conf_list`` / ``conf_pos`` ``int32[n]``: the set of conflicting vertices (a vertex with a
  neighbour of its own colour) as a list plus each vertex's position in it (``-1`` if absent);
- ``scal`` ``int64[4]``: ``[conflicts, n_conflicting, best_conflicts, iteration]`` where
  ``conflicts`` counts monochromatic edges;
- ``best_colors`` ``int32[n]``: the colouring with the fewest conflicts of this k;
- ``tabu`` ``int64[n, k]``: first iteration at which ``v`` may take colour ``c`` again.

Kernels take the graph as one tuple ``g = (indptr, indices)`` and the search state as one
tuple ``st = (colors, table, conf_list, conf_pos, scal, best_colors, tabu)`` (see
``KState.arrays``), as the flow-shop kernels take their workspaces.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._rng import rand_below

CONFLICTS, N_CONF, BEST, ITER = 0, 1, 2, 3
N_SCAL = 4


@njit(cache=True, nogil=True)
def conflict_count(indptr, indices, colors):
    """Number of edges whose endpoints share a colour (each edge counted once). Returns int64."""
    total = 0
    for v in range(colors.shape[0]):
        cv = colors[v]
        for j in range(indptr[v], indptr[v + 1]):
            u = indices[j]
            if u > v and colors[u] == cv:
                total += 1
    return total


@njit(cache=True, nogil=True)
def build_table(indptr, indices, colors, k):
    """The ``int32[n, k]`` adjacency-colour table of ``colors``."""
    n = colors.shape[0]
    table = np.zeros((n, k), dtype=np.int32)
    for v in range(n):
        for j in range(indptr[v], indptr[v + 1]):
            table[v, colors[indices[j]]] += 1
    return table


@njit(cache=True, nogil=True)
def move_delta(table, colors, v, c):
    """Change in the conflict count if ``v`` takes colour ``c``: O(1). Vertices and colours are
    valid indices (never negative), read as unsigned so numba emits no wraparound code."""
    row = table[np.uint64(v)]
    return np.int64(row[np.uint64(c)]) - np.int64(row[np.uint64(colors[np.uint64(v)])])


@njit(cache=True, nogil=True)
def move_deltas(table, colors, vs, cs, out):
    """``out[i]`` = delta of the move ``(vs[i], cs[i])`` (benchmarks and tests), int64 ``out``."""
    for i in range(vs.shape[0]):
        out[i] = move_delta(table, colors, vs[i], cs[i])


@njit(cache=True, nogil=True)
def _set_add(conf_list, conf_pos, scal, v):
    if conf_pos[v] < 0:
        conf_pos[v] = scal[N_CONF]
        conf_list[scal[N_CONF]] = v
        scal[N_CONF] += 1


@njit(cache=True, nogil=True)
def _set_remove(conf_list, conf_pos, scal, v):
    p = conf_pos[v]
    if p >= 0:
        last = conf_list[scal[N_CONF] - 1]
        conf_list[p] = last
        conf_pos[last] = p
        conf_pos[v] = -1
        scal[N_CONF] -= 1


@njit(cache=True, nogil=True)
def load_state(g, st):
    """Rebuild ``table``, the conflicting set and ``scal[CONFLICTS]`` from ``colors`` in place."""
    indptr, indices = g
    colors, table, conf_list, conf_pos, scal, _, _ = st
    n = colors.shape[0]
    table[:, :] = 0
    for v in range(n):
        for j in range(indptr[v], indptr[v + 1]):
            table[v, colors[indices[j]]] += 1
    conf_pos[:] = -1
    scal[N_CONF] = 0
    total = 0
    for v in range(n):
        own = table[v, colors[v]]
        total += own
        if own > 0:
            _set_add(conf_list, conf_pos, scal, v)
    scal[CONFLICTS] = total // 2


@njit(cache=True, nogil=True)
def apply_move(g, st, v, c):
    """Give ``v`` colour ``c``: updates ``table`` rows of the neighbours, the conflicting set and
    ``scal[CONFLICTS]`` in O(deg v). Returns the delta applied."""
    indptr, indices = g
    colors, table, conf_list, conf_pos, scal, _, _ = st
    old = colors[v]
    delta = np.int64(table[v, c]) - np.int64(table[v, old])
    if c == old:
        return delta
    for j in range(indptr[v], indptr[v + 1]):
        u = indices[j]
        table[u, old] -= 1
        table[u, c] += 1
        cu = colors[u]
        if cu == old and table[u, old] == 0:
            _set_remove(conf_list, conf_pos, scal, u)
        elif cu == c:
            _set_add(conf_list, conf_pos, scal, u)
    colors[v] = c
    if table[v, c] > 0:
        _set_add(conf_list, conf_pos, scal, v)
    else:
        _set_remove(conf_list, conf_pos, scal, v)
    scal[CONFLICTS] += delta
    return delta


@njit(cache=True, nogil=True)
def least_used_colour(table, v, skip, rng):
    """The colour other than ``skip`` that fewest neighbours of ``v`` have (ties at random)."""
    c, best, ties = -1, np.int64(1) << 40, 0
    for d in range(table.shape[1]):
        if d == skip:
            continue
        if table[v, d] < best:
            c, best, ties = d, np.int64(table[v, d]), 1
        elif table[v, d] == best:
            ties += 1
            if rand_below(rng, ties) == 0:
                c = d
    return c
