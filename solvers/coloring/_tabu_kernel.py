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

OPERATORS = ("recolor",)

# params (float64) layout
P_TENURE, P_TENURE_RANDOM, P_ALPHA, P_CANDIDATES, P_ASPIRATION = 0, 1, 2, 3, 4
N_PARAMS = 5


@njit(cache=True, nogil=True)
def best_move(st, params, rng):
    """The tabucol neighbourhood scan: ``(v, c, delta, evaluated)`` of the best admissible move
    over the candidate vertices, ties broken at random; ``v = -1`` when every move is tabu.

    Colours are visited in order; the hot loop only skips colours that cannot match the best
    delta so far (``table[v, c] > own + best``). It counts colours in unsigned integers so
    numba emits no negative-index wraparound code in it.
    """
    colors, table, conf_list, _, scal, _, tabu = st
    k = table.shape[1]
    ku = np.uint64(k)
    one = np.uint64(1)
    it = scal[ITER]
    n_conf = scal[N_CONF]
    conflicts = scal[CONFLICTS]
    best = scal[BEST]
    aspire = params[P_ASPIRATION] > 0.0
    n_cand = np.int64(params[P_CANDIDATES])
    sample = 0 < n_cand < n_conf
    if not sample:
        n_cand = n_conf
    best_v, best_c, best_d, ties = -1, -1, np.int64(1) << 40, 0
    for i in range(n_cand):
        v = conf_list[rand_below(rng, n_conf)] if sample else conf_list[i]
        row = table[v]
        cv = colors[v]
        own = np.int64(row[cv])
        limit = own + best_d  # colour c can matter only if row[c] <= limit (delta <= best_d)
        c = np.uint64(0)
        while True:
            while c < ku and row[c] > limit:
                c += one
            if c >= ku:
                break
            ci = np.int64(c)
            d = np.int64(row[c]) - own
            if ci != cv and not (tabu[v, ci] > it and not (aspire and conflicts + d < best)):
                if d < best_d:
                    best_v, best_c, best_d, ties = v, ci, d, 1
                    limit = own + best_d
                else:
                    ties += 1
                    if rand_below(rng, ties) == 0:
                        best_v, best_c = v, ci
            c += one
    return best_v, best_c, best_d, n_cand * (k - 1)


@njit(cache=True, nogil=True)
def tabu_step(g, st, params, rng):
    """One tabucol iteration; returns the number of moves evaluated."""
    colors, table, conf_list, _, scal, _, tabu = st
    k = table.shape[1]
    best_v, best_c, _, evaluated = best_move(st, params, rng)
    if best_v < 0:  # every candidate move is tabu: a random move keeps the search going
        best_v = conf_list[rand_below(rng, scal[N_CONF])]
        best_c = (colors[best_v] + 1 + rand_below(rng, k - 1)) % k
    old = colors[best_v]
    apply_move(g, st, best_v, best_c)
    tenure = params[P_TENURE] + rand_below(rng, np.int64(params[P_TENURE_RANDOM]) + 1) + params[P_ALPHA] * scal[N_CONF]
    tabu[best_v, old] = scal[ITER] + 1 + np.int64(tenure)
    scal[ITER] += 1
    return evaluated


@njit(cache=True, nogil=True)
def tabu_chunk(g, st, params, rng, counts, iterations):
    """Run up to ``iterations`` tabucol iterations, stopping early at zero conflicts.

    Args:
        g: ``(indptr, indices)``. st: the state tuple of :mod:`solvers.coloring._moves`,
            updated; ``best_colors`` and ``scal[BEST]`` keep the fewest conflicts seen.
        params: float64 (N_PARAMS,). rng: uint64 (1,).
        counts: int64 (1, 2) [moves evaluated, moves made], incremented.
    Returns the iterations done. Needs ``k >= 2``.
    """
    colors, _, _, _, scal, best_colors, _ = st
    done = 0
    for _ in range(iterations):
        if scal[CONFLICTS] == 0:
            break
        counts[0, 0] += tabu_step(g, st, params, rng)
        counts[0, 1] += 1
        done += 1
        if scal[CONFLICTS] < scal[BEST]:
            scal[BEST] = scal[CONFLICTS]
            best_colors[:] = colors
    return done
