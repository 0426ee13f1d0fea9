"""Running a plan: one MLflow plan run, one study per cell under it, resumable by name.

A cell whose study is done is skipped, a stopped one is resumed (its study adds only the
missing trials), so running a plan again after an interruption redoes no finished work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from studies.plans._matrix import Cell, cell_specs
from studies.plans._model import PlanSpec
from studies.vocabulary import Attr, StudyState
from studies.settings import Settings
from tracker import RunKind, RunState, Tag, Tracker

PLAN_ARTIFACT = "plan.json"


@dataclass(frozen=True)
class CellOutcome:
    study: str
    tier: str
    bundle: str
    tuner: str
    status: str  # done | skipped (already done) | stopped | failed
    seconds: float


@dataclass
class PlanOutcome:
    plan: str
    run_id: str
    experiment: str
    state: RunState = RunState.RUNNING
    cells: list[CellOutcome] = field(default_factory=list)
    long_leash_solves: int = 0


def find_plan_run(tracker: Tracker, plan: str, experiment: str | None = None):
    """The plan run of `plan` (newest first) as a row of `Tracker.runs`, or None."""
    runs = tracker.runs(experiment, kind=RunKind.PLAN, filter_string=f"tags.`{Tag.PLAN.value}` = '{plan}'")
    return None if runs.empty else runs.iloc[0]


def _open_plan_run(tracker: Tracker, plan: PlanSpec) -> str:
    existing = find_plan_run(tracker, plan.name, plan.experiment_name)
    if existing is not None:
        tracker.reopen_run(existing["run_id"])
        return str(existing["run_id"])
    run = tracker.start_run(
        kind=RunKind.PLAN, experiment=plan.experiment_name, run_name=plan.name,
        params={"solver": plan.solver, "problem": plan.problem, "tiers": ",".join(plan.tiers),
                "bundles": ",".join(b.name for b in plan.bundles), "tuners": ",".join(t.name for t in plan.tuners),
                "base_seed": plan.base_seed, "seeds": plan.seeds},
        tags={Tag.PLAN: plan.name, Tag.STATE: RunState.RUNNING.value},
    )
    run.log_dict(plan.model_dump(mode="json"), PLAN_ARTIFACT)
    return run.run_id


def _study_state(name: str, settings: Settings) -> tuple[StudyState | None, str | None]:
    from studies.queries import UnknownStudy, open_study, study_state

    try:
        study, _ = open_study(name, settings)
    except UnknownStudy:
        return None, None
    return study_state(study), study.user_attrs.get(Attr.PARENT_RUN_ID)


def _tag_study(tracker: Tracker, cell: Cell, study_run_id: str | None, plan_run_id: str) -> None:
    if not study_run_id:
        return
    tracker.set_tags(study_run_id, {Tag.PLAN: cell.plan, Tag.TUNER: cell.tuner, Tag.BUNDLE: cell.bundle,
                                    Tag.TIER: cell.tier})
    tracker.set_parent(study_run_id, plan_run_id)


def run_plan(
    plan: PlanSpec,
    settings: Settings,
    *,
    tiers: list[str] | None = None,
    workers: int | None = None,
    long_leash: bool = False,
    study_figures: bool = True,
    on_cell: Callable[[int, int, CellOutcome], None] | None = None,
) -> PlanOutcome:
    """Run every cell not yet done; the plan run ends COMPLETE, or INTERRUPTED when a cell was stopped."""
    from studies.runner import start_study

    settings = settings.resolved()
    settings.prepare_local_stores()
    cells = cell_specs(plan, tiers)
    tracker = Tracker(settings)
    outcome = PlanOutcome(plan.name, _open_plan_run(tracker, plan), plan.experiment_name)
    current: Cell | None = None
    try:
        for index, cell in enumerate(cells):
            state, study_run = _study_state(cell.study, settings)
            started = time.monotonic()
            if state is StudyState.DONE:
                _tag_study(tracker, cell, study_run, outcome.run_id)
                done = CellOutcome(cell.study, cell.tier, cell.bundle, cell.tuner, "skipped", 0.0)
            else:
                current = cell
                handle = start_study(cell.spec, settings, workers=workers, progress=False)
                _tag_study(tracker, cell, handle.parent_run_id, outcome.run_id)
                current = None
                status = {StudyState.DONE: "done", StudyState.FAILED: "failed"}.get(handle.state, "stopped")
                done = CellOutcome(cell.study, cell.tier, cell.bundle, cell.tuner, status, time.monotonic() - started)
                if study_figures and status == "done":
                    _study_figures(cell.study, settings)
            outcome.cells.append(done)
            tracker.log_metrics(outcome.run_id, {"cells_done": sum(c.status in ("done", "skipped") for c in outcome.cells),
                                                 "cells_total": len(cells)}, step=index)
            if on_cell is not None:
                on_cell(index, len(cells), done)
            if done.status == "stopped":  # Ctrl+C reached the study: stop the plan too
                outcome.state = RunState.INTERRUPTED
                return outcome
        if long_leash:
            from studies.plans._long_leash import run_long_leash

            outcome.long_leash_solves = run_long_leash(plan, cells, tracker, outcome.run_id, settings)
        outcome.state = RunState.COMPLETE
        return outcome
    except KeyboardInterrupt:
        outcome.state = RunState.INTERRUPTED
        if current is not None:
            _tag_study(tracker, current, _study_state(current.study, settings)[1], outcome.run_id)
        raise
    except BaseException:
        outcome.state = RunState.FAIL
        raise
    finally:
        tracker.end_run(outcome.run_id, outcome.state if outcome.state is not RunState.RUNNING else RunState.FAIL)


def _study_figures(name: str, settings: Settings) -> None:
    import logging

    try:
        from studies.reports import log_study_figures

        log_study_figures(name, settings)
    except Exception as exc:  # figures are a view; the study's records are complete without them
        logging.getLogger(__name__).warning("study %s: could not draw its figures: %s", name, exc)
