"""Closing the MLflow runs an interrupted process left RUNNING, when a study is started again.

MLflow has no heartbeat: a runner or worker killed with SIGKILL (or cut off by a tracking
outage) leaves its trial and solve runs RUNNING forever. When no runner supervises the study,
any such run that does not belong to a trial Optuna still counts as running is closed KILLED,
with the reason in `tt.error`, so a resumed study shows nothing RUNNING that is not running.
"""

from __future__ import annotations

import logging

import optuna
from optuna.trial import TrialState

from studies.vocabulary import Attr
from tracker import RunKind, RunState, Tag, Tracker

log = logging.getLogger(__name__)

REASON = "left RUNNING by a process that stopped; closed when the study was started again"


def repair_running_runs(tracker: Tracker, study: optuna.Study, experiment: str) -> int:
    """Close the study's trial and solve runs left RUNNING by dead processes; returns how many."""
    live = {t.user_attrs.get(Attr.RUN_ID) for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
    live.discard(None)
    frame = tracker.runs(experiment, filter_string=f"attributes.status = 'RUNNING' and tags.`{Tag.STUDY.value}` = "
                                                   f"'{study.study_name}'")
    closed = 0
    for _, run in frame.iterrows():
        kind = run.get(f"tags.{Tag.KIND.value}")
        parent = run.get("tags.mlflow.parentRunId")
        if kind == RunKind.TRIAL.value and run["run_id"] not in live or (
                kind == RunKind.SOLVE.value and parent not in live):
            tracker.end_run(run["run_id"], RunState.INTERRUPTED, REASON)
            closed += 1
    if closed:
        log.warning("study %s: closed %d runs left RUNNING by a stopped process", study.study_name, closed)
    return closed
