"""Flow shop kernels: makespan, Taillard's accelerated insertion, NEH, insertion local search.

Conventions for every kernel here:
  p     int64 (n, m): processing time of job j on machine r (job-major, 0-based jobs);
  seq   int64 (>= k,): a (partial) permutation, the first k entries used;
  e, q  int64 (n + 1, m) workspaces for heads and tails (contents overwritten);
  f     int64 (n + 1,) workspace / output of makespans per insertion position;
  rng   uint64 (1,) state of `solvers._rng`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._rng import rand_below, shuffle


@njit(cache=True, nogil=True)
def makespan(p, seq, k):
    """Makespan of the first k jobs of `seq` (int)."""
    m = p.shape[1]
    c = np.zeros(m, dtype=np.int64)
    for i in range(k):
        job = seq[i]
        c[0] += p[job, 0]
        for r in range(1, m):
            c[r] = max(c[r], c[r - 1]) + p[job, r]
    return c[m - 1]


@njit(cache=True, nogil=True)
def insertion_makespans(p, seq, k, job, e, q, f):
    """Makespan of inserting `job` at every position 0..k of the k-job sequence, in O(k m).

    Taillard (1990): heads e[i, r] (completion of the first i jobs), tails q[i, r] (from the
    start of job i to the end); inserting at position i gives max_r (f_r + q[i, r]) where
    f_r = max(f_{r-1}, e[i, r]) + p[job, r]. Fills f[0..k].
    """
    m = p.shape[1]
    for r in range(m):
        e[0, r] = 0
        q[k, r] = 0
    for i in range(1, k + 1):
        j = seq[i - 1]
        e[i, 0] = e[i - 1, 0] + p[j, 0]
        for r in range(1, m):
            e[i, r] = max(e[i, r - 1], e[i - 1, r]) + p[j, r]
    for i in range(k - 1, -1, -1):
        j = seq[i]
        q[i, m - 1] = q[i + 1, m - 1] + p[j, m - 1]
        for r in range(m - 2, -1, -1):
            q[i, r] = max(q[i, r + 1], q[i + 1, r]) + p[j, r]
    for i in range(k + 1):
        fr = e[i, 0] + p[job, 0]
        best = fr + q[i, 0]
        for r in range(1, m):
            fr = max(fr, e[i, r]) + p[job, r]
            v = fr + q[i, r]
            if v > best:
                best = v
        f[i] = best


@njit(cache=True, nogil=True)
def best_insertion(p, seq, k, job, e, q, f):
    """(position, makespan) of the best insertion of `job` into seq[:k]; first best on ties."""
    insertion_makespans(p, seq, k, job, e, q, f)
    pos = 0
    for i in range(1, k + 1):
        if f[i] < f[pos]:
            pos = i
    return pos, f[pos]


@njit(cache=True, nogil=True)
def insert_at(seq, k, pos, job):
    """Insert `job` at `pos` of seq[:k] (seq must have room for k + 1)."""
    for i in range(k, pos, -1):
        seq[i] = seq[i - 1]
    seq[pos] = job


@njit(cache=True, nogil=True)
def remove_at(seq, k, pos):
    """Remove and return seq[pos] from seq[:k]."""
    job = seq[pos]
    for i in range(pos, k - 1):
        seq[i] = seq[i + 1]
    return job


@njit(cache=True, nogil=True)
def position_of(seq, job):
    """Index of `job` in `seq` (which must hold it)."""
    pos = 0
    while seq[pos] != job:
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def neh(p, order, seq, e, q, f):
    """NEH: insert jobs in `order` one by one at their best position; returns the makespan.

    `order` int64 (n,) is the priority order (classic NEH: decreasing total time); the
    permutation is written to `seq` (n,).
    """
    n = order.shape[0]
    seq[0] = order[0]
    cmax = makespan(p, seq, 1)
    for k in range(1, n):
        pos, cmax = best_insertion(p, seq, k, order[k], e, q, f)
        insert_at(seq, k, pos, order[k])
    return cmax


@njit(cache=True, nogil=True)
def insertion_local_search(p, seq, k, cmax, full, order, e, q, f, rng):
    """Iterative improvement by insertion (Ruiz & Stuetzle 2007) on seq[:k].

    Takes each job once in a random order, removes it and reinserts it at its best position
    if that is strictly better (else where it was); repeats while a pass improved (`full`,
    ending in a local optimum of the insertion neighbourhood) or stops after one pass.
    Returns the makespan.
    `order` int64 (>= k,) workspace.
    """
    improved = True
    while improved:
        improved = False
        for i in range(k):
            order[i] = seq[i]
        shuffle(rng, order[:k])
        for i in range(k):
            job = order[i]
            pos = position_of(seq, job)
            remove_at(seq, k, pos)
            new_pos, value = best_insertion(p, seq, k - 1, job, e, q, f)
            if value < cmax:
                cmax = value
                improved = True
                pos = new_pos
            insert_at(seq, k - 1, pos, job)
        if not full:
            break
    return cmax


@njit(cache=True, nogil=True)
def random_order_neh(p, seq, order, e, q, f, rng):
    """NEH with a random priority order (for multi-start); returns the makespan."""
    for i in range(order.shape[0]):
        order[i] = i
    shuffle(rng, order)
    return neh(p, order, seq, e, q, f)


@njit(cache=True, nogil=True)
def random_removal(seq, k, d, removed, rng):
    """Remove d random jobs from seq[:k] into removed[:d]; returns the new length."""
    for t in range(d):
        removed[t] = remove_at(seq, k, rand_below(rng, k))
        k -= 1
    return k
