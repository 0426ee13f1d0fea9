"""Iterated greedy chunk kernel, the flow shop's ILS (Ruiz & Stuetzle 2007, with optional local
search on the partial solution as in Dubois-Lacoste, Pagnozzi & Stuetzle 2017).

One iteration: remove d random jobs, (optionally improve the partial sequence), reinsert
each removed job at its best position (Taillard acceleration), insertion local search,
then accept if not worse, or with probability exp(-delta / T).
"""

from __future__ import annotations

import math

from numba import njit

from solvers import codes
from solvers._rng import rand_float
from solvers.flowshop._moves import best_insertion, insert_at, insertion_local_search, makespan, random_removal

OPERATORS = ("destroy_rebuild",)

# params (float64) layout
P_STRENGTH = 0  # destruction size d
P_ACCEPT_T = 1  # absolute acceptance temperature
P_LOCAL_SEARCH = 2  # codes.LOCAL_SEARCH
P_PARTIAL = 3  # 1 = local search on the partial sequence
N_PARAMS = 4


@njit(cache=True, nogil=True)
def ils_chunk(p, perm, best_perm, vals, params, ws, rng, counts, iterations):
    """Run `iterations` IG iterations.

    Args:
        p: (n, m) times. perm / best_perm: int32 (n,) current and best permutations.
        vals: int64 (2,) [current makespan, best makespan], updated.
        params: float64 (N_PARAMS,), see P_* above.
        ws: tuple (e, q, f, c, order, removed, work) of workspaces, see `_moves`.
        rng: uint64 (1,). counts: int64 (1, 2) [proposals, accepts], incremented.
    """
    e, q, f, c, order, removed, work = ws
    n = perm.shape[0]
    d = min(int(params[P_STRENGTH]), n - 1)
    temperature = params[P_ACCEPT_T]
    ls = int(params[P_LOCAL_SEARCH])
    full = ls == codes.LS_FULL
    partial = params[P_PARTIAL] > 0.5
    for _ in range(iterations):
        for i in range(n):
            work[i] = perm[i]
        k = random_removal(work, n, d, removed, rng)
        if partial and ls != codes.LS_NONE and k > 1:
            insertion_local_search(p, work, k, makespan(p, work, k, c), full, order, e, q, f, rng)
        cmax = vals[0]
        for t in range(d):
            pos, cmax = best_insertion(p, work, k, removed[t], e, q, f)
            insert_at(work, k, pos, removed[t])
            k += 1
        if ls != codes.LS_NONE:
            cmax = insertion_local_search(p, work, n, cmax, full, order, e, q, f, rng)
        counts[0, 0] += 1
        delta = cmax - vals[0]
        if delta <= 0 or (temperature > 0 and rand_float(rng) < math.exp(-delta / temperature)):
            counts[0, 1] += 1
            for i in range(n):
                perm[i] = work[i]
            vals[0] = cmax
            if cmax < vals[1]:
                vals[1] = cmax
                for i in range(n):
                    best_perm[i] = work[i]
