"""Simulated annealing chunk kernel on permutations: insert, swap and adjacent-swap moves.

Params and temperature layouts, cooling and operator choice are shared with every family's
SA kernel (`solvers._anneal`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers._anneal import F_T, P_NEIGHBOURS, cool, pick_operator
from solvers._rng import rand_below, rand_float
from solvers.flowshop._moves import insert_at, makespan, remove_at

OPERATORS = ("insert", "swap", "adjacent")
OP_INSERT, OP_SWAP, OP_ADJACENT = 0, 1, 2


@njit(cache=True, nogil=True)
def apply_move(perm, op, a, b):
    """Apply a move in place: insert (job at a goes to b), swap (a, b) or adjacent (a, a+1)."""
    n = perm.shape[0]
    if op == OP_INSERT:
        insert_at(perm, n - 1, b, remove_at(perm, n, a))
    elif op == OP_SWAP:
        perm[a], perm[b] = perm[b], perm[a]
    else:
        perm[a], perm[a + 1] = perm[a + 1], perm[a]


@njit(cache=True, nogil=True)
def undo_move(perm, op, a, b):
    """Inverse of `apply_move` with the same arguments."""
    if op == OP_INSERT:
        apply_move(perm, op, b, a)
    else:
        apply_move(perm, op, a, b)


@njit(cache=True, nogil=True)
def random_move(perm, params, rng):
    """(op, a, b) drawn by the cumulative operator weights; a != b."""
    n = perm.shape[0]
    op = pick_operator(params, rand_float(rng))
    if op == OP_ADJACENT:
        a = rand_below(rng, n - 1)
        return op, a, a + 1
    a = rand_below(rng, n)
    b = rand_below(rng, n - 1)
    if b >= a:
        b += 1
    return op, a, b


@njit(cache=True, nogil=True)
def sample_deltas(p, perm, params, rng, c, out):
    """Makespan deltas of `out.shape[0]` random moves from `perm` (perm unchanged) into out (float64)."""
    n = perm.shape[0]
    base = makespan(p, perm, n, c)
    for s in range(out.shape[0]):
        op, a, b = random_move(perm, params, rng)
        apply_move(perm, op, a, b)
        out[s] = makespan(p, perm, n, c) - base
        undo_move(perm, op, a, b)


@njit(cache=True, nogil=True)
def sa_chunk(p, perm, best_perm, vals, params, fstate, ws, rng, counts, iterations):
    """Run `iterations` SA iterations; each samples `neighbours` moves and proposes the best.

    Args:
        p: (n, m) times. perm / best_perm: int32 (n,). vals: int64 (2,) [current, best].
        params: float64, `solvers._anneal` layout. fstate: float64 (N_FSTATE,) temperature state.
        ws: tuple (c,) with c (m,) of p's dtype. rng: uint64 (1,).
        counts: int64 (len(OPERATORS), 2) [proposals, accepts] per operator, incremented.
    """
    (c,) = ws
    n = perm.shape[0]
    neighbours = int(params[P_NEIGHBOURS])
    for _ in range(iterations):
        best_op, best_a, best_b, best_val = -1, 0, 0, np.int64(1) << 62
        for _k in range(neighbours):
            op, a, b = random_move(perm, params, rng)
            apply_move(perm, op, a, b)
            value = np.int64(makespan(p, perm, n, c))
            undo_move(perm, op, a, b)
            if value < best_val:
                best_op, best_a, best_b, best_val = op, a, b, value
        counts[best_op, 0] += 1
        delta = best_val - vals[0]
        t = fstate[F_T]
        accepted = delta <= 0 or (t > 0 and rand_float(rng) < math.exp(-delta / t))
        if accepted:
            counts[best_op, 1] += 1
            apply_move(perm, best_op, best_a, best_b)
            vals[0] = best_val
            if best_val < vals[1]:
                vals[1] = best_val
                best_perm[:] = perm
        cool(params, fstate, delta, accepted)
