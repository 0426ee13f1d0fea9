"""`TrialContext`: what an objective receives, a trial-like object that also records to MLflow."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterator
from typing import Any

import optuna

from studies.vocabulary import Attr
from tracker import TrackedRun, store_seconds


class TrialTimeout(RuntimeError):
    """A trial ran past the study's `trial_timeout_s`."""


class TrialContext:
    """Wraps an Optuna trial: sampled `params`, `report`/`should_prune`, and the trial's MLflow run.

    `report(value, step)` also writes the value as the trial run's `metric` series (step =
    instance index or epoch), at most once per `flush_interval_s` so a fast trial sends its
    series with the run's closing store call; under a cost budget it also updates the trial's
    cost, so the budget sees spend as it happens.

    In a multi-objective study Optuna keeps no intermediate values and prunes nothing itself:
    `report` records the series only, and `should_prune` asks the study's pruner (a cost budget
    at most; the spec refuses the others) about the values reported here.
    """

    def __init__(
        self, trial: optuna.Trial, run: TrackedRun, params: dict[str, Any], *, metric: str, cost_rate: float,
        timeout_s: float | None, live_cost: bool = True, flush_interval_s: float = 2.0,
        multi_objective: bool = False,
    ) -> None:
        self.trial = trial
        self.run = run
        self.params = dict(params)
        self.metric = metric
        self.cost_rate = cost_rate
        self._timeout_s = timeout_s
        self._live_cost = live_cost  # a cost budget needs the spend as it happens
        self._multi_objective = multi_objective
        self._started = time.monotonic()
        self._store_started = store_seconds()  # time in tracking calls is not the trial's cost
        self._storage_s = 0.0  # nor time in the study storage's calls made here
        self._flush_interval_s = flush_interval_s
        self._flushed_at = self._started
        self._unsent: dict[int, float] = {}
        self.values: dict[int, float] = {}

    @property
    def number(self) -> int:
        return self.trial.number

    # trial-like API --------------------------------------------------------------------
    def suggest_float(self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False) -> float:
        return self.params.get(name) if name in self.params else self.trial.suggest_float(name, low, high, step=step, log=log)

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        return self.params.get(name) if name in self.params else self.trial.suggest_int(name, low, high, step=step, log=log)

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        return self.params.get(name) if name in self.params else self.trial.suggest_categorical(name, choices)

    def report(self, value: float, step: int) -> None:
        """Report an intermediate value (per instance or per epoch) to Optuna and MLflow."""
        self.values[step] = float(value)
        with self._in_storage():
            if self._live_cost:
                self.trial.set_user_attr(Attr.COST, self.cost())
            if not self._multi_objective:
                self.trial.report(float(value), step)
        self._unsent[step] = float(value)
        if time.monotonic() - self._flushed_at >= self._flush_interval_s:
            self.flush()
        if self._timeout_s is not None and self.elapsed() > self._timeout_s:
            raise TrialTimeout(f"trial {self.number} ran {self.elapsed():.1f} s, past trial_timeout_s={self._timeout_s}")

    def flush(self, *, at_close: bool = False) -> None:
        """Send reported values not yet in MLflow (`at_close`: with the run's closing call)."""
        if self._unsent:
            self.run.log_series(self.metric, self._unsent, defer=at_close)
            self._unsent = {}
        self._flushed_at = time.monotonic()

    def should_prune(self) -> bool:
        with self._in_storage():
            if not self._multi_objective:
                return self.trial.should_prune()
            study = self.trial.study
            frozen = copy.copy(study._storage.get_trial(self.trial._trial_id))
            frozen.intermediate_values = dict(self.values)
            return study.pruner.prune(study, frozen)

    def set_user_attr(self, key: str, value: Any) -> None:
        with self._in_storage():
            self.trial.set_user_attr(key, value)

    @contextlib.contextmanager
    def _in_storage(self) -> Iterator[None]:
        """Time in the study storage's calls (and the pruner's reads): not the trial's cost."""
        started = time.monotonic()
        try:
            yield
        finally:
            self._storage_s += time.monotonic() - started

    # bookkeeping -----------------------------------------------------------------------
    def elapsed(self) -> float:
        """Seconds of the trial's own work: wall time less this thread's time in tracking calls (outages
        included) and in the study storage's calls made through this context."""
        return time.monotonic() - self._started - (store_seconds() - self._store_started) - self._storage_s

    def cost(self) -> float:
        """Cost units spent by this trial so far: wall seconds x the configured rate."""
        return self.elapsed() * self.cost_rate
