"""A lower bound on the chromatic number: the largest clique a greedy search finds."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def greedy_clique(indptr, indices, starts):
    """Size of the largest clique found by growing one from each vertex in ``starts``
    (``int64[s]``): the next member is the candidate with the most neighbours among the
    candidates (ties: lowest id). Any clique size is a valid lower bound on χ."""
    n = indptr.shape[0] - 1
    if n == 0:
        return 0
    in_cand = np.zeros(n, dtype=np.uint8)
    cand = np.empty(n, dtype=np.int64)
    best = 1
    for s in starts:
        n_cand = 0
        for j in range(indptr[s], indptr[s + 1]):
            cand[n_cand] = indices[j]
            in_cand[indices[j]] = 1
            n_cand += 1
        size = 1
        while n_cand > 0:
            pick, pick_score = -1, -1
            for i in range(n_cand):
                u = cand[i]
                score = 0
                for j in range(indptr[u], indptr[u + 1]):
                    score += in_cand[indices[j]]
                if score > pick_score:
                    pick, pick_score = u, score
            size += 1
            for i in range(n_cand):
                in_cand[cand[i]] = 0
            for j in range(indptr[pick], indptr[pick + 1]):
                in_cand[indices[j]] = 2  # 2 = neighbour of the new member
            kept = 0
            for i in range(n_cand):
                u = cand[i]
                if in_cand[u] == 2 and u != pick:
                    cand[kept] = u
                    kept += 1
            for j in range(indptr[pick], indptr[pick + 1]):
                in_cand[indices[j]] = 0
            n_cand = kept
            for i in range(n_cand):
                in_cand[cand[i]] = 1
        for i in range(n_cand):
            in_cand[cand[i]] = 0
        best = max(best, size)
    return best


def clique_bound(graph, tries: int = 32) -> int:
    """A clique size from up to ``tries`` starts at the highest-degree vertices (0 if empty)."""
    starts = np.argsort(-graph.degrees(), kind="stable")[:tries].astype(np.int64)
    return int(greedy_clique(graph.indptr, graph.indices, starts))
