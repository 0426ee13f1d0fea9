"""The decimator's promises on any stream: bounded points, every improvement, the last record."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker._decimate import Decimator


def _run(best: np.ndarray, cuts: list[int], budget: int, expected: int | None) -> set[int]:
    decimator = Decimator(budget, expected_records=expected)
    kept: set[int] = set()
    bounds = sorted({0, len(best), *[c % (len(best) + 1) for c in cuts]})
    for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        last = i == len(bounds) - 2
        kept.update(lo + int(r) for r in decimator.select(best[lo:hi], hi - lo, last=last))
    if decimator.needs_final():
        kept.add(len(best) - 1)
    return kept


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 20_000),
    budget=st.integers(10, 400),
    n_improvements=st.integers(0, 60),
    cuts=st.lists(st.integers(0, 20_000), max_size=30),
    hinted=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_bounded_with_every_improvement_and_the_last(n, budget, n_improvements, cuts, hinted, seed) -> None:
    rng = np.random.default_rng(seed)
    drops = np.zeros(n)
    k = min(n_improvements, n - 1)
    if k:
        drops[rng.choice(np.arange(1, n), size=k, replace=False)] = 1.0
    best = 100.0 - np.cumsum(drops)
    kept = _run(best, cuts, budget, n if hinted else None)
    assert len(kept) <= budget
    assert n - 1 in kept
    improvements = {0} | {i for i in range(1, n) if best[i] < best[i - 1]}
    if len(improvements) <= budget // 2:
        assert improvements <= kept


def test_hinted_spacing_is_even() -> None:
    n, budget = 10_000, 101
    kept = sorted(_run(np.full(n, 5.0), list(range(0, n, 700)), budget, n))
    gaps = np.diff(kept[:-1])
    assert gaps.min() == gaps.max(), "evenly spaced when the number of records is known"
    assert len(kept) >= budget // 2


def test_maximize_tracks_increases() -> None:
    decimator = Decimator(20, minimize=False)
    rows = decimator.select(np.array([1.0, 0.5, 2.0, 2.0, 3.0]), 5, last=False)
    assert {0, 2, 4} <= set(rows.tolist())
