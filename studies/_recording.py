"""How a study appears in MLflow: a study run, a nested run per trial, a nested run per solve.

Optuna's trial user attrs hold the MLflow run id (`tt_run_id`); each MLflow run holds the
study name and trial number as tags, so either side leads to the other.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

import optuna
from optuna.trial import TrialState

from studies.pareto_records import ParetoRecorder
from studies.pruners import spend_of
from studies.spec import StudySpec
from studies.vocabulary import Attr, Metric, best_trial
from tracker import RunKind, RunState, Tag, TrackedRun, Tracker
from tracker.records import NOTE_TAG, RUN_NAME_TAG

log = logging.getLogger(__name__)

TUNER_META_ARTIFACT = "tuner_meta.json"
_STATE_WORDS = {RunState.RUNNING: "running", RunState.COMPLETE: "done", RunState.INTERRUPTED: "stopped",
                RunState.FAIL: "failed"}
_ENDING = {TrialState.PRUNED: "pruned", TrialState.FAIL: "failed"}


def _install_view(tracker: Tracker, spec: StudySpec, experiment_id: str) -> None:
    """The study's trials view in the MLflow UI (`studies._ui`); a UI nicety never stops a study."""
    from studies._ui import install_trials_view

    try:
        install_trials_view(tracker, spec, experiment_id)
    except Exception as exc:
        log.warning("study %s: could not save its MLflow UI view: %s", spec.name, exc)


def trial_run_name(number: int, state: TrialState | None = None) -> str:
    """`trial 12`, and `trial 12 pruned` / `trial 12 failed` once it ends so (the UI colours both red)."""
    suffix = _ENDING.get(state) if state is not None else None
    return f"trial {number}" + (f" {suffix}" if suffix else "")


def study_note(name: str, state: str, metrics: dict[str, float], target: int, budget: float | None,
               best_number: int | None) -> str:
    """The study run's Markdown description: where the study stands, refreshed with its progress metrics."""
    best = metrics.get(Metric.BEST_VALUE)
    spend = metrics.get(Metric.SPEND, 0.0)
    done = int(metrics.get(Metric.TRIALS_COMPLETE, 0) + metrics.get(Metric.TRIALS_PRUNED, 0))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"**Study {name}**: {state}, {done} of {target} trials\n\n"
        "| complete | pruned | failed | best | best trial | spend |\n|---|---|---|---|---|---|\n"
        f"| {int(metrics.get(Metric.TRIALS_COMPLETE, 0))} | {int(metrics.get(Metric.TRIALS_PRUNED, 0))} "
        f"| {int(metrics.get(Metric.TRIALS_FAILED, 0))} | {'-' if best is None else f'{best:.6g}'} "
        f"| {'-' if best_number is None else best_number} | {spend:.2f}{f' of {budget:g}' if budget else ''} |\n\n"
        f"Updated {stamp}. Trials are the runs nested under this one (`trial N`); "
        f"`tunetrack monitor {name}` follows the study live."
    )


