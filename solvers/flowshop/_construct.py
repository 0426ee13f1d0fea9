"""Constructive flow shop solutions: NEH (Nawaz, Enscore & Ham 1983) and its random-order variant.

Array conventions as in `solvers.flowshop._moves`; the permutation is written to `seq`.
"""

from __future__ import annotations

from numba import njit

from solvers._rng import shuffle
from solvers.flowshop._moves import best_insertion, insert_at


@njit(cache=True, nogil=True)
def neh(p, order, seq, e, q, f):
    """Insert jobs in `order` (int32 (n,), classic NEH: decreasing total time) one by one at
    their best position; returns the makespan of `seq` (n,)."""
    n = order.shape[0]
    seq[0] = order[0]
    cmax = p[order[0]].sum()
    for k in range(1, n):
        pos, cmax = best_insertion(p, seq, k, order[k], e, q, f)
        insert_at(seq, k, pos, order[k])
    return cmax


@njit(cache=True, nogil=True)
def random_order_neh(p, seq, order, e, q, f, rng):
    """NEH with a random priority order (for multi-start); returns the makespan."""
    for i in range(order.shape[0]):
        order[i] = i
    shuffle(rng, order)
    return neh(p, order, seq, e, q, f)
