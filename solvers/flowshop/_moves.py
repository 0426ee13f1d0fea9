"""Flow shop move kernels: makespan, Taillard's accelerated insertion, insertion local search.

Conventions for every kernel here (no kernel allocates; workspaces are passed in):
  p     (n, m) processing times of job j on machine r, int32 (int64 only when the sum of
        all times would overflow int32); every workspace below has p's dtype;
  seq   int32 (>= k,): a (partial) permutation, the first k entries used;
  c     (m,) workspace of machine completion times;
  e, q  (n + 1, m) workspaces for heads and tails (contents overwritten);
  f     (n + 1,) workspace / output of makespans per insertion position;
  rng   uint64 (1,) state of `solvers._rng`.

The `max(a, b) + x` chains run on `solvers._jit` Lanes (vector max, as gcc emits for the
same loops); the arithmetic and results are those of plain integers. The first machine's
running sum (last machine's for tails) is carried in a Lane from job to job, as in the C
reference, rather than reloaded: a value crossing from a general register into a vector one
at the start of every row costs more than the row's own work at m = 5.
`insertion_makespans` is inlined into its callers (as gcc inlines it): a call passes every
array as a dozen stack words, and long-lived row views (e[0], q[k], p[job]) cost
reference-count calls. It reads and writes through `data_pointer`s with row offsets
`i * m + r` it computes itself, as the C does: indexing the 2-D arrays made numba reload
three arrays' shapes and data from the stack on every row, and one row offset serves e and
q alike. Its machine loops are bottom-tested (`while True` ... `break`), which needs m >= 2
(m = 1 has its own short path) and spares a per-row "is there a machine 1" test.
Job numbers and the indices of downward loops are cast to `np.uintp` where they index:
they are never negative, and an unsigned index spares the negative-index wraparound numba
adds to every signed one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._jit import data_pointer, first, lane, lane_in_vector, max_add, vadd, vmax
from solvers._rng import rand_below, shuffle


@njit(cache=True, nogil=True)
def makespan(p, seq, k, c):
    """Makespan of the first k jobs of `seq`, using the (m,) workspace `c`."""
    m = p.shape[1]
    for r in range(m):
        c[r] = 0
    c0 = lane(c[0])
    for i in range(k):
        row = p[np.uintp(seq[i])]
        c0 = vadd(c0, lane(row[0]))
        acc = c0
        c[0] = first(acc)
        for r in range(1, m):
            acc = max_add(acc, lane(c[r]), lane(row[r]))
            c[r] = first(acc)
    return c[m - 1]


@njit(cache=True, nogil=True, inline="always")
def insertion_makespans(p, seq, k, job, e, q, f):
    """Makespan of inserting `job` at every position 0..k of the k-job sequence, in O(k m).

    Taillard (1990): heads e[i, r] (completion of the first i jobs), tails q[i, r] (from the
    start of job i to the end); inserting at position i gives max_r (f_r + q[i, r]) where
    f_r = max(f_{r-1}, e[i, r]) + p[job, r]. Fills f[0..k].
    """
    m = p.shape[1]
    if e.shape[1] != m or q.shape[1] != m or e.shape[0] <= k or q.shape[0] <= k or f.shape[0] <= k:
        raise ValueError("insertion_makespans: e and q must be (>= k + 1, m) and f (>= k + 1,) for p (n, m)")
    P = data_pointer(p)
    E = data_pointer(e)
    Q = data_pointer(q)
    F = data_pointer(f)
    jb = np.uintp(job) * m
    if m == 1:  # every position gives the sum of all times; the loops below need a machine 1
        total = P[jb]
        for i in range(k):
            total += P[np.uintp(seq[i])]
        for i in range(k + 1):
            F[i] = total
        return
    km = k * m
    for r in range(m):
        E[r] = 0
        Q[km + r] = 0
    head = lane(E[0])
    prev = 0
    for i in range(k):
        row = prev + m
        pj = np.uintp(seq[i]) * m
        head = vadd(head, lane(P[pj]))
        acc = head
        E[row] = first(acc)
        r = 1
        while True:
            acc = max_add(acc, lane(E[prev + r]), lane(P[pj + r]))
            E[row + r] = first(acc)
            r += 1
            if r == m:
                break
        prev = row
    last = m - 1
    tail = lane(Q[km + last])
    nxt = km
    for i in range(k - 1, -1, -1):
        row = nxt - m
        pj = np.uintp(seq[np.uintp(i)]) * m
        tail = vadd(tail, lane(P[pj + last]))
        acc = tail
        Q[row + last] = first(acc)
        r = last
        while True:
            r -= 1
            acc = max_add(acc, lane(Q[nxt + r]), lane(P[pj + r]))
            Q[row + r] = first(acc)
            if r == 0:
                break
        nxt = row
    pj0 = lane(P[jb])
    row = 0
    for i in range(k + 1):
        fr = vadd(lane_in_vector(E[row]), pj0)
        best = vadd(fr, lane(Q[row]))
        r = 1
        while True:
            fr = max_add(fr, lane(E[row + r]), lane(P[jb + r]))
            best = vmax(best, vadd(fr, lane(Q[row + r])))
            r += 1
            if r == m:
                break
        F[i] = first(best)
        row += m


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
def insertion_local_search(p, seq, k, cmax, full, order, e, q, f, rng):
    """Iterative improvement by insertion (Ruiz & Stuetzle 2007) on seq[:k].

    Takes each job once in a random order, removes it and reinserts it at its best position
    if that is strictly better (else where it was); repeats while a pass improved (`full`,
    ending in a local optimum of the insertion neighbourhood) or stops after one pass.
    Returns the makespan. `order` int32 (>= k,) workspace.
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
def random_removal(seq, k, d, removed, rng):
    """Remove d random jobs from seq[:k] into removed[:d]; returns the new length."""
    for t in range(d):
        removed[t] = remove_at(seq, k, rand_below(rng, k))
        k -= 1
    return k
