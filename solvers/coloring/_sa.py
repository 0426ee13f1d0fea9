"""Simulated annealing on the k-colouring conflict objective, as a chunk kernel.

Operators (index: name): 0 ``recolor`` — a random conflicting vertex takes a random other
colour; 1 ``min_conflicts`` — a random conflicting vertex takes the colour fewest of its
neighbours have (ties at random); 2 ``random_vertex`` — any vertex takes a random other colour.
Each iteration picks an operator by weight, samples ``neighbours`` moves with it and proposes
the best; Metropolis acceptance at temperature ``T``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers._rng import rand_below, rand_float
from solvers.coloring._moves import BEST, CONFLICTS, N_CONF, apply_move, least_used_colour

SA_OPERATORS: tuple[str, ...] = ("recolor", "min_conflicts", "random_vertex")

# params: float64[N_SA_PARAMS]
P_TEMPERATURE, P_COOLING, P_RATE, P_T0, P_MIN_T, P_TARGET, P_NEIGHBOURS = 0, 1, 2, 3, 4, 5, 6
N_SA_PARAMS = 7
GEOMETRIC, LINEAR, ADAPTIVE = 0, 1, 2
# returned stats: float64[2 + 2 * n_ops]: iterations, final temperature, proposals per op, accepts per op
S_ITERATIONS, S_TEMPERATURE, S_OPS = 0, 1, 2


@njit(cache=True, nogil=True)
def _propose(op, table, colors, conf_list, scal, rng):
    """One move ``(v, c, delta)`` of operator ``op``."""
    k = table.shape[1]
    if op == 2:
        v = rand_below(rng, colors.shape[0])
    else:
        v = conf_list[rand_below(rng, scal[N_CONF])]
    cv = colors[v]
    if op == 1:
        c = least_used_colour(table, v, cv, rng)
    else:
        c = (cv + 1 + rand_below(rng, k - 1)) % k
    return v, c, np.int64(table[v, c]) - np.int64(table[v, cv])


@njit(cache=True, nogil=True)
def sa_chunk(indptr, indices, colors, table, conf_list, conf_pos, scal, best_colors, params, cum_weights, rng, n_iters):
    """Run up to ``n_iters`` annealing iterations, stopping early at zero conflicts.

    ``params`` float64[N_SA_PARAMS] (temperature, schedule, rate, T0, floor, target acceptance,
    neighbours); ``cum_weights`` float64[3] cumulative operator weights ending at 1. The
    temperature reached is written back to ``params[P_TEMPERATURE]``. Returns float64 stats
    (see ``S_*``). Geometric: ``T *= rate``; linear: ``T -= (1 - rate) T0``; adaptive: an
    accepted worsening move multiplies ``T`` by ``rate``, a rejected one divides it by
    ``rate ** (target / (1 - target))``, which settles where the target share of worsening
    moves is accepted.
    """
    n_ops = cum_weights.shape[0]
    stats = np.zeros(S_OPS + 2 * n_ops, dtype=np.float64)
    t = params[P_TEMPERATURE]
    kind = np.int64(params[P_COOLING])
    rate = params[P_RATE]
    floor = params[P_MIN_T]
    step = (1.0 - rate) * params[P_T0]
    up = rate ** (-params[P_TARGET] / (1.0 - params[P_TARGET]))
    n_nb = max(np.int64(params[P_NEIGHBOURS]), 1)
    for _ in range(n_iters):
        if scal[CONFLICTS] == 0:
            break
        r = rand_float(rng)
        op = 0
        while op < n_ops - 1 and r >= cum_weights[op]:
            op += 1
        v, c, d = _propose(op, table, colors, conf_list, scal, rng)
        for _ in range(n_nb - 1):
            v2, c2, d2 = _propose(op, table, colors, conf_list, scal, rng)
            if d2 < d:
                v, c, d = v2, c2, d2
        stats[S_OPS + op] += 1
        accepted = d <= 0 or (t > 0.0 and rand_float(rng) < math.exp(-d / t))
        if accepted:
            apply_move(indptr, indices, colors, table, conf_list, conf_pos, scal, v, c)
            stats[S_OPS + n_ops + op] += 1
            if scal[CONFLICTS] < scal[BEST]:
                scal[BEST] = scal[CONFLICTS]
                best_colors[:] = colors
        if kind == GEOMETRIC:
            t *= rate
        elif kind == LINEAR:
            t -= step
        elif d > 0:
            t *= rate if accepted else up
        t = max(t, floor)
        stats[S_ITERATIONS] += 1
    params[P_TEMPERATURE] = t
    stats[S_TEMPERATURE] = t
    return stats


@njit(cache=True, nogil=True)
def sample_worsening(table, colors, conf_list, scal, rng, samples):
    """Mean positive delta of ``samples`` random ``recolor`` moves (0.0 if none worsens)."""
    total, count = 0.0, 0
    for _ in range(samples):
        if scal[N_CONF] == 0:
            break
        _, _, d = _propose(0, table, colors, conf_list, scal, rng)
        if d > 0:
            total += d
            count += 1
    return total / count if count else 0.0
