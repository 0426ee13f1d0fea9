"""The agent tools: plain functions, pydantic in and out, guardrails from `settings.agent`.

Call them with an input model or keyword fields; each returns its output model with `ok`,
a short `text` to quote, and either `result` or `error`:

    >>> from studies.agent import get_study_status
    >>> get_study_status(name="no-such-study").error.kind
    'not_found'
"""

from __future__ import annotations

from typing import Any

from studies.agent._base import NotFoundError, agent_tool
from studies.agent._guardrails import (
    capped,
    check_instance_files,
    check_objective,
    check_params,
    inside_project,
)
from studies.agent._models import (
    BestParamsInput,
    BestParamsOutput,
    CompareStudiesInput,
    CompareStudiesOutput,
    CompareTrialsInput,
    CompareTrialsOutput,
    GetReportInput,
    GetReportOutput,
    LeaderboardRow,
    ListStudiesInput,
    ListStudiesOutput,
    PromoteInput,
    PairedComparison,
    PromoteOutput,
    ReportSummary,
    StartedStudy,
    StartStudyInput,
    StartStudyOutput,
    StopStudyOutput,
    StoppedStudy,
    StudiesComparison,
    StudyInput,
    StudyStatusOutput,
)
from studies.cluster import prepare as prepare_cluster
from studies.settings import Settings
from studies.spec import StudySpec, load_spec

_MERGED_SECTIONS = ("budget", "sampler", "warm_starts")  # merged key by key; other fields are replaced


def _load_study(name: str, settings: Settings) -> tuple[Any, StudySpec]:
    """The Optuna study `name` and its spec, or `NotFoundError` listing the studies that exist."""
    from studies.queries import UnknownStudy, open_study

    try:
        return open_study(name, settings)
    except UnknownStudy as exc:
        raise NotFoundError(str(exc)) from None


def _stored_spec(name: str, settings: Settings) -> tuple[StudySpec | None, int]:
    """The spec a study was last started with and how many trials it has; (None, 0) for a new name."""
    from studies.queries import UnknownStudy, open_study

    try:
        study, spec = open_study(name, settings)
    except UnknownStudy:
        return None, 0
    return spec, len(study.get_trials(deepcopy=False))


def _spec_data(request: StartStudyInput, stored: StudySpec | None, settings: Settings) -> dict[str, Any]:
    """The spec fields: the spec file, else the stored spec, with the request's fields over them."""
    data: dict[str, Any] = {}
    if request.spec_path:
        data = load_spec(inside_project(request.spec_path, settings, "spec_path")).model_dump(mode="json")
    elif stored is not None:
        data = stored.model_dump(mode="json")
    given = request.model_dump(mode="json", exclude_unset=True, exclude_none=True,
                               exclude={"name", "spec_path", "n_trials", "workers", "cluster"})
    for key, value in given.items():
        if key in _MERGED_SECTIONS and isinstance(data.get(key), dict) and isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    data["name"] = request.name
    return data


@agent_tool(StartStudyInput, StartStudyOutput, read_only=False)
def start_study(request: StartStudyInput, settings: Settings) -> StartStudyOutput:
    """Start a study in background worker processes and return at once (poll get_study_status).

    A new name needs a spec: `spec_path` (a YAML file in the project) and/or the fields
    (objective, instances or bundle, space, budget ...). An existing name resumes the study up
    to `n_trials` total with its stored spec. Guardrails: allowed objectives, at most
    agent.max_trials trials, agent.max_cost cost and agent.max_workers workers per study, and a
    space of valid solver values.
    """
    from studies import runner

    address = prepare_cluster(request.cluster, settings, reach=False)  # before the storage is opened
    stored, before = _stored_spec(request.name, settings)
    data = _spec_data(request, stored, settings)
    check_instance_files(data, settings)
    spec = load_spec(data)
    check_objective(spec, settings)
    local_size = address.n_workers if address is not None else None
    spec = capped(spec, settings, n_trials=request.n_trials, workers=local_size or request.workers)
    # idempotent: a study whose runner is alive only takes the new total (runner.start_study)
    handle = runner.start_study(spec, settings, workers=spec.workers, n_trials=spec.budget.n_trials,
                                detach=True, progress=False, cluster=request.cluster)
    result = StartedStudy(
        name=spec.name, resumed=stored is not None, n_trials=handle.target, trials_before=before,
        workers=spec.workers, runner_pid=handle.detached_pid, log_path=handle.log_path,
        cost_budget=spec.budget.cost, objective=spec.objective_label, storage=handle.storage,
        experiment_id=handle.experiment_id, parent_run_id=handle.parent_run_id, state=handle.state,
    )
    verb = f"resumed (had {before} trials)" if result.resumed else "started"
    text = (f"study {spec.name} {verb}: {spec.objective_label}, target {handle.target} trials, "
            f"{spec.workers} worker(s) in the background, cost budget {spec.budget.cost:g}; "
            f"poll get_study_status(name={spec.name!r})")
    return StartStudyOutput(ok=True, text=text, result=result)


