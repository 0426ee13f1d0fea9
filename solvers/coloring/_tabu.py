"""Tabucol (Hertz & de Werra 1987, Galinier & Hao 1999) as a chunk kernel on the k-colouring
conflict objective.

One iteration moves one conflicting vertex to another colour: the best non-tabu move over the
candidate vertices (ties broken at random), where the move ``(v, c)`` is tabu while
``tabu[v, c] > iteration``. When ``v`` leaves colour ``old`` the pair ``(v, old)`` becomes tabu
for ``tenure + U(0..tenure_random) + alpha * n_conflicting`` iterations. Aspiration admits a
tabu move that would reach fewer conflicts than the best of this k.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._rng import rand_below
from solvers.coloring._moves import BEST, CONFLICTS, ITER, N_CONF, apply_move

# params: float64[N_TABU_PARAMS]
P_TENURE, P_TENURE_RANDOM, P_ALPHA, P_CANDIDATES, P_ASPIRATION = 0, 1, 2, 3, 4
N_TABU_PARAMS = 5

# returned stats: int64[N_TABU_STATS]
S_ITERATIONS, S_PROPOSALS, S_ACCEPTS = 0, 1, 2
N_TABU_STATS = 3


@njit(cache=True, nogil=True)
def best_move(colors, table, conf_list, scal, tabu, params, rng):
    """The tabucol neighbourhood scan: ``(v, c, delta, evaluated)`` of the best admissible move
    over the candidate vertices, ties broken at random; ``v = -1`` when every move is tabu."""
    k = table.shape[1]
    it = scal[ITER]
    n_conf = scal[N_CONF]
    conflicts = scal[CONFLICTS]
    aspire = params[P_ASPIRATION] > 0.0
    n_cand = np.int64(params[P_CANDIDATES])
    sample = 0 < n_cand < n_conf
    if not sample:
        n_cand = n_conf
    best_v, best_c, best_d, ties, evaluated = -1, -1, np.int64(1) << 40, 0, 0
    for i in range(n_cand):
        v = conf_list[rand_below(rng, n_conf)] if sample else conf_list[i]
        cv = colors[v]
        own = np.int64(table[v, cv])
        for c in range(k):
            if c == cv:
                continue
            d = np.int64(table[v, c]) - own
            evaluated += 1
            if tabu[v, c] > it and not (aspire and conflicts + d < scal[BEST]):
                continue
            if d < best_d:
                best_v, best_c, best_d, ties = v, c, d, 1
            elif d == best_d:
                ties += 1
                if rand_below(rng, ties) == 0:
                    best_v, best_c = v, c
    return best_v, best_c, best_d, evaluated


@njit(cache=True, nogil=True)
def tabu_step(indptr, indices, colors, table, conf_list, conf_pos, scal, tabu, params, rng):
    """One tabucol iteration; returns the number of moves evaluated. ``tabu`` is ``int64[n, k]``."""
    k = table.shape[1]
    best_v, best_c, _, evaluated = best_move(colors, table, conf_list, scal, tabu, params, rng)
    if best_v < 0:  # every candidate move is tabu: a random move keeps the search going
        best_v = conf_list[rand_below(rng, scal[N_CONF])]
        best_c = (colors[best_v] + 1 + rand_below(rng, k - 1)) % k
    old = colors[best_v]
    apply_move(indptr, indices, colors, table, conf_list, conf_pos, scal, best_v, best_c)
    tenure = params[P_TENURE] + rand_below(rng, np.int64(params[P_TENURE_RANDOM]) + 1) + params[P_ALPHA] * scal[N_CONF]
    tabu[best_v, old] = scal[ITER] + 1 + np.int64(tenure)
    scal[ITER] += 1
    return evaluated


@njit(cache=True, nogil=True)
def tabu_chunk(indptr, indices, colors, table, conf_list, conf_pos, scal, tabu, best_colors, params, rng, n_iters):
    """Run up to ``n_iters`` tabucol iterations, stopping early at zero conflicts.

    Mutates the state arrays (see :mod:`solvers.coloring._moves`), keeps ``best_colors``
    (``int32[n]``) and ``scal[BEST]`` at the fewest conflicts seen, and returns
    ``int64[N_TABU_STATS]``: iterations done, moves evaluated, moves made. Needs ``k >= 2``.
    """
    stats = np.zeros(N_TABU_STATS, dtype=np.int64)
    for _ in range(n_iters):
        if scal[CONFLICTS] == 0:
            break
        stats[S_PROPOSALS] += tabu_step(indptr, indices, colors, table, conf_list, conf_pos, scal, tabu, params, rng)
        stats[S_ITERATIONS] += 1
        if scal[CONFLICTS] < scal[BEST]:
            scal[BEST] = scal[CONFLICTS]
            best_colors[:] = colors
    stats[S_ACCEPTS] = stats[S_ITERATIONS]
    return stats
