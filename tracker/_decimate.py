"""Choosing which step records become MLflow metric points: every improvement plus even spacing.

The MLflow series of a run is append-only and live, so the choice is made as records stream
in, without knowing how many will come. Half of the budget goes to evenly spaced records,
spaced by a stride that covers the expected number of records (a hint from the solver's
iteration or time limit; without one the horizon is assumed to double, so the budget is
never exhausted early); the rest goes to improvements of the best value, which are always
kept while the budget lasts. One slot is kept for the last record.
"""

from __future__ import annotations

import math

import numpy as np


class Decimator:
    """Stateful row selector over a stream of batches; the same rows are kept for every metric."""

    def __init__(
        self,
        points_per_metric: int,
        *,
        minimize: bool = True,
        expected_records: int | None = None,
    ) -> None:
        if points_per_metric < 4:
            raise ValueError(f"points_per_metric must be >= 4 but got {points_per_metric}.")
        self.budget = points_per_metric
        self.spaced_budget = points_per_metric // 2
        self.minimize = minimize
        self.expected_records = expected_records
        self.seen = 0  # records offered so far
        self.kept = 0  # records selected so far (excluding the final one)
        self.spaced_kept = 0
        self.improvements_kept = 0
        self.improvements_dropped = 0
        self._next_spaced = 0
        self._best = math.inf if minimize else -math.inf
        self._last_kept = -1

    def set_expected_records(self, expected: int | None) -> None:
        """Update the horizon (a solver under a time limit refines it as it goes)."""
        self.expected_records = expected

    def _stride(self, n: int, remaining: int, last: bool) -> int:
        if remaining <= 0:
            return 0
        if self.expected_records is not None and self.expected_records >= self.seen + n:
            # a known horizon: one fixed stride over the whole run, so the spacing is even
            return max(1, math.ceil(self.expected_records / self.spaced_budget))
        if last:  # the whole rest of the run is in this batch: space it exactly
            return max(1, math.ceil(n / remaining))
        # no hint, or past it: assume the run lasts as long again and keep half for later
        return max(1, math.ceil((self.seen + 2 * n) / max(remaining / 2.0, 1.0)))

    def select(self, best: np.ndarray | None, n: int, *, last: bool = False) -> np.ndarray:
        """Offsets (0..n-1) of the rows of the next batch of `n` records that are kept.

        `last` says no record follows this batch, so its spacing may use all the room left.
        """
        start = self.seen
        room = self.budget - 1 - self.kept  # one slot stays free for the final record
        improving = np.empty(0, np.int64)
        if best is not None and n:
            improving = self._improvements(np.asarray(best, dtype=np.float64))
            take = improving[: max(0, room)]
            self.improvements_dropped += int(improving.size - take.size)
            self.improvements_kept += int(take.size)
            improving = take
            room -= int(take.size)
        hinted = self.expected_records is not None and self.expected_records >= self.seen + n
        spaced_room = room if last and not hinted else min(room, self.spaced_budget - self.spaced_kept)
        spaced = np.empty(0, np.int64)
        stride = self._stride(n, spaced_room, last)
        if stride:
            first = max(self._next_spaced, start)
            spaced = np.arange(first, start + n, stride, dtype=np.int64)[:spaced_room]
            if spaced.size:
                self._next_spaced = int(spaced[-1]) + stride
                spaced = spaced - start
        rows = np.union1d(improving, spaced).astype(np.int64)
        self.spaced_kept += int(rows.size - improving.size)
        self.seen += n
        self.kept += int(rows.size)
        if rows.size:
            self._last_kept = start + int(rows[-1])
        return rows

    def _improvements(self, best: np.ndarray) -> np.ndarray:
        values = best if self.minimize else -best
        carry = self._best if self.minimize else -self._best
        finite = np.where(np.isnan(values), np.inf, values)
        prior = np.minimum.accumulate(np.concatenate(([carry], finite)))[:-1]
        improved = np.flatnonzero(finite < prior)
        if finite.size:
            running = float(min(carry, finite.min()))
            self._best = running if self.minimize else -running
        return improved

    def needs_final(self) -> bool:
        """Whether the last record seen is not yet kept (it gets the reserved slot)."""
        return self.seen > 0 and self._last_kept != self.seen - 1
