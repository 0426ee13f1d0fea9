"""Reading what a report needs: studies from the Optuna storage, solve runs and traces from MLflow.

Everything read goes through `studies.queries` (Optuna) and `Tracker` (MLflow); the frames
handed to the measures are plain pandas, so the measures never touch either store.
"""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from optuna.trial import TrialState

from studies.pruners import spend_of
from studies.reports._convergence import Trace, range_gap, relative_gap
from studies.spec import SolverObjective, StudySpec
from studies.vocabulary import Attr, best_trial, completed
from studies.settings import Settings
from tracker import RunKind, Tag, Tracker, TunetrackError

TRACE_THREADS = 4


class UnknownTarget(TunetrackError, LookupError):
    """No plan run or study of that name; the message says what to run or what exists."""


@dataclass
class Cell:
    study: str
    tuner: str
    bundle: str
    tier: str
    run_id: str | None


@dataclass
class ReportData:
    """Everything a report is computed from."""

    title: str
    kind: str  # plan | study
    log_to: list[str]  # run ids the report is logged on
    direction: str
    tier_order: list[str]
    tier_iterations: dict[str, int]
    cells: pd.DataFrame
    scores: pd.DataFrame
    trials: pd.DataFrame
    solves: pd.DataFrame
    traces: dict[str, tuple[Trace, Trace, Trace]] = field(default_factory=dict)  # run -> (iters, seconds, range)


@lru_cache(maxsize=1024)
def scenario_of(instance: str) -> tuple[str, bool]:
    """The scenario name a solve run is tagged with, and whether it has a reference value."""
    import solvers

    loaded = solvers.load_instance(instance)
    return loaded.name, loaded.reference is not None


def collect_plan(name: str, settings: Settings, *, traces: bool = True) -> ReportData:
    from studies.plans import find_plan_run

    tracker = Tracker(settings)
    plan_run = find_plan_run(tracker, name)
    if plan_run is None:
        raise UnknownTarget(f"no plan named {name!r} has run (run it with: tunetrack plan run PLAN)")
    experiment = tracker.experiment_names().get(str(plan_run["experiment_id"]), "")
    studies = tracker.runs(experiment, kind=RunKind.STUDY,
                           filter_string=f"tags.`{Tag.PLAN.value}` = '{name}'")
    cells = [Cell(r[f"tags.{Tag.STUDY.value}"], r[f"tags.{Tag.TUNER.value}"], r[f"tags.{Tag.BUNDLE.value}"],
                  r[f"tags.{Tag.TIER.value}"], r["run_id"]) for _, r in studies.iterrows()]
    plan_tiers = str(plan_run.get("params.tiers", "") or "")
    order = [t for t in plan_tiers.split(",") if t] or sorted({c.tier for c in cells})
    data = _collect(tracker, settings, cells, title=f"plan {name}", kind="plan", log_to=[str(plan_run["run_id"])],
                    tier_order=order, long_leash_parent=str(plan_run["run_id"]), traces=traces)
    return data


def collect_studies(names: list[str], settings: Settings, *, traces: bool = True) -> ReportData:
    from studies.queries import UnknownStudy, open_study

    tracker = Tracker(settings)
    cells = []
    for name in names:
        try:
            study, spec = open_study(name, settings)
        except UnknownStudy as exc:
            raise UnknownTarget(str(exc)) from None
        tier = f"{spec.objective.iterations} it" if isinstance(spec.objective, SolverObjective) and spec.objective.iterations else "-"
        cells.append(Cell(name, name if len(names) > 1 else _tuner_label(spec), spec.bundle or "instances", tier,
                          study.user_attrs.get(Attr.PARENT_RUN_ID)))
    order = list(dict.fromkeys(c.tier for c in cells))
    title = f"study {names[0]}" if len(names) == 1 else "studies " + ", ".join(names)
    return _collect(tracker, settings, cells, title=title, kind="study", log_to=[c.run_id for c in cells if c.run_id],
                    tier_order=order, long_leash_parent=None, traces=traces)


