"""Plain-Python reference implementations the flow shop kernels are checked against."""

from __future__ import annotations

MASK = (1 << 64) - 1


def makespan(p, seq) -> int:
    """Completion time of the last job on the last machine, by the textbook recursion."""
    m = len(p[0])
    c = [0] * m
    for job in seq:
        for r in range(m):
            c[r] = max(c[r], c[r - 1] if r else 0) + p[job][r]
    return c[-1] if seq else 0


def all_insertions(p, seq, job) -> list[int]:
    """Makespan of inserting `job` at every position of `seq`, by brute force."""
    return [makespan(p, seq[:i] + [job] + seq[i:]) for i in range(len(seq) + 1)]


def neh(p, order) -> tuple[list[int], int]:
    """NEH with first-best tie-breaking."""
    seq = [order[0]]
    for job in order[1:]:
        values = all_insertions(p, seq, job)
        pos = values.index(min(values))
        seq.insert(pos, job)
    return seq, makespan(p, seq)


def xorshift64star(state: int) -> tuple[int, int]:
    """(new state, output) of one xorshift64* step, as in `solvers._rng.next_u64`."""
    x = state
    x ^= x >> 12
    x ^= (x << 25) & MASK
    x ^= x >> 27
    return x, (x * 0x2545F4914F6CDD1D) & MASK