@agent_tool(StudyInput, StopStudyOutput, read_only=False)
def stop_study(request: StudyInput, settings: Settings) -> StopStudyOutput:
    """Stop a study's workers cleanly: each finishes or interrupts its trial, nothing is left running."""
    from studies import runner

    _load_study(request.name, settings)
    state = runner.stop_study(request.name, settings)
    stopped = state.is_finished()
    detail = f"state {state}" if stopped else "stop requested; workers stop after their current trial"
    return StopStudyOutput(ok=True, text=f"study {request.name}: {detail}",
                           result=StoppedStudy(name=request.name, stopped=stopped, state=state, detail=detail))


@agent_tool(PromoteInput, PromoteOutput, read_only=False)
def promote(request: PromoteInput, settings: Settings) -> PromoteOutput:
    """Re-evaluate a study's best trial against the current constants on fresh seeds and held-out instances
    and, if it wins a paired test that holds across seeds, rewrite those constants (dry run by default:
    the result then holds the diff and nothing is written)."""
    from studies.promotion import promote as run_promotion

    if request.target is not None:
        inside_project(request.target, settings, "target")
    from studies.queries import best_params

    _, spec = _load_study(request.name, settings)
    check_objective(spec, settings)
    check_params(spec, best_params(request.name, settings, request.pick).params,
                 where=f"{'picked' if request.pick else 'best'} trial of {request.name}")
    report = run_promotion(
        request.name, request.target, request.symbol, dry_run=request.dry_run, force=request.force,
        seeds=request.seeds, holdout_instances=request.holdout, top_k=request.top_k, pick=request.pick,
        settings=settings)
    return PromoteOutput(ok=True, text=report.text, result=report)


@agent_tool(StudyInput, StudyStatusOutput)
def get_study_status(request: StudyInput, settings: Settings) -> StudyStatusOutput:
    """A study's state (running / done / stopped / failed), trials by state, best value so far, spend vs
    budget, elapsed time and ETA, and its MLflow experiment and study run ids."""
    from studies.queries import study_status

    _load_study(request.name, settings)
    status = study_status(request.name, settings)
    c = status.trials
    best = "no completed trial yet" if status.best_value is None else (
        f"best {status.best_value:.6g} (trial {status.best_trial})")
    if status.pareto is not None:
        extremes = "; ".join(f"best {m}: trial {p.trial}" for m, p in status.pareto.extremes.items())
        best = (f"Pareto front of {status.pareto.size} trials over {', '.join(status.pareto.metrics)}, "
                f"hypervolume {status.pareto.hypervolume:.6g} ({extremes})")
    budget = f"/{status.budget_cost:g}" if status.budget_cost is not None else ""
    timing = "".join([
        f", elapsed {status.elapsed_s:.0f} s" if status.elapsed_s is not None else "",
        f", ETA {status.eta_s:.0f} s" if status.eta_s is not None else "",
    ])
    text = (f"study {status.name}: {status.state}, {c.complete + c.pruned}/{status.target_trials} trials "
            f"({c.complete} complete, {c.pruned} pruned, {c.failed} failed, {c.running} running), {best}, "
            f"spend {status.spend:.3g}{budget}{timing}; MLflow experiment {status.experiment_id}, "
            f"study run {status.parent_run_id}")
    return StudyStatusOutput(ok=True, text=text, result=status)


