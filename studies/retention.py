"""Study-aware retention: drop what nobody needs from a finished study, keep what matters, record it.

Kept: the study run (and every run that is not a trial or a solve: plans, promotions), the best
trial, the top K (a multi-objective study: its Pareto front), promoted trials, and their solves. Dropped, once older than the cut-off:
pruned and failed trial runs with their solves, and the solves of dominated trials (completed
trials outside the kept set; their trial runs stay, with params and values). A running study is
never touched. The choice is a pure function (`select_drops`) over plain rows; deleting and
MLflow's garbage collection go through `Tracker`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from optuna.trial import FrozenTrial, TrialState
from pydantic import BaseModel

from studies.queries import open_study, study_state
from studies.vocabulary import Attr, StudyState, best_trial, pareto_trials, ranked_trials
from studies.settings import Settings
from tracker import RunKind, Tag, Tracker, TunetrackError
from tracker.records import GC_ARTIFACT_DIR

class StudyBusy(TunetrackError):
    """The study is running: retention never touches it."""


@dataclass(frozen=True)
class RunRow:
    """What retention needs to know about one MLflow run of a study."""

    run_id: str
    kind: str | None
    trial: int | None
    parent_run_id: str | None
    status: str
    ended_at: float | None  # epoch seconds; None while running
    promoted: bool = False
    pareto: bool = False  # tagged on its study's Pareto front


class Drop(BaseModel):
    run_id: str
    kind: str
    trial: int | None
    reason: str  # pruned | failed | dominated
    bytes: int = 0


class RetentionReport(BaseModel):
    """What `gc` would drop (dry run) or dropped from one study."""

    study: str
    dry_run: bool
    keep_top: int
    older_than_s: float
    kept_trials: list[int]
    drops: list[Drop]
    bytes: int
    purged: int = 0
    note: str | None = None


def kept_trials(
    trials: Sequence[FrozenTrial], direction: str | Sequence[str], keep_top: int, promoted: Iterable[int]
) -> set[int]:
    """The best trial, the top `keep_top` and every promoted trial; with several directions, the Pareto front."""
    if not isinstance(direction, str):
        if len(direction) > 1:  # a multi-objective study has no top k: its front is what it found
            return {t.number for t in pareto_trials(trials, direction)} | set(promoted)
        direction = direction[0]
    kept = {t.number for t in ranked_trials(trials, direction)[:keep_top]}
    best = best_trial(trials, direction)
    if best is not None:
        kept.add(best.number)
    return kept | set(promoted)


def select_drops(
    runs: Sequence[RunRow], trials: Sequence[FrozenTrial], direction: str | Sequence[str], *, keep_top: int,
    cutoff: float,
) -> tuple[set[int], list[Drop]]:
    """The kept trial numbers and the runs to drop (see the module docstring for the policy)."""
    if keep_top < 0:
        raise ValueError(f"keep_top must be >= 0 but got {keep_top}")
    states = {t.number: t.state for t in trials}
    promoted = {r.trial for r in runs if (r.promoted or r.pareto) and r.trial is not None}
    kept = kept_trials(trials, direction, keep_top, promoted)
    children: dict[str, list[RunRow]] = {}
    for row in runs:
        if row.kind == RunKind.SOLVE.value and row.parent_run_id:
            children.setdefault(row.parent_run_id, []).append(row)

    def old(row: RunRow) -> bool:
        return row.status != "RUNNING" and row.ended_at is not None and row.ended_at <= cutoff

    drops: list[Drop] = []
    for row in runs:
        if row.kind != RunKind.TRIAL.value or row.trial is None or row.trial in kept:
            continue
        state = states.get(row.trial)
        reason = {TrialState.PRUNED: "pruned", TrialState.FAIL: "failed", TrialState.COMPLETE: "dominated"}.get(state)
        if reason is None:
            continue  # running or waiting: not ours to judge
        solves = [c for c in children.get(row.run_id, []) if old(c)]
        if reason != "dominated":
            if not old(row) or len(solves) < len(children.get(row.run_id, [])):
                continue  # a trial goes whole or not at all
            drops.append(Drop(run_id=row.run_id, kind=row.kind, trial=row.trial, reason=reason))
        drops.extend(Drop(run_id=c.run_id, kind=c.kind or "", trial=row.trial, reason=reason) for c in solves)
    return kept, drops


def _rows(frame) -> list[RunRow]:
    def tag(r, key):
        value = r.get(f"tags.{key}")
        return None if value is None or value != value else str(value)

    rows = []
    for _, r in frame.iterrows():
        trial = tag(r, Tag.TRIAL.value)
        ended = r.get("end_time")
        rows.append(RunRow(
            run_id=r["run_id"], kind=tag(r, Tag.KIND.value), trial=int(trial) if trial is not None else None,
            parent_run_id=tag(r, "mlflow.parentRunId"), status=r["status"],
            ended_at=ended.timestamp() if ended is not None and ended == ended else None,
            promoted=tag(r, Tag.PROMOTED.value) == "true", pareto=tag(r, Tag.PARETO.value) == "true",
        ))
    return rows


def collect(
    name: str, settings: Settings, *, older_than_s: float, keep_top: int, dry_run: bool = True,
    tracker: Tracker | None = None,
) -> RetentionReport:
    """Plan (dry run) or apply retention to study `name`; refuses a running study."""
    study, spec = open_study(name, settings)
    if study_state(study) is StudyState.RUNNING:
        raise StudyBusy(f"study {name!r} is running; retention waits until it has finished or been stopped")
    tracker = tracker or Tracker(settings)
    trials = study.get_trials(deepcopy=False)
    runs = _rows(tracker.runs(spec.experiment_name))
    study_runs = {t.user_attrs.get(Attr.RUN_ID) for t in trials}
    runs = [r for r in runs if r.kind != RunKind.TRIAL.value or r.run_id in study_runs]
    kept, drops = select_drops(runs, trials, spec.objective_directions, keep_top=keep_top, cutoff=time.time() - older_than_s)
    for drop in drops:
        drop.bytes = tracker.artifact_bytes(drop.run_id)
    report = RetentionReport(study=name, dry_run=dry_run, keep_top=keep_top, older_than_s=older_than_s,
                             kept_trials=sorted(kept), drops=drops, bytes=sum(d.bytes for d in drops))
    if dry_run or not drops:
        return report
    purge = tracker.delete_runs([d.run_id for d in drops])
    report.purged, report.note = purge.purged, purge.skipped_reason
    _record(tracker, study.user_attrs.get(Attr.PARENT_RUN_ID), report)
    return report


def _record(tracker: Tracker, study_run_id: str | None, report: RetentionReport) -> None:
    """Counts and bytes as metrics, a one-line tag, and the dropped ids as `gc/dropped-<time>.json`."""
    if not study_run_id:
        return
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    by_reason = {reason: sum(d.reason == reason for d in report.drops) for reason in ("pruned", "failed", "dominated")}
    summary = (f"{stamp}: dropped {len(report.drops)} runs ({', '.join(f'{n} {k}' for k, n in by_reason.items())}), "
               f"{report.bytes} bytes; kept trials {report.kept_trials}")
    metrics = {"gc.runs_dropped": len(report.drops), "gc.bytes_freed": report.bytes,
               **{f"gc.{k}": v for k, v in by_reason.items()}}
    tracker.log_batch(study_run_id, metrics, {Tag.GC: summary})
    tracker.log_dict(study_run_id, report.model_dump(mode="json"), f"{GC_ARTIFACT_DIR}/dropped-{stamp}.json")
