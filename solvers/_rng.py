"""Explicit random-number state for kernels: a xorshift64* stream held in a uint64 array.

Each solve owns its stream (`seed_state(seed)`), passes it into every kernel call and gets it
back advanced, so a run is reproducible and parallel workers never share a stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MASK = (1 << 64) - 1
_MULT = np.uint64(0x2545F4914F6CDD1D)


def seed_state(seed: int, stream: int = 0) -> np.ndarray:
    """A fresh RNG state, shape (1,) uint64, from `seed` (and a stream index) via splitmix64."""
    x = (int(seed) * 0x9E3779B97F4A7C15 + int(stream) * 0xD1B54A32D192ED03 + 0x632BE59BD9B4E019) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    x ^= x >> 31
    return np.array([x or 0x9E3779B97F4A7C15], dtype=np.uint64)


@njit(cache=True, nogil=True)
def next_u64(state):
    """Advance `state` (uint64[1]) and return 64 random bits."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * _MULT


@njit(cache=True, nogil=True)
def rand_float(state):
    """Uniform float64 in [0, 1)."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def rand_below(state, n):
    """Uniform int64 in [0, n) for n >= 1."""
    return np.int64(rand_float(state) * n)


@njit(cache=True, nogil=True)
def shuffle(state, a):
    """Fisher-Yates shuffle of a 1-D array in place."""
    for i in range(a.shape[0] - 1, 0, -1):
        j = rand_below(state, i + 1)
        a[i], a[j] = a[j], a[i]
