"""Simulated annealing chunk kernel on permutations: insert, swap and adjacent-swap moves."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from solvers._rng import rand_below, rand_float
from solvers.flowshop._kernels import insert_at, makespan, remove_at

OPERATORS = ("insert", "swap", "adjacent")
OP_INSERT, OP_SWAP, OP_ADJACENT = 0, 1, 2

# params (float64) layout
P_SCHEDULE = 0  # 0 geometric, 1 linear, 2 adaptive
P_RATE = 1
P_TMIN = 2
P_TARGET = 3  # adaptive: target acceptance rate
P_NEIGHBOURS = 4
P_WEIGHTS = 5  # cumulative operator weights, len(OPERATORS) entries, last = 1
N_PARAMS = P_WEIGHTS + len(OPERATORS)
SCHEDULES = ("geometric", "linear", "adaptive")

# fstate (float64) layout
F_T = 0  # current temperature
F_T0 = 1  # initial temperature
F_WIN_PROPOSED = 2  # adaptive window counters
F_WIN_ACCEPTED = 3
N_FSTATE = 4
ADAPTIVE_WINDOW = 100


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
    u = rand_float(rng)
    op = 0
    while op < len(OPERATORS) - 1 and u >= params[P_WEIGHTS + op]:
        op += 1
    if op == OP_ADJACENT:
        a = rand_below(rng, n - 1)
        return op, a, a + 1
    a = rand_below(rng, n)
    b = rand_below(rng, n - 1)
    if b >= a:
        b += 1
    return op, a, b


@njit(cache=True, nogil=True)
def sample_deltas(p, perm, params, rng, samples):
    """Makespan deltas of `samples` random moves from `perm` (perm unchanged), float64."""
    n = perm.shape[0]
    base = makespan(p, perm, n)
    out = np.empty(samples, dtype=np.float64)
    for s in range(samples):
        op, a, b = random_move(perm, params, rng)
        apply_move(perm, op, a, b)
        out[s] = makespan(p, perm, n) - base
        undo_move(perm, op, a, b)
    return out


@njit(cache=True, nogil=True)
def sa_chunk(p, perm, best_perm, vals, params, fstate, rng, counts, iterations):
    """Run `iterations` SA iterations; each samples `neighbours` moves and proposes the best.

    Args:
        p: int64 (n, m). perm / best_perm: int64 (n,). vals: int64 (2,) [current, best].
        params: float64 (N_PARAMS,). fstate: float64 (N_FSTATE,) temperature state, updated.
        rng: uint64 (1,). counts: int64 (len(OPERATORS), 2) [proposals, accepts] per operator.
    """
    n = perm.shape[0]
    schedule = int(params[P_SCHEDULE])
    rate = params[P_RATE]
    t_min = params[P_TMIN]
    neighbours = int(params[P_NEIGHBOURS])
    for _ in range(iterations):
        best_op, best_a, best_b, best_val = -1, 0, 0, np.int64(1) << 62
        for _k in range(neighbours):
            op, a, b = random_move(perm, params, rng)
            apply_move(perm, op, a, b)
            value = makespan(p, perm, n)
            undo_move(perm, op, a, b)
            if value < best_val:
                best_op, best_a, best_b, best_val = op, a, b, value
        counts[best_op, 0] += 1
        fstate[F_WIN_PROPOSED] += 1
        delta = best_val - vals[0]
        t = fstate[F_T]
        if delta <= 0 or (t > 0 and rand_float(rng) < math.exp(-delta / t)):
            counts[best_op, 1] += 1
            fstate[F_WIN_ACCEPTED] += 1
            apply_move(perm, best_op, best_a, best_b)
            vals[0] = best_val
            if best_val < vals[1]:
                vals[1] = best_val
                best_perm[:] = perm
        if schedule == 0:
            t *= rate
        elif schedule == 1:
            t -= (1.0 - rate) * fstate[F_T0]
        elif fstate[F_WIN_PROPOSED] >= ADAPTIVE_WINDOW:
            if fstate[F_WIN_ACCEPTED] / fstate[F_WIN_PROPOSED] > params[P_TARGET]:
                t *= rate
            else:
                t /= rate
            fstate[F_WIN_PROPOSED] = 0.0
            fstate[F_WIN_ACCEPTED] = 0.0
        fstate[F_T] = max(t, t_min)
