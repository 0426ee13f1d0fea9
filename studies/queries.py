"""What a person or an agent asks about studies: status, best parameters, the list, a comparison.

Answers come from the Optuna storage (the source of truth for trials) and carry the MLflow
ids that lead to the runs in the UI.
"""

from __future__ import annotations

import shlex
import socket
import time
from datetime import datetime, timezone
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState
from pydantic import BaseModel, Field

from studies.pareto import PickError
from studies.pareto_views import FrontPoint, ParetoSummary, front_of, front_point, picked_trial, summarise
from studies.pruners import study_spend
from studies.runner import pid_alive
from studies.settings import Settings, load_settings
from studies.spec import SolverObjective, StudySpec, spec_from_json
from studies.stats import paired_test
from studies.storage import get_storage
from studies.vocabulary import Attr, StudyState, best_trial, ranked_trials
from tracker import TunetrackError


class UnknownStudy(TunetrackError, KeyError):
    """No study of that name in the storage."""

    def __str__(self) -> str:
        return str(self.args[0])


class TrialCounts(BaseModel):
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    running: int = 0
    waiting: int = 0


class StudyFigures(BaseModel):
    """What every view of a study's progress reports: `study status`, the agent's status tool, the monitor."""

    name: str
    state: StudyState
    direction: str
    target_trials: int
    trials: TrialCounts
    best_value: float | None
    best_trial: int | None
    spend: float
    budget_cost: float | None
    elapsed_s: float | None
    eta_s: float | None
    experiment_id: str | None
    parent_run_id: str | None


class StudyStatus(StudyFigures):
    objective: str
    last_activity: datetime | None
    pareto: ParetoSummary | None = Field(None, description="Multi-objective studies: the Pareto front.")


class BestParams(BaseModel):
    name: str
    params: dict[str, Any]
    value: float = Field(description="The trial's value (multi-objective: on the first metric).")
    trial: int
    run_id: str | None
    command: str | None = Field(None, description="A ready-to-run `tunetrack solve` command (solver studies).")
    python: str | None = Field(None, description="The Python call that reuses the parameters.")
    values: dict[str, float] | None = Field(None, description="Multi-objective: the picked point's value per metric.")
    pick: str | None = Field(None, description="Multi-objective: the pick rule that selected the point.")
    front: list[FrontPoint] | None = Field(None, description="Multi-objective: the whole front, best first metric first.")


class StudySummary(BaseModel):
    name: str
    objective: str | None
    direction: str
    trials: int
    best_value: float | None
    state: StudyState | None
    last_activity: datetime | None


class TrialRow(BaseModel):
    trial: int
    params: dict[str, Any]
    value: float
    cost: float
    run_id: str | None
    per_instance: dict[int, float]
    p_value_vs_best: float | None = Field(None, description="One-sided Wilcoxon signed-rank p-value that the best is better.")
    mean_diff_vs_best: float | None = None
    values: dict[str, float] | None = Field(None, description="Multi-objective: the value per metric.")
    p_values_vs_best: dict[str, float] | None = Field(
        None, description="Multi-objective: per metric, the p-value that the front's first member is better.")


class Comparison(BaseModel):
    name: str
    direction: str
    metric: str
    instances: list[str]
    rows: list[TrialRow]


def open_study(name: str, settings: Settings | None = None) -> tuple[optuna.Study, StudySpec]:
    settings = settings or load_settings()
    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        known = sorted(s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False))
        raise UnknownStudy(f"no study named {name!r}; known studies: {', '.join(known) or 'none'}") from None
    if Attr.SPEC not in study.user_attrs:
        raise UnknownStudy(f"study {name!r} was not created by tunetrack (it has no spec)")
    return study, spec_from_json(study.user_attrs[Attr.SPEC])


def study_state(study: optuna.Study) -> StudyState:
    """The recorded state, except that a running study whose local runner is dead is stopped."""
    recorded = StudyState(study.user_attrs.get(Attr.STATE, StudyState.STOPPED))
    if recorded is not StudyState.RUNNING:
        return recorded
    runner = study.user_attrs.get(Attr.RUNNER) or {}
    if runner.get("host") == socket.gethostname() and not pid_alive(runner.get("pid")):
        return StudyState.STOPPED  # its runner died without recording an end
    return StudyState.RUNNING


