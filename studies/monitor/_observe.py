"""What the monitor sees: a study's snapshot from its Optuna trials, a solve run's from its live series.

`summarize_study` is pure (trials and attrs in, a snapshot and the per-trial history out), so
every figure the live view and the alert rules use can be tested on constructed trials. The
readers open each store once and re-read it at every refresh.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState
from pydantic import BaseModel

from studies.monitor._evaluate import Observation
from studies.pruners import spend_of
from studies.queries import StudyFigures, TrialCounts, open_study, study_state
from studies.spec import StudySpec
from studies.vocabulary import COUNTED_STATES, Attr, StudyState, best_trial, best_value
from studies.settings import Settings
from tracker import Tracker

SOLVE_SERIES = ("best", "current", "temperature")


class StudySnapshot(StudyFigures):
    """A study at one refresh: what `monitor --json` prints and the live view shows."""

    kind: str = "study"
    budget_fraction: float | None
    rate_per_min: float | None
    workers_alive: int
    workers_lost: int
    failure_rate: float | None
    trials_since_best: int | None
    at: float

    def values(self) -> dict[str, float]:
        """The figures alert rules may name (see `studies.monitor._rules.METRICS`)."""
        t = self.trials
        out: dict[str, float] = {
            "complete": t.complete, "pruned": t.pruned, "failed": t.failed, "running": t.running,
            "finished": t.complete + t.pruned + t.failed, "spend": self.spend, "workers": self.workers_alive,
            "workers_lost": self.workers_lost,
        }
        optional = {"best": self.best_value, "budget": self.budget_fraction, "failure_rate": self.failure_rate,
                    "rate": self.rate_per_min, "elapsed": self.elapsed_s}
        out.update({k: float(v) for k, v in optional.items() if v is not None})
        return out


class RunSnapshot(BaseModel):
    """A solve (or any) run at one refresh: its status and the latest point of its live series."""

    kind: str = "run"
    run_id: str
    name: str | None
    status: str
    metrics: dict[str, float]
    steps: int
    at: float

    def values(self) -> dict[str, float]:
        return dict(self.metrics)


def _stamp(trial: FrozenTrial) -> float | None:
    return trial.datetime_complete.timestamp() if trial.datetime_complete else None


def lost_to_dead_workers(trials: Sequence[FrozenTrial]) -> int:
    """Failed trials the objective did not fail: a dead or stale worker's trial, failed for it by a survivor.

    `run_trial` records every failure it sees (`Attr.ERROR`); a trial failed without that attr
    was failed by the runner or by Optuna's heartbeat check because its worker was gone.
    """
    return sum(t.state == TrialState.FAIL and Attr.ERROR not in t.user_attrs for t in trials)


def summarize_study(
    name: str, spec: StudySpec, attrs: dict[str, Any], trials: Sequence[FrozenTrial], state: StudyState,
    now: float | None = None,
) -> tuple[StudySnapshot, list[Observation]]:
    """The snapshot of a study and its history: one observation per finished trial, then now."""
    now = time.time() if now is None else now
    counts = TrialCounts(
        complete=sum(t.state == TrialState.COMPLETE for t in trials),
        pruned=sum(t.state == TrialState.PRUNED for t in trials),
        failed=sum(t.state == TrialState.FAIL for t in trials),
        running=sum(t.state == TrialState.RUNNING for t in trials),
        waiting=sum(t.state == TrialState.WAITING for t in trials),
    )
    direction = spec.direction
    best = best_trial(trials, direction)
    target = int(attrs.get(Attr.TARGET, spec.budget.n_trials))
    started = attrs.get(Attr.STARTED_AT)
    finished_at = attrs.get(Attr.FINISHED_AT) if state.is_finished() else None
    elapsed = ((finished_at or now) - float(started)) if started else None
    finished = sorted((t for t in trials if t.state.is_finished() and _stamp(t) is not None), key=_stamp)
    history: list[Observation] = []
    best_so_far: float | None = None
    for index, trial in enumerate(finished, start=1):
        values: dict[str, float] = {}
        if trial.state == TrialState.COMPLETE and trial.values is not None and len(trial.values) == 1:
            value = trial.values[0]  # a multi-objective trial has no one value (`trial.value` raises)
            best_so_far = value if best_so_far is None else best_value([best_so_far, value], direction)
            values["value"] = value
        if best_so_far is not None:
            values["best"] = best_so_far
        history.append(Observation(index, _stamp(trial), values))
    counted = sum(t.state in COUNTED_STATES for t in trials)
    rate = (len(finished) / (elapsed / 60.0)) if elapsed and elapsed > 0 and finished else None
    eta = None
    if state is StudyState.RUNNING and rate:
        eta = max(0, target - counted) / rate * 60.0
    running = [t for t in trials if t.state == TrialState.RUNNING]
    tagged = {t.user_attrs.get(Attr.WORKER) for t in running if Attr.WORKER in t.user_attrs}
    workers = len(tagged) + sum(Attr.WORKER not in t.user_attrs for t in running)
    spend = spend_of(trials)
    since_best = None
    if best is not None:
        since_best = sum(1 for t in finished if _stamp(t) > (_stamp(best) or 0))
    snapshot = StudySnapshot(
        name=name, state=state, direction=direction, target_trials=target, trials=counts,
        best_value=best.value if best else None, best_trial=best.number if best else None, spend=spend,
        budget_cost=spec.budget.cost, budget_fraction=(spend / spec.budget.cost) if spec.budget.cost else None,
        elapsed_s=elapsed, rate_per_min=rate, eta_s=eta, workers_alive=workers,
        workers_lost=lost_to_dead_workers(trials),
        failure_rate=(counts.failed / len(finished)) if finished else None, trials_since_best=since_best,
        parent_run_id=attrs.get(Attr.PARENT_RUN_ID), experiment_id=attrs.get(Attr.EXPERIMENT_ID), at=now,
    )
    history.append(Observation(len(finished), now, snapshot.values()))
    return snapshot, history


class StudyReader:
    """One study, opened once; `read()` re-reads its attrs and trials."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.study, self.spec = open_study(name, settings)

    def read(self) -> tuple[StudySnapshot, list[Observation]]:
        attrs = self.study.user_attrs
        trials = self.study.get_trials(deepcopy=False)
        return summarize_study(self.name, self.spec, attrs, trials, study_state(self.study))

    @property
    def record_run_id(self) -> str | None:
        """The run alerts are recorded on: the study run."""
        return self.study.user_attrs.get(Attr.PARENT_RUN_ID)


