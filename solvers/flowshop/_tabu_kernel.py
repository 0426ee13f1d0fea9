"""Tabu search chunk kernel on permutations with the insertion neighbourhood.

Each iteration evaluates every insertion position of `candidates` random jobs (Taillard's
acceleration, O(n m) per job) and makes the best admissible move; the job may not return to
the position it left for tenure + U(0..tenure_random) iterations, unless the move gives a
new best and aspiration is on.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._rng import rand_below
from solvers.flowshop._moves import insert_at, insertion_makespans, position_of, remove_at

OPERATORS = ("insert",)

# params (float64) layout
P_TENURE = 0
P_TENURE_RANDOM = 1
P_ASPIRATION = 2
P_CANDIDATES = 3
N_PARAMS = 4


@njit(cache=True, nogil=True)
def tabu_chunk(p, perm, best_perm, vals, params, tabu, ws, rng, counts, it0, iterations):
    """Run `iterations` tabu iterations starting at iteration number `it0`.

    Args:
        p: (n, m) times. perm / best_perm: int32 (n,). vals: int64 (2,) [current, best].
        params: float64 (N_PARAMS,). tabu: int64 (n, n), tabu[job, pos] = first iteration at
            which `job` may move to `pos` again. ws: tuple (e, q, f, cand) workspaces
            (cand int32 (n,)). rng: uint64 (1,). counts: int64 (1, 2) [proposals, accepts].
    """
    e, q, f, cand = ws
    n = perm.shape[0]
    n_cand = min(int(params[P_CANDIDATES]), n)
    tenure = int(params[P_TENURE])
    tenure_random = int(params[P_TENURE_RANDOM])
    aspiration = params[P_ASPIRATION] > 0.5
    for s in range(iterations):
        it = it0 + s
        for i in range(n):
            cand[i] = i
        for i in range(n_cand):  # partial Fisher-Yates: cand[:n_cand] are distinct random jobs
            j = i + rand_below(rng, n - i)
            cand[i], cand[j] = cand[j], cand[i]
        best_job, best_from, best_to, best_val = -1, 0, 0, np.int64(1) << 62
        for c in range(n_cand):
            job = cand[c]
            pos = position_of(perm, job)
            remove_at(perm, n, pos)
            insertion_makespans(p, perm, n - 1, job, e, q, f)
            insert_at(perm, n - 1, pos, job)
            for to in range(n):
                if to == pos or f[to] >= best_val:
                    continue
                if tabu[job, to] > it and not (aspiration and f[to] < vals[1]):
                    continue
                best_job, best_from, best_to, best_val = job, pos, to, f[to]
        counts[0, 0] += 1
        if best_job < 0:
            continue
        counts[0, 1] += 1
        remove_at(perm, n, best_from)
        insert_at(perm, n - 1, best_to, best_job)
        tabu[best_job, best_from] = it + 1 + tenure + (rand_below(rng, tenure_random + 1) if tenure_random > 0 else 0)
        vals[0] = best_val
        if best_val < vals[1]:
            vals[1] = best_val
            best_perm[:] = perm
