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

from solvers import codes
from solvers._rng import rand_below, rand_float
from solvers.coloring._moves import BEST, CONFLICTS, N_CONF, apply_move, least_used_colour

OPERATORS: tuple[str, ...] = ("perturb",)

# params (float64) layout
P_STRENGTH = 0  # vertices recoloured at random per iteration
P_ACCEPT_T = 1  # acceptance temperature, in conflicts
P_LOCAL_SEARCH = 2  # codes.LOCAL_SEARCH
N_PARAMS = 3


@njit(cache=True, nogil=True)
def _best_colour(table, colors, v, rng):
    c = least_used_colour(table, v, colors[v], rng)
    return c, np.int64(table[v, c]) - np.int64(table[v, colors[v]])


@njit(cache=True, nogil=True)
def _log_move(g, st, log, n_log, v, c):
    log[n_log, 0] = v
    log[n_log, 1] = st[0][v]
    apply_move(g, st, v, c)
    return n_log + 1


@njit(cache=True, nogil=True)
def _descend(g, st, log, n_log, kind, order, rng):
    """Improving moves only; returns the new log length. ``order`` int32[n] workspace."""
    colors, table, conf_list, conf_pos, scal, _, _ = st
    if kind == codes.LS_SINGLE_PASS:
        n_order = scal[N_CONF]
        order[:n_order] = conf_list[:n_order]
        for i in range(n_order):
            v = order[i]
            if conf_pos[v] >= 0:
                c, d = _best_colour(table, colors, v, rng)
                if d < 0:
                    n_log = _log_move(g, st, log, n_log, v, c)
    elif kind == codes.LS_FULL:
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
            n_log = _log_move(g, st, log, n_log, best_v, best_c)
    return n_log


@njit(cache=True, nogil=True)
def ils_chunk(g, st, params, ws, rng, counts, iterations):
    """Run up to ``iterations`` ILS iterations from the home solution in ``colors``, stopping
    early at zero conflicts.

    Args:
        g: ``(indptr, indices)``. st: the state tuple of :mod:`solvers.coloring._moves`.
        params: float64 (N_PARAMS,). ws: ``(log, order)``: ``log`` int32[cap, 2] to undo moves,
            ``cap >= strength + |E| + 1`` (a descent makes at most one move per conflicting
            edge); ``order`` int32[n]. rng: uint64 (1,).
        counts: int64 (1, 2) [iterations, accepted iterations], incremented.
    Returns the iterations done.
    """
    log, order = ws
    colors, table, conf_list, _, scal, best_colors, _ = st
    k = table.shape[1]
    strength = np.int64(params[P_STRENGTH])
    temp = params[P_ACCEPT_T]
    kind = np.int64(params[P_LOCAL_SEARCH])
    done = 0
    for _ in range(iterations):
        home = scal[CONFLICTS]
        if home == 0:
            break
        n_log = 0
        for _ in range(strength):
            if scal[N_CONF] == 0:
                break
            v = conf_list[rand_below(rng, scal[N_CONF])]
            c = (colors[v] + 1 + rand_below(rng, k - 1)) % k
            n_log = _log_move(g, st, log, n_log, v, c)
        n_log = _descend(g, st, log, n_log, kind, order, rng)
        counts[0, 0] += 1
        worse = scal[CONFLICTS] - home
        if worse <= 0 or (temp > 0.0 and rand_float(rng) < math.exp(-worse / temp)):
            counts[0, 1] += 1
            if scal[CONFLICTS] < scal[BEST]:
                scal[BEST] = scal[CONFLICTS]
                best_colors[:] = colors
        else:
            for i in range(n_log - 1, -1, -1):
                apply_move(g, st, log[i, 0], log[i, 1])
        done += 1
    return done
