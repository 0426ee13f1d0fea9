"""Simulated annealing on the k-colouring conflict objective, as a chunk kernel.

Operators (index: name): 0 ``recolor`` — a random conflicting vertex takes a random other
colour; 1 ``min_conflicts`` — a random conflicting vertex takes the colour fewest of its
neighbours have (ties at random); 2 ``random_vertex`` — any vertex takes a random other colour.
Each iteration picks an operator by weight, samples ``neighbours`` moves with it and proposes
the best; Metropolis acceptance at temperature ``T``. Params and temperature layouts and the
cooling schedules are shared with every family's SA kernel (`solvers._anneal`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers._anneal import F_T, P_NEIGHBOURS, cool, pick_operator
from solvers._rng import rand_below, rand_float
from solvers.coloring._moves import BEST, CONFLICTS, N_CONF, apply_move, least_used_colour

OPERATORS: tuple[str, ...] = ("recolor", "min_conflicts", "random_vertex")
OP_RECOLOR, OP_MIN_CONFLICTS, OP_RANDOM_VERTEX = 0, 1, 2


@njit(cache=True, nogil=True)
def propose(op, st, rng):
    """One move ``(v, c, delta)`` of operator ``op``."""
    colors, table, conf_list, _, scal, _, _ = st
    k = table.shape[1]
    if op == OP_RANDOM_VERTEX:
        v = rand_below(rng, colors.shape[0])
    else:
        v = conf_list[rand_below(rng, scal[N_CONF])]
    cv = colors[v]
    if op == OP_MIN_CONFLICTS:
        c = least_used_colour(table, v, cv, rng)
    else:
        c = (cv + 1 + rand_below(rng, k - 1)) % k
    return v, c, np.int64(table[v, c]) - np.int64(table[v, cv])


@njit(cache=True, nogil=True)
def sa_chunk(g, st, params, fstate, rng, counts, iterations):
    """Run up to ``iterations`` annealing iterations, stopping early at zero conflicts.

    Args:
        g: ``(indptr, indices)``. st: the state tuple of :mod:`solvers.coloring._moves`.
        params: float64, `solvers._anneal` layout. fstate: float64 (N_FSTATE,) temperature state.
        rng: uint64 (1,). counts: int64 (len(OPERATORS), 2) [proposals, accepts], incremented.
    Returns the iterations done.
    """
    colors, _, _, _, scal, best_colors, _ = st
    n_nb = max(np.int64(params[P_NEIGHBOURS]), 1)
    done = 0
    for _ in range(iterations):
        if scal[CONFLICTS] == 0:
            break
        op = pick_operator(params, rand_float(rng))
        v, c, d = propose(op, st, rng)
        for _ in range(n_nb - 1):
            v2, c2, d2 = propose(op, st, rng)
            if d2 < d:
                v, c, d = v2, c2, d2
        counts[op, 0] += 1
        t = fstate[F_T]
        accepted = d <= 0 or (t > 0.0 and rand_float(rng) < math.exp(-d / t))
        if accepted:
            apply_move(g, st, v, c)
            counts[op, 1] += 1
            if scal[CONFLICTS] < scal[BEST]:
                scal[BEST] = scal[CONFLICTS]
                best_colors[:] = colors
        cool(params, fstate, d, accepted)
        done += 1
    return done


@njit(cache=True, nogil=True)
def sample_deltas(st, rng, out):
    """Deltas of ``out.shape[0]`` random ``recolor`` moves (state unchanged) into ``out`` (float64)."""
    _, _, _, _, scal, _, _ = st
    for s in range(out.shape[0]):
        if scal[N_CONF] == 0:
            out[s] = 0.0
            continue
        out[s] = propose(OP_RECOLOR, st, rng)[2]