def study_status(name: str, settings: Settings | None = None) -> StudyStatus:
    study, spec = open_study(name, settings)
    trials = study.get_trials(deepcopy=False)
    counts = TrialCounts(**{
        key: sum(t.state == state for t in trials)
        for key, state in (("complete", TrialState.COMPLETE), ("pruned", TrialState.PRUNED),
                           ("failed", TrialState.FAIL), ("running", TrialState.RUNNING),
                           ("waiting", TrialState.WAITING))
    })
    best = best_trial(trials, spec.direction)
    target = int(study.user_attrs.get(Attr.TARGET, spec.budget.n_trials))
    started = study.user_attrs.get(Attr.STARTED_AT)
    state = study_state(study)
    end = study.user_attrs.get(Attr.FINISHED_AT) if state is not StudyState.RUNNING else None
    elapsed = ((end or time.time()) - started) if started else None
    finished = [t for t in trials if t.datetime_complete and t.datetime_start]
    eta = None
    if state is StudyState.RUNNING and finished:
        mean = sum((t.datetime_complete - t.datetime_start).total_seconds() for t in finished) / len(finished)
        remaining = max(0, target - counts.complete - counts.pruned)
        eta = mean * remaining / max(1, spec.workers)
    return StudyStatus(
        name=name, state=state, objective=spec.objective_label, direction=spec.direction, target_trials=target,
        trials=counts, best_value=best.value if best else None, best_trial=best.number if best else None,
        spend=study_spend(study), budget_cost=spec.budget.cost, elapsed_s=elapsed, eta_s=eta,
        experiment_id=study.user_attrs.get(Attr.EXPERIMENT_ID), parent_run_id=study.user_attrs.get(Attr.PARENT_RUN_ID),
        last_activity=_last_activity(trials), pareto=summarise(trials, spec) if spec.multi_objective else None,
    )


def _last_activity(trials: list[FrozenTrial]) -> datetime | None:
    stamps = [t.datetime_complete or t.datetime_start for t in trials if (t.datetime_complete or t.datetime_start)]
    return max(stamps).astimezone(timezone.utc) if stamps else None


def best_params(name: str, settings: Settings | None = None, pick: str | None = None) -> BestParams:
    """The best trial; for a multi-objective study the front point `pick` selects, and the front."""
    study, spec = open_study(name, settings)
    if spec.multi_objective:
        return _picked_params(name, study, spec, pick)
    if pick:
        raise PickError(f"--pick applies to multi-objective studies; {name!r} optimises one metric ({spec.metric})")
    best = best_trial(study.get_trials(deepcopy=False), spec.direction)
    if best is None:
        raise UnknownStudy(f"study {name!r} has no completed trial yet")
    command, python = reuse_snippets(spec, best.params)
    return BestParams(
        name=name, params=best.params, value=best.value, trial=best.number,
        run_id=best.user_attrs.get(Attr.RUN_ID), command=command, python=python,
    )


def _picked_params(name: str, study: optuna.Study, spec: StudySpec, pick: str | None) -> BestParams:
    trials = study.get_trials(deepcopy=False)
    if not front_of(trials, spec):
        raise UnknownStudy(f"study {name!r} has no completed trial yet")
    chosen = picked_trial(trials, spec, pick)
    command, python = reuse_snippets(spec, chosen.params)
    return BestParams(
        name=name, params=chosen.params, value=chosen.values[0], trial=chosen.number,
        run_id=chosen.user_attrs.get(Attr.RUN_ID), command=command, python=python,
        values=dict(zip(spec.objective_names, chosen.values)), pick=pick or None,
        front=[front_point(t, spec) for t in front_of(trials, spec)],
    )


def reuse_snippets(spec: StudySpec, params: dict[str, Any]) -> tuple[str | None, str | None]:
    """The `tunetrack solve` command and the Python call that reuse `params` (solver studies)."""
    objective = spec.objective
    if not isinstance(objective, SolverObjective):
        return None, f"{objective.function}(trial)  # with trial.params = {params!r}"
    instance, seed = spec.evaluations()[0]
    config = {**objective.fixed, **params}
    limit = (f" --time-limit {objective.time_limit:g}" if objective.time_limit else "") + (
        f" --iterations {objective.iterations}" if objective.iterations else "")
    sets = "".join(f" --set {shlex.quote(f'{k}={v}')}" for k, v in config.items())
    command = f"tunetrack solve --problem {instance} --solver {objective.solver} --seed {seed}{limit}{sets}"
    kwargs = ", ".join(
        part for part in (
            f"time_limit={objective.time_limit!r}" if objective.time_limit else "",
            f"iterations={objective.iterations!r}" if objective.iterations else "",
        ) if part
    )
    python = (f"solvers.solve(solvers.load_instance({instance!r}), {objective.solver!r}, {config!r}, "
              f"seed={seed}{', ' + kwargs if kwargs else ''})")
    return command, python