@agent_tool(BestParamsInput, BestParamsOutput)
def get_best_params(request: BestParamsInput, settings: Settings) -> BestParamsOutput:
    """The best parameters of a study with their value, trial and MLflow run id, and the ready-to-run
    `tunetrack solve` command and Python call that reuse them. For a multi-objective study: the Pareto
    front and the point a `pick` rule selects (e.g. 'seconds<=2'; default the best on the first metric)."""
    from studies.queries import best_params

    _load_study(request.name, settings)
    best = best_params(request.name, settings, request.pick)
    params = ", ".join(f"{k}={v!r}" for k, v in best.params.items())
    value = f"{best.value:.6g}" if best.values is None else ", ".join(f"{m}={v:.6g}" for m, v in best.values.items())
    head = (f"best of {best.name}" if best.front is None else
            f"picked from the {len(best.front)}-trial front of {best.name}" + (f" by {best.pick!r}" if best.pick else ""))
    text = (f"{head}: {value} at trial {best.trial} (MLflow run {best.run_id}) with {params}"
            + (f"; reuse: {best.command}" if best.command else ""))
    return BestParamsOutput(ok=True, text=text, result=best)


@agent_tool(ListStudiesInput, ListStudiesOutput)
def list_studies(request: ListStudiesInput, settings: Settings) -> ListStudiesOutput:
    """Every study: name, objective, direction, trials, best value, state and last activity."""
    from studies.queries import list_studies as query

    studies = query(settings)
    lines = [f"{s.name} ({s.state or 'not tunetrack'}, {s.objective}, {s.trials} trials, best "
             f"{'-' if s.best_value is None else f'{s.best_value:.6g}'})" for s in studies]
    text = f"{len(studies)} studies" + (": " + "; ".join(lines) if lines else "")
    return ListStudiesOutput(ok=True, text=text, result=studies)


@agent_tool(CompareTrialsInput, CompareTrialsOutput)
def compare_trials(request: CompareTrialsInput, settings: Settings) -> CompareTrialsOutput:
    """The top-k trials side by side (params, value, cost, per-instance results) and, where per-instance
    results exist, a one-sided paired Wilcoxon test of each against the best. For a multi-objective study:
    up to k Pareto-front members (best first metric first), each metric's value and test against the first."""
    from studies.queries import compare_trials as query

    _load_study(request.name, settings)
    comparison = query(request.name, request.top_k, settings)
    parts = []
    for row in comparison.rows:
        vs = "" if row.p_value_vs_best is None else f", p={row.p_value_vs_best:.3g} that the best is better"
        if row.values is not None:
            vs = "".join(f", p={p:.3g} on {m}" for m, p in (row.p_values_vs_best or {}).items())
            parts.append(f"trial {row.trial}: " + ", ".join(f"{m}={v:.6g}" for m, v in row.values.items()) + vs)
            continue
        parts.append(f"trial {row.trial}: {row.value:.6g}{vs}")
    text = (f"top {len(comparison.rows)} of {comparison.name} by {comparison.metric} ({comparison.direction}): "
            + ("; ".join(parts) if parts else "no completed trial yet"))
    return CompareTrialsOutput(ok=True, text=text, result=comparison)


# ---- plans and reports -------------------------------------------------------------------------
def _finite(value: Any) -> float | None:
    import math

    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@agent_tool(CompareStudiesInput, CompareStudiesOutput)
