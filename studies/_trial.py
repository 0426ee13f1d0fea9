"""Running one trial: heartbeat, objective, the state Optuna and MLflow both record, retries.

The one place where `TrialPruned` becomes PRUNED, any other exception FAIL and an interrupt
FAIL-then-re-raise, for Optuna (via `tell`) and MLflow (via the trial run's state) alike.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from studies._recording import StudyRecorder
from studies.objectives import TrialContext, evaluate
from studies.pruners import CostBudgetPruner, RacingPruner, find
from studies.space import suggest
from studies.spec import StudySpec
from studies.vocabulary import Attr, Metric
from tracker import RunState, Tag, redact_text

log = logging.getLogger(__name__)


def worker_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Heartbeat:
    """Records the running trial's heartbeat every interval so a dead worker's trial can be detected.

    One thread per storage and process, started with the first trial and ended after an interval
    without one: a trial starts no thread of its own, and its first beat is written beside it.
    """

    _by_storage: dict[int, "_Heartbeat"] = {}
    _lock = threading.Lock()

    def __init__(self, storage: Any, interval: float) -> None:
        self._storage, self._interval = storage, interval
        self._trial_id: int | None = None
        self._closed = False
        self._changed = threading.Condition()
        threading.Thread(target=self._beat, name="tunetrack-heartbeat", daemon=True).start()

    @classmethod
    @contextlib.contextmanager
    def of(cls, study: optuna.Study, trial_id: int) -> Iterator[None]:
        """Beat for `trial_id` while the block runs (nothing if the storage has no heartbeat)."""
        storage = study._storage
        interval = getattr(storage, "get_heartbeat_interval", lambda: None)()
        if not interval:
            yield
            return
        with cls._lock:
            beat = cls._by_storage.get(id(storage))
            if beat is None or beat._storage is not storage or not beat._follow(trial_id):
                beat = cls._by_storage[id(storage)] = cls(storage, interval)
                beat._follow(trial_id)
        try:
            yield
        finally:
            beat._follow(None)

    def _follow(self, trial_id: int | None) -> bool:
        """Beat for `trial_id` from now on (None: no trial); False if this thread has ended."""
        with self._changed:
            if self._closed:
                return False
            self._trial_id = trial_id
            self._changed.notify()
            return True

    def _beat(self) -> None:
        beaten: int | None = None
        while True:
            with self._changed:
                if self._trial_id is None or self._trial_id == beaten:  # wait for a new trial or the interval
                    self._changed.wait(self._interval)
                if self._trial_id is None:
                    if beaten is None:  # a whole interval without a trial: the worker is done
                        self._closed = True
                        break
                    beaten = None
                    continue
                trial_id = beaten = self._trial_id
            try:
                self._storage.record_heartbeat(trial_id)
            except Exception as exc:  # a missed beat is not fatal; the next one may pass
                log.debug("heartbeat failed: %s", exc)
        with self._lock:
            if self._by_storage.get(id(self._storage)) is self:
                del self._by_storage[id(self._storage)]


def run_trial(
    study: optuna.Study, trial: optuna.Trial, spec: StudySpec, recorder: StudyRecorder, cost_rate: float,
    *, tag_worker: bool = False,
) -> FrozenTrial:
    """Evaluate `trial` and tell Optuna its outcome; returns the finished trial.

    `tag_worker` records which process and host run the trial (trial attrs and `tt.worker`/`tt.host`
    tags), so a supervising runner can recover the trials of a worker process that died (a worker
    running in the runner's own process needs no tag).
    """
    where = {Attr.WORKER: worker_tag(), Attr.HOST: socket.gethostname()} if tag_worker else {}
    for key, value in where.items():
        trial.set_user_attr(key, value)
    state, value, error = TrialState.FAIL, None, None
    with _Heartbeat.of(study, trial._trial_id):
        try:
            params = suggest(trial, spec.space)
            with recorder.trial_run(trial, params) as run:
                if where:
                    run.set_tags({Tag.WORKER: where[Attr.WORKER], Tag.HOST: where[Attr.HOST]})
                series = Metric.INTERMEDIATE.value if spec.multi_objective else spec.metric
                ctx = TrialContext(trial, run, params, metric=series, cost_rate=cost_rate,
                                   timeout_s=spec.trial_timeout_s, live_cost=spec.budget.cost is not None,
                                   flush_interval_s=recorder.tracker.settings.steps.flush_interval_s,
                                   multi_objective=spec.multi_objective)
                try:
                    value = evaluate(ctx, spec, recorder)
                    state = TrialState.COMPLETE
                except optuna.TrialPruned as pruned:
                    state = TrialState.PRUNED
                    run.set_state(RunState.PRUNED)
                    run.set_tags(_prune_tags(study, trial, str(pruned)))
                finally:
                    ctx.flush(at_close=True)
                    finals = objective_metrics(spec, value)
                    cost = finals.get(Metric.COST.value, ctx.cost())  # a `cost` objective is the trial's spend
                    trial.set_user_attr(Attr.COST, cost)
                    run.set_final_metrics({**finals, Metric.COST: cost})
                    run.set_final_tags(recorder.closing_tags(trial.number, state))
        except KeyboardInterrupt:
            trial.set_user_attr(Attr.ERROR, "interrupted")
            study.tell(trial, state=TrialState.FAIL)
            raise
        except Exception as exc:  # the objective's failure is the trial's failure, not the worker's
            error = redact_text(f"{type(exc).__name__}: {exc}")
            log.warning("trial %d failed: %s", trial.number, error)
            with contextlib.suppress(UpdateFinishedTrialError):  # already failed as stale: see below
                trial.set_user_attr(Attr.ERROR, error[:2000])
    try:
        if state == TrialState.COMPLETE:
            return study.tell(trial, value)
        return study.tell(trial, state=state)
    except UpdateFinishedTrialError:
        # Another process failed this trial as stale (its heartbeats were starved on a busy machine)
        # and has retried it: that outcome stands, and this worker goes on to its next trial.
        log.warning("trial %d was already finished by another process; keeping that outcome", trial.number)
        return next(t for t in study.get_trials(deepcopy=False) if t.number == trial.number)


def objective_metrics(spec: StudySpec, value: float | list[float] | None) -> dict[str, float]:
    """What a finished trial's run records: `value`, or each objective under its metric name."""
    if value is None:
        return {}
    if isinstance(value, list):
        return dict(zip(spec.objective_names, value))
    return {Metric.VALUE.value: value}


def _prune_tags(study: optuna.Study, trial: optuna.Trial, message: str) -> dict[Tag, Any]:
    tags: dict[Tag, Any] = {Tag.PRUNED_BY: message}
    racing = find(study.pruner, RacingPruner)
    evidence = getattr(racing, "evidence", {}).get(trial.number) if racing else None
    budget = find(study.pruner, CostBudgetPruner)
    cost_reason = budget.last_reason.get(trial.number) if budget else None
    if evidence:
        tags.update({
            Tag.PRUNED_BY: "racing",
            Tag.RACE_INSTANCES_SEEN: evidence["instances_seen"],
            Tag.RACE_P_VALUE: f"{evidence['p_value']:.6g}",
            Tag.RACE_INCUMBENT_TRIAL: evidence["incumbent_trial"],
            Tag.RACE_MEAN: f"{evidence['mean']:.6g}",
            Tag.RACE_INCUMBENT_MEAN: f"{evidence['incumbent_mean']:.6g}",
        })
    elif cost_reason:
        tags[Tag.PRUNED_BY] = cost_reason
    return tags


def retry_failed(study: optuna.Study, trial: FrozenTrial, max_retries: int) -> bool:
    """Enqueue the same parameters again if the trial has retries left; True if enqueued.

    Idempotent: the worker that ran the trial and a process that failed it as stale may both ask,
    and only one retry is enqueued.
    """
    done = int(trial.user_attrs.get(Attr.RETRIES, 0))
    if done >= max_retries or not trial.params:
        return False
    attrs = {Attr.RETRY_OF: int(trial.user_attrs.get(Attr.RETRY_OF, trial.number)), Attr.RETRIES: done + 1}
    if any(all(t.user_attrs.get(k) == v for k, v in attrs.items()) for t in study.get_trials(deepcopy=False)):
        return False
    study.enqueue_trial(trial.params, user_attrs=attrs, skip_if_exists=False)
    return True