def list_studies(settings: Settings | None = None) -> list[StudySummary]:
    settings = settings or load_settings()
    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    summaries = []
    for summary in optuna.get_all_study_summaries(storage, include_best_trial=False):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        spec = spec_from_json(study.user_attrs[Attr.SPEC]) if Attr.SPEC in study.user_attrs else None
        trials = study.get_trials(deepcopy=False)
        direction = spec.direction if spec else summary.direction.name.lower()
        best = best_trial(trials, direction)
        summaries.append(StudySummary(
            name=summary.study_name, objective=spec.objective_label if spec else None, direction=direction,
            trials=len(trials), best_value=best.value if best else None,
            state=study_state(study) if spec else None, last_activity=_last_activity(trials),
        ))
    return sorted(summaries, key=lambda s: s.last_activity or datetime.min.replace(tzinfo=timezone.utc), reverse=True)


def compare_trials(name: str, top_k: int = 5, settings: Settings | None = None) -> Comparison:
    """The top-k completed trials side by side, each with a paired test against the best."""
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1 but got {top_k}")
    study, spec = open_study(name, settings)
    if spec.multi_objective:
        return _compare_front(name, study, spec, top_k)
    top = ranked_trials(study.get_trials(deepcopy=False), spec.direction)[:top_k]
    rows: list[TrialRow] = []
    best = top[0] if top else None
    for trial in top:
        p_value = mean_diff = None
        if best is not None and trial is not best:
            test = paired_test(best.intermediate_values, trial.intermediate_values, spec.direction)
            if test is not None and test.n >= 2:
                p_value, mean_diff = test.p_value, -test.mean_gain
        rows.append(TrialRow(
            trial=trial.number, params=trial.params, value=trial.value, cost=float(trial.user_attrs.get(Attr.COST, 0.0)),
            run_id=trial.user_attrs.get(Attr.RUN_ID), per_instance=dict(trial.intermediate_values),
            p_value_vs_best=p_value, mean_diff_vs_best=mean_diff,
        ))
    instances = [f"{inst}@{seed}" for inst, seed in spec.evaluations()] if isinstance(spec.objective, SolverObjective) else []
    return Comparison(name=name, direction=spec.direction, metric=spec.metric, instances=instances, rows=rows)


def _compare_front(name: str, study: optuna.Study, spec: StudySpec, top_k: int) -> Comparison:
    """Up to `top_k` front members, best first metric first, each tested against the first on every metric."""
    front = front_of(study.get_trials(deepcopy=False), spec)[:top_k]
    rows: list[TrialRow] = []
    for trial in front:
        per_eval = trial.user_attrs.get(Attr.EVALUATIONS) or {}
        p_values = {}
        if trial is not front[0]:
            first = front[0].user_attrs.get(Attr.EVALUATIONS) or {}
            for metric, direction in zip(spec.objective_names, spec.objective_directions):
                a, b = first.get(metric, []), per_eval.get(metric, [])
                test = paired_test(a, b, direction) if len(a) == len(b) else None  # by evaluation index
                if test is not None and test.n >= 2:
                    p_values[metric] = test.p_value
        rows.append(TrialRow(
            trial=trial.number, params=trial.params, value=trial.values[0],
            cost=float(trial.user_attrs.get(Attr.COST, 0.0)), run_id=trial.user_attrs.get(Attr.RUN_ID),
            per_instance=dict(enumerate(per_eval.get(spec.objective_names[0], []))),
            p_value_vs_best=p_values.get(spec.objective_names[0]), values=dict(zip(spec.objective_names, trial.values)),
            p_values_vs_best=p_values or None,
        ))
    instances = [f"{inst}@{seed}" for inst, seed in spec.evaluations()] if isinstance(spec.objective, SolverObjective) else []
    return Comparison(name=name, direction=",".join(spec.objective_directions), metric=",".join(spec.objective_names),
                      instances=instances, rows=rows)
