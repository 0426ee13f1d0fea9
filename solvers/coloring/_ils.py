"""Iterated local search on the k-colouring conflict objective, as a chunk kernel.

One iteration: recolour ``strength`` random conflicting vertices at random (the
perturbation), descend (``full``: steepest descent to a local optimum; ``single_pass``: each
conflicting vertex once to its best colour if that improves; ``none``), then accept the
result if it has no more conflicts than the home solution, or with probability
``exp(-(worse by) / T)`` for an acceptance temperature ``T > 0``; otherwise undo the moves.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers._rng import rand_below, rand_float
from solvers.coloring._moves import BEST, CONFLICTS, N_CONF, apply_move, least_used_colour

ILS_OPERATORS: tuple[str, ...] = ("perturb", "descent")

# params: float64[N_ILS_PARAMS]
P_STRENGTH, P_ACCEPT_T, P_LOCAL_SEARCH = 0, 1, 2
N_ILS_PARAMS = 3
LS_FULL, LS_SINGLE_PASS, LS_NONE = 0, 1, 2
# returned stats: int64[N_ILS_STATS]
S_ITERATIONS, S_PERTURBS, S_ACCEPTED, S_DESCENT_MOVES = 0, 1, 2, 3
N_ILS_STATS = 4


@njit(cache=True, nogil=True)
def _best_colour(table, colors, v, rng):
    c = least_used_colour(table, v, colors[v], rng)
    return c, np.int64(table[v, c]) - np.int64(table[v, colors[v]])


@njit(cache=True, nogil=True)
def _log_move(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, v, c):
    log[n_log, 0] = v
    log[n_log, 1] = colors[v]
    apply_move(indptr, indices, colors, table, conf_list, conf_pos, scal, v, c)
    return n_log + 1


@njit(cache=True, nogil=True)
def _descend(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, kind, rng):
    """Improving moves only; returns the new log length."""
    if kind == LS_SINGLE_PASS:
        order = conf_list[: scal[N_CONF]].copy()
        for v in order:
            if conf_pos[v] >= 0:
                c, d = _best_colour(table, colors, v, rng)
                if d < 0:
                    n_log = _log_move(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, v, c)
    elif kind == LS_FULL:
        while scal[CONFLICTS] > 0:
            best_v, best_c, best_d, ties = -1, -1, np.int64(0), 0
            for i in range(scal[N_CONF]):
                v = conf_list[i]
                c, d = _best_colour(table, colors, v, rng)
                if d < best_d:
                    best_v, best_c, best_d, ties = v, c, d, 1
                elif d == best_d and best_v >= 0:
                    ties += 1
                    if rand_below(rng, ties) == 0:
                        best_v, best_c = v, c
            if best_v < 0:
                break
            n_log = _log_move(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, best_v, best_c)
    return n_log


@njit(cache=True, nogil=True)
def ils_chunk(indptr, indices, colors, table, conf_list, conf_pos, scal, best_colors, log, params, rng, n_iters):
    """Run up to ``n_iters`` ILS iterations from the home solution in ``colors``, stopping early
    at zero conflicts. ``log`` is ``int32[cap, 2]`` scratch for undoing moves, with
    ``cap >= strength + |E| + 1`` (a descent makes at most one move per conflicting edge).
    Returns ``int64[N_ILS_STATS]``: iterations, perturbation moves, accepted iterations,
    descent moves."""
    stats = np.zeros(N_ILS_STATS, dtype=np.int64)
    k = table.shape[1]
    strength = np.int64(params[P_STRENGTH])
    temp = params[P_ACCEPT_T]
    kind = np.int64(params[P_LOCAL_SEARCH])
    for _ in range(n_iters):
        home = scal[CONFLICTS]
        if home == 0:
            break
        n_log = 0
        for _ in range(strength):
            if scal[N_CONF] == 0:
                break
            v = conf_list[rand_below(rng, scal[N_CONF])]
            c = (colors[v] + 1 + rand_below(rng, k - 1)) % k
            n_log = _log_move(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, v, c)
        stats[S_PERTURBS] += n_log
        before = n_log
        n_log = _descend(indptr, indices, colors, table, conf_list, conf_pos, scal, log, n_log, kind, rng)
        stats[S_DESCENT_MOVES] += n_log - before
        worse = scal[CONFLICTS] - home
        if worse <= 0 or (temp > 0.0 and rand_float(rng) < math.exp(-worse / temp)):
            stats[S_ACCEPTED] += 1
            if scal[CONFLICTS] < scal[BEST]:
                scal[BEST] = scal[CONFLICTS]
                best_colors[:] = colors
        else:
            for i in range(n_log - 1, -1, -1):
                apply_move(indptr, indices, colors, table, conf_list, conf_pos, scal, log[i, 0], log[i, 1])
        stats[S_ITERATIONS] += 1
    return stats
