"""The adaptive controller: acts between chunks when the search stalls."""

from __future__ import annotations

from typing import Any

from solvers import records
from solvers._base import Search
from solvers.config import SAConfig, SolverConfig, TabuConfig

TENURE_GROWTH = 1.5  # factor applied to the tabu tenure on each stall


class Controller:
    """Watches the best objective; after `stall_limit` iterations without a new best it
    reheats (SA), raises the tenure (tabu with `adaptive_tenure`) or restarts from the best.

    `after_chunk` returns the actions taken as `(event name, detail)` pairs.
    """

    def __init__(self, config: SolverConfig) -> None:
        self.config = config
        self.best = float("inf")
        self.last_improvement = 0
        self.tenure_raised = False

    def after_chunk(self, search: Search, iteration: int, best: float) -> list[tuple[str, dict[str, Any]]]:
        actions: list[tuple[str, dict[str, Any] | None]] = []
        if best < self.best:
            self.best, self.last_improvement = best, iteration
            if self.tenure_raised:
                actions.append((records.EVENT_TENURE, search.scale_tenure(0.0)))
                self.tenure_raised = False
        limit = self.config.stall_limit
        if limit and iteration - self.last_improvement >= limit:
            self.last_improvement = iteration
            actions.append(self._on_stall(search))
        return [(name, detail) for name, detail in actions if detail is not None]

    def _on_stall(self, search: Search) -> tuple[str, dict[str, Any] | None]:
        cfg = self.config
        if isinstance(cfg, SAConfig):
            return records.EVENT_REHEAT, search.reheat(cfg.reheat_factor)
        if isinstance(cfg, TabuConfig) and cfg.adaptive_tenure:
            self.tenure_raised = True
            return records.EVENT_TENURE, search.scale_tenure(TENURE_GROWTH)
        return records.EVENT_RESTART, search.restart_from_best()
