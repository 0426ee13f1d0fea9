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
reference-count calls, so it indexes the 2-D arrays. Job numbers and the indices of
downward loops are cast to `np.uintp` where they index: they are never negative, and an
unsigned index spares the negative-index wraparound numba adds to every signed one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solvers._jit import first, lane, lane_in_vector, max_add, vadd, vmax
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
    if e.shape[1] != m or q.shape[1] != m:  # also lets LLVM keep one row length in a register
        raise ValueError("insertion_makespans: e and q must have p's number of machines as columns")
    for r in range(m):
        e[0, r] = 0
        q[k, r] = 0
    head = lane(e[0, 0])
    for i in range(1, k + 1):
        j = np.uintp(seq[i - 1])
        head = vadd(head, lane(p[j, 0]))
        acc = head
        e[i, 0] = first(acc)
        for r in range(1, m):
            acc = max_add(acc, lane(e[i - 1, r]), lane(p[j, r]))
            e[i, r] = first(acc)
    last = np.uintp(m - 1)
    tail = lane(q[k, last])
    for i in range(k - 1, -1, -1):
        row = p[np.uintp(seq[np.uintp(i)])]
        qi = q[np.uintp(i)]
        qn = q[np.uintp(i + 1)]
        tail = vadd(tail, lane(row[last]))
        acc = tail
        qi[last] = first(acc)
        for r in range(m - 2, -1, -1):
            v = np.uintp(r)
            acc = max_add(acc, lane(qn[v]), lane(row[v]))
            qi[v] = first(acc)
    jb = np.uintp(job)
    pj0 = lane(p[jb, 0])
    for i in range(k + 1):
        fr = vadd(lane_in_vector(e[i, 0]), pj0)
        best = vadd(fr, lane(q[i, 0]))
        for r in range(1, m):
            fr = max_add(fr, lane(e[i, r]), lane(p[jb, r]))
            best = vmax(best, vadd(fr, lane(q[i, r])))
        f[i] = first(best)


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