def compare_studies(request: CompareStudiesInput, settings: Settings) -> CompareStudiesOutput:
    """Compare tuners: the leaderboard of several studies (names) or of a plan's studies (plan), per bundle
    and tier and overall (best, win rate over scenarios, best delta, runtime, cost), with a one-sided paired
    Wilcoxon test over scenarios between the two best tuners."""
    from studies.reports._collect import UnknownTarget, collect_plan, collect_studies
    from studies.reports._leaderboard import leaderboard
    from studies.stats import paired_test

    if (request.names is None) == (request.plan is None):
        raise ValueError("give exactly one of 'names' (studies) or 'plan'")
    try:
        data = collect_plan(request.plan, settings, traces=False) if request.plan else \
            collect_studies(list(request.names or []), settings, traces=False)
    except UnknownTarget as exc:
        raise NotFoundError(str(exc)) from None
    board = leaderboard(data.cells, data.scores, data.direction)
    rows = [LeaderboardRow(
        tuner=str(r["tuner"]), bundle=str(r["bundle"]), tier=str(r["tier"]), rank=_finite(r["rank"]),
        best=_finite(r["best"]), win_rate=_finite(r["win_rate"]), best_delta=_finite(r["best_delta"]),
        runtime_s=_finite(r["runtime_s"]), cost=_finite(r["cost"]),
        trials=int(r["trials"]) if _finite(r["trials"]) is not None else None, study=str(r["study"] or "") or None,
        note=str(r.get("note", "") or ""),
    ) for _, r in board.iterrows()]
    overall = sorted((r for r in rows if r.bundle == "all"), key=lambda r: (r.rank is None, r.rank or 0.0))
    top_two = None
    if len(overall) >= 2:
        scores = data.scores[data.scores["has_reference"]] if not data.scores.empty else data.scores
        keyed = {t: {(b, tier, s): v for b, tier, s, v in
                     scores[scores["tuner"] == t][["bundle", "tier", "scenario", "score"]].itertuples(index=False)}
                 for t in (overall[0].tuner, overall[1].tuner)}
        test = paired_test(keyed[overall[0].tuner], keyed[overall[1].tuner], data.direction)
        if test is not None:
            top_two = PairedComparison(better=overall[0].tuner, other=overall[1].tuner, p_value=test.p_value,
                                       mean_gain=test.mean_gain, pairs=test.n)
    comparison = StudiesComparison(title=data.title, direction=data.direction, rows=rows, top_two=top_two)
    parts = [f"{r.tuner}: best {r.best:.6g}, win rate {r.win_rate or 0:.0%}" if r.best is not None
             else f"{r.tuner}: {r.note}" for r in overall]
    vs = "" if top_two is None else (f"; {top_two.better} vs {top_two.other}: p={top_two.p_value:.3g} over "
                                     f"{top_two.pairs} scenarios")
    return CompareStudiesOutput(ok=True, text=f"{data.title}, overall: " + "; ".join(parts) + vs, result=comparison)


@agent_tool(GetReportInput, GetReportOutput, read_only=False)
def get_report(request: GetReportInput, settings: Settings) -> GetReportOutput:
    """The report of a plan or a study: headline figures and the URIs of its artefacts (leaderboard,
    convergence and other tables as CSV/Markdown, figures, report.html). Computed (and logged on the run)
    when the run has none yet or refresh is true."""
    from studies.reports import build_report
    from studies.reports._build import resolve
    from studies.reports._collect import UnknownTarget
    from tracker import Tracker
    from tracker.records import REPORT_DIR

    if (request.plan is None) == (request.study is None):
        raise ValueError("give exactly one of 'plan' or 'study'")
    target = request.plan or request.study
    tracker = Tracker(settings)
    try:
        data = resolve([target], settings, traces=False)
    except UnknownTarget as exc:
        raise NotFoundError(str(exc)) from None
    if request.plan and data.kind != "plan":
        raise NotFoundError(f"no plan named {target!r} has run (a study has that name: ask with study=)")
    if not data.log_to:
        raise NotFoundError(f"{data.title} has no MLflow run to hold a report")
    run_id = data.log_to[0]
    computed = False
    if request.refresh or not tracker.list_artifacts(run_id, REPORT_DIR):
        build_report([target], settings)
        computed = True
    metrics = {k: v for k, v in tracker.run_metrics(run_id).items() if k.startswith("report.")}
    base = tracker.artifact_uri(run_id).rstrip("/")
    artefacts = [f"{base}/{path}" for path in sorted(tracker.list_artifacts(run_id, REPORT_DIR))]
    summary = ReportSummary(title=data.title, run_ids=list(data.log_to), headline=metrics, artefacts=artefacts,
                            computed=computed)
    figures = ", ".join(f"{k.removeprefix('report.')} {v:.4g}" for k, v in sorted(metrics.items()))
    html = next((a for a in artefacts if a.endswith("report.html")), None)
    return GetReportOutput(ok=True, text=f"{data.title} report ({'computed now' if computed else 'already logged'}): "
                           f"{figures}; page {html}", result=summary)