def _tuner_label(spec: StudySpec) -> str:
    racing = any(p.type == "racing" for p in spec.pruners)
    return spec.sampler.type + ("+racing" if racing else "")


def _collect(tracker: Tracker, settings: Settings, cells: list[Cell], *, title: str, kind: str, log_to: list[str],
             tier_order: list[str], long_leash_parent: str | None, traces: bool) -> ReportData:
    from studies.storage import get_storage

    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    cell_rows, score_rows, trial_rows = [], [], []
    experiments: set[str] = set()
    direction = "minimize"
    tier_iterations: dict[str, int] = {}
    for cell in cells:
        study, spec = _open(cell.study, storage)
        if spec.multi_objective:
            raise TunetrackError(
                f"study {cell.study!r} optimises several metrics ({', '.join(spec.objective_names)}); a report ranks "
                "one value per trial: see its Pareto front (tunetrack study best, pareto.csv and pareto.png)")
        direction = spec.direction
        experiments.add(spec.experiment_name)
        if isinstance(spec.objective, SolverObjective) and spec.objective.iterations:
            tier_iterations[cell.tier] = spec.objective.iterations
        all_trials = study.get_trials(deepcopy=False)
        row, scores, rows = _cell_frames(cell, spec, all_trials)
        cell_rows.append(row)
        score_rows.extend(scores)
        trial_rows.extend(rows)
    solves = _solves(tracker, sorted(experiments), {c.study: c for c in cells}, long_leash_parent)
    data = ReportData(
        title=title, kind=kind, log_to=log_to, direction=direction, tier_order=tier_order,
        tier_iterations=tier_iterations,
        cells=pd.DataFrame(cell_rows), scores=pd.DataFrame(score_rows, columns=[
            "tuner", "bundle", "tier", "scenario", "score", "has_reference"]),
        trials=pd.DataFrame(trial_rows, columns=["tuner", "bundle", "tier", "trial", "value", "cost"]),
        solves=solves,
    )
    if traces and not solves.empty:
        data.traces = load_traces(tracker, solves)
    return data


def _open(name: str, storage):
    import optuna

    from studies.spec import spec_from_json

    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        raise UnknownTarget(f"study {name!r} of the report is not in the study storage") from None
    if Attr.SPEC not in study.user_attrs:
        raise UnknownTarget(f"study {name!r} was not created by tunetrack (it has no spec)")
    return study, spec_from_json(study.user_attrs[Attr.SPEC])


def _cell_frames(cell: Cell, spec: StudySpec, trials: list) -> tuple[dict[str, Any], list[dict], list[dict]]:
    finished = sorted([t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)],
                      key=lambda t: (t.datetime_complete or t.datetime_start, t.number))
    values = [t.value for t in completed(finished)]
    best = best_trial(finished, spec.direction)
    runtime = sum((t.datetime_complete - t.datetime_start).total_seconds()
                  for t in finished if t.datetime_complete and t.datetime_start)
    key = {"tuner": cell.tuner, "bundle": cell.bundle, "tier": cell.tier}
    row = {**key, "study": cell.study,
           "iterations": spec.objective.iterations if isinstance(spec.objective, SolverObjective) else None,
           "best": best.value if best else np.nan,
           "mean": float(np.mean(values)) if values else np.nan,
           "median": float(statistics.median(values)) if values else np.nan,
           "trials": len(finished), "pruned": sum(t.state == TrialState.PRUNED for t in finished),
           "runtime_s": runtime, "cost": spend_of(trials),
           "trials_to_best": (finished.index(best) + 1) if best else np.nan}
    scores = []
    references = [scenario_of(i)[1] for i in spec.evaluation_instances()] if isinstance(spec.objective, SolverObjective) else []
    row["has_reference"] = bool(references) and all(references)
    if best is not None and isinstance(spec.objective, SolverObjective):
        evaluations = spec.evaluations()
        per_instance: dict[str, list[float]] = {}
        for step, value in best.intermediate_values.items():
            if 0 <= step < len(evaluations):
                per_instance.setdefault(evaluations[step][0], []).append(value)
        for instance, got in per_instance.items():
            scenario, has_reference = scenario_of(instance)
            scores.append({**key, "scenario": scenario, "score": float(np.mean(got)), "has_reference": has_reference})
    rows = [{**key, "trial": t.number, "value": t.value if t.state == TrialState.COMPLETE else np.nan,
             "cost": float(t.user_attrs.get(Attr.COST, 0.0))} for t in finished]
    return row, scores, rows