class StudyRecorder:
    """Opens the runs of one study; every run id is explicit, nothing uses MLflow's fluent state."""

    def __init__(self, tracker: Tracker, spec: StudySpec, parent_run_id: str) -> None:
        self.tracker = tracker
        self.spec = spec
        self.parent_run_id = parent_run_id
        self._progress_logged_at = 0.0
        self._pareto = ParetoRecorder(tracker, spec, parent_run_id) if spec.multi_objective else None

    @classmethod
    def open_study_run(cls, tracker: Tracker, spec: StudySpec, study: optuna.Study) -> "StudyRecorder":
        """Create the study run on first start, or set it RUNNING again on resume."""
        existing = study.user_attrs.get(Attr.PARENT_RUN_ID)
        if existing:
            tracker.reopen_run(existing)
            return cls(tracker, spec, existing)
        run = tracker.start_run(
            kind=RunKind.STUDY,
            experiment=spec.experiment_name,
            run_name=spec.name,
            params={"tuner_meta": spec.tuner_meta()},
            tags={Tag.STUDY: spec.name, Tag.OBJECTIVE: spec.objective_label, Tag.STATE: RunState.RUNNING.value},
        )
        run.log_dict(spec.model_dump(mode="json"), TUNER_META_ARTIFACT)
        _install_view(tracker, spec, run.experiment_id)
        study.set_user_attr(Attr.PARENT_RUN_ID, run.run_id)
        study.set_user_attr(Attr.EXPERIMENT_ID, run.experiment_id)
        return cls(tracker, spec, run.run_id)

    def close_study_run(self, state: RunState, study: optuna.Study) -> None:
        self.log_progress(study, force=True, state=state)
        self.tracker.end_run(self.parent_run_id, state)

    def trial_run(self, trial: optuna.Trial, params: dict[str, Any]) -> TrackedRun:
        run = self.tracker.start_run(
            kind=RunKind.TRIAL,
            parent_run_id=self.parent_run_id,
            experiment=self.spec.experiment_name,
            run_name=trial_run_name(trial.number),
            params=params,
            tags={Tag.STUDY: self.spec.name, Tag.TRIAL: trial.number, Tag.OBJECTIVE: self.spec.objective_label},
            minimize=self.spec.direction == "minimize",
            hold_params=True,
        )
        try:
            trial.set_user_attr(Attr.RUN_ID, run.run_id)
        except BaseException as exc:  # e.g. the trial was failed as stale meanwhile: no run may stay RUNNING
            run.end(error=exc)
            raise
        return run

    def solve_tags(self, trial_number: int) -> dict[Tag, Any]:
        """Tags that tie a trial's solve run (see `studies.solve.tracked_solve`) to its study and trial."""
        return {Tag.STUDY: self.spec.name, Tag.TRIAL: trial_number}

    def log_progress(self, study: optuna.Study, *, force: bool = False, state: RunState | None = None) -> None:
        """Best value, spend and trial counts on the study run, step = finished trials.

        Written at most once per step flush interval (and when forced, at the end), so fast
        trials do not pay a read of every trial and a store write each.
        """
        now = time.monotonic()
        if not force and now - self._progress_logged_at < self.tracker.settings.steps.flush_interval_s:
            return
        self._progress_logged_at = now
        try:
            self._log_progress(study, state or RunState.RUNNING, force)
        except Exception as exc:  # progress is telemetry: the trials themselves are safe in the storage
            log.warning("study %s: could not record progress: %s", self.spec.name, exc)

    def _log_progress(self, study: optuna.Study, state: RunState, force: bool) -> None:
        trials = study.get_trials(deepcopy=False)
        finished = [t for t in trials if t.state.is_finished()]
        best = best_trial(finished, self.spec.direction)
        metrics: dict[str, float] = {
            Metric.SPEND: spend_of(trials),
            Metric.TRIALS_COMPLETE: sum(t.state == TrialState.COMPLETE for t in finished),
            Metric.TRIALS_PRUNED: sum(t.state == TrialState.PRUNED for t in finished),
            Metric.TRIALS_FAILED: sum(t.state == TrialState.FAIL for t in finished),
        }
        if best is not None:
            metrics[Metric.BEST_VALUE] = best.value
        target = int(study.user_attrs.get(Attr.TARGET, self.spec.budget.n_trials))
        note = study_note(self.spec.name, _STATE_WORDS.get(state, state.value.lower()), metrics, target,
                          self.spec.budget.cost, best.number if best else None)
        self.tracker.log_batch(self.parent_run_id, metrics, {NOTE_TAG: note}, step=len(finished))
        if self._pareto is not None:  # the front, its tags and records
            self._pareto.update(trials, len(finished), force=force)

    @staticmethod
    def closing_tags(trial_number: int, state: TrialState) -> dict[str, str]:
        """Tags a trial run ends with: its name says pruned or failed (a completed trial keeps its name).

        MLflow renames a run through extra store calls, so an unchanged name is not sent again.
        """
        name = trial_run_name(trial_number, state)
        return {RUN_NAME_TAG: name} if name != trial_run_name(trial_number) else {}

    def close_orphans(self, trial: optuna.trial.FrozenTrial, reason: str) -> None:
        """End the MLflow runs of a trial whose worker died: the trial run and any solve still RUNNING."""
        run_id = trial.user_attrs.get(Attr.RUN_ID)
        if not run_id:
            return
        children = self.tracker.runs(self.spec.experiment_name, parent_run_id=run_id, filter_string="attributes.status = 'RUNNING'")
        for child in children["run_id"] if not children.empty else []:
            self.tracker.end_run(child, RunState.FAIL, reason)
        if self.tracker.is_running(run_id):
            self.tracker.end_run(run_id, RunState.FAIL, reason)
