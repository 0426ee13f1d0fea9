"""Constructive colourings (numba kernels): greedy in a given order, and DSatur.

Both return a proper colouring ``int32[n]`` with colours ``0..k-1`` (``k`` = the maximum + 1).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def greedy(indptr, indices, order):
    """Colour the vertices in ``order`` (``int32/int64[n]``, a permutation), each with the
    smallest colour none of its already coloured neighbours has."""
    n = indptr.shape[0] - 1
    colors = np.full(n, -1, dtype=np.int32)
    stamp = np.full(n + 1, -1, dtype=np.int64)
    for step in range(n):
        v = order[step]
        for j in range(indptr[v], indptr[v + 1]):
            cu = colors[indices[j]]
            if cu >= 0:
                stamp[cu] = step
        c = 0
        while stamp[c] == step:
            c += 1
        colors[v] = c
    return colors


@njit(cache=True, nogil=True)
def dsatur(indptr, indices):
    """Brélaz's DSatur: repeatedly colour the uncoloured vertex with the most distinct colours
    among its neighbours (ties: most uncoloured neighbours, then lowest id) with its smallest
    free colour. O(n^2 + m) time, ``uint8[n, maxdeg + 2]`` memory."""
    n = indptr.shape[0] - 1
    colors = np.full(n, -1, dtype=np.int32)
    if n == 0:
        return colors
    maxdeg = 0
    for v in range(n):
        maxdeg = max(maxdeg, indptr[v + 1] - indptr[v])
    seen = np.zeros((n, maxdeg + 2), dtype=np.uint8)
    sat = np.zeros(n, dtype=np.int64)
    free_deg = np.empty(n, dtype=np.int64)
    for v in range(n):
        free_deg[v] = indptr[v + 1] - indptr[v]
    for _ in range(n):
        best = -1
        for v in range(n):
            if colors[v] < 0 and (
                best < 0 or sat[v] > sat[best] or (sat[v] == sat[best] and free_deg[v] > free_deg[best])
            ):
                best = v
        c = 0
        while seen[best, c]:
            c += 1
        colors[best] = c
        for j in range(indptr[best], indptr[best + 1]):
            u = indices[j]
            free_deg[u] -= 1
            if not seen[u, c]:
                seen[u, c] = 1
                sat[u] += 1
    return colors