def _solves(tracker: Tracker, experiments: list[str], cells: dict[str, Cell], long_leash_parent: str | None) -> pd.DataFrame:
    """Finished solve runs of the cells' studies (source `trials`) and of the plan's long leash."""
    columns = ["run_id", "artifact_uri", "solver", "scenario", "tuner", "bundle", "tier", "source", "reference", "iterations", "seconds"]
    runs = tracker.runs(experiments, kind=RunKind.SOLVE, filter_string="attributes.status = 'FINISHED'")
    if runs.empty:
        return pd.DataFrame(columns=columns)
    study_col, cell_col = f"tags.{Tag.STUDY.value}", f"tags.{Tag.CELL.value}"
    rows = []
    for _, run in runs.iterrows():
        owner = run.get(study_col) if isinstance(run.get(study_col), str) else None
        source = "trials"
        if owner is None and long_leash_parent and isinstance(run.get(cell_col), str):
            owner, source = run.get(cell_col), "long-leash"
        cell = cells.get(owner) if owner else None
        if cell is None:
            continue
        rows.append({"run_id": run["run_id"], "artifact_uri": run.get("artifact_uri"), "solver": run.get(f"tags.{Tag.SOLVER.value}"),
                     "scenario": run.get(f"tags.{Tag.SCENARIO.value}"), "tuner": cell.tuner, "bundle": cell.bundle,
                     "tier": cell.tier, "source": source, "reference": run.get("metrics.reference", np.nan),
                     "iterations": run.get("metrics.iterations", np.nan),
                     "seconds": run.get("metrics.seconds", np.nan)})
    return pd.DataFrame(rows, columns=columns)


def load_traces(tracker: Tracker, solves: pd.DataFrame) -> dict[str, tuple[Trace, Trace, Trace]]:
    """Each solve's trace on three axes: relative gap by iterations, by seconds, range gap by iterations."""
    references = dict(zip(solves["run_id"], solves["reference"]))

    def one(run: tuple[str, str | None]):
        steps, events = tracker.load_trace(*run)
        return run[0], steps, events

    out: dict[str, tuple[Trace, Trace, Trace]] = {}
    with ThreadPoolExecutor(TRACE_THREADS) as pool:
        for run_id, steps, events in pool.map(one, list(zip(solves["run_id"], solves["artifact_uri"]))):
            built = build_traces(steps, events, references.get(run_id))
            if built is not None:
                out[run_id] = built
    return out


def build_traces(steps: pd.DataFrame | None, events: list[dict], reference: float | None):
    """(iterations, seconds, range-normalised) traces of one solve, with the initial solution at the start."""
    if steps is None or steps.empty or "best" not in steps:
        return None
    reference = None if reference is None or not np.isfinite(reference) else float(reference)
    start = next((e for e in events if e.get("event") == "start"), None)
    initial = float(start["detail"]["objective"]) if start and "objective" in start.get("detail", {}) else None
    best = steps["best"].to_numpy(dtype=np.float64)
    iterations = steps["iteration"].to_numpy(dtype=np.float64)
    seconds = steps["elapsed_s"].to_numpy(dtype=np.float64) if "elapsed_s" in steps else iterations * np.nan
    if initial is not None:
        best = np.concatenate([[initial], best])
        iterations = np.concatenate([[0.0], iterations])
        seconds = np.concatenate([[float(start.get("elapsed_s", 0.0))], seconds])
    rel = relative_gap(best, reference)
    rng = range_gap(best, reference, initial)
    return (Trace.of(iterations, rel), Trace.of(seconds, rel), Trace.of(iterations, rng))