class RunReader:
    """One MLflow run (a solve, usually); `read()` takes its latest metrics and live series."""

    def __init__(self, run_id: str, tracker: Tracker) -> None:
        self.tracker = tracker
        self.run_id = run_id
        self.name = run_id
        self.record_run_id = run_id
        self.tracker.run_brief(run_id)  # fails early on an unknown id

    def read(self) -> tuple[RunSnapshot, list[Observation]]:
        brief = self.tracker.run_brief(self.run_id)
        by_step: dict[int, dict[str, float]] = {}
        stamps: dict[int, float] = {}
        for key in [k for k in SOLVE_SERIES if k in brief.metrics]:
            for point in self.tracker.metric_series(self.run_id, key):
                by_step.setdefault(point.step, {})[key] = point.value
                stamps[point.step] = max(stamps.get(point.step, 0.0), point.timestamp_ms / 1000.0)
        now = time.time()
        history = [Observation(step, stamps[step], values) for step, values in sorted(by_step.items())]
        snapshot = RunSnapshot(run_id=brief.run_id, name=brief.name, status=brief.status, metrics=brief.metrics,
                               steps=max(by_step) if by_step else 0, at=now)
        history.append(Observation(snapshot.steps, now, snapshot.values()))
        return snapshot, history


def study_names(settings: Settings) -> list[str]:
    """Every study in the storage (for `--filter` patterns)."""
    from studies.storage import get_storage

    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    return [s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)]
