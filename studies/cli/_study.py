"""`tunetrack study ...` and `tunetrack demo`: start, watch, inspect and compare studies."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from studies.cli._common import console, errors, fail, print_json, settings_or_exit
from tracker import TunetrackError

study_app = typer.Typer(help="Start, resume, watch and compare Optuna studies recorded in MLflow.", no_args_is_help=True)

DEMO_SPEC = {
    "name": "demo-sa-flowshop",
    "description": "Simulated annealing on five 20x10 Taillard instances at 20,000 iterations: the defaults "
                   "first (warm start), then TPE and racing.",
    "objective": {"solver": "sa", "problem": "flowshop", "iterations": 20000},
    "instances": ["ta011", "ta012", "ta013", "ta014", "ta015"],
    "seeds": [1],
    "space": {
        "cooling_rate": {"type": "float", "low": 0.999, "high": 0.99995, "log": True},
        "initial_acceptance": {"type": "float", "low": 0.05, "high": 0.9},
        "operator_preset": {"type": "categorical", "choices": ["default", "intensify", "diversify", "uniform"]},
    },
    "sampler": {"type": "tpe", "seed": 1, "n_startup_trials": 5},
    "pruners": [{"type": "racing", "n_startup_steps": 3}],
    "budget": {"n_trials": 24},
    "workers": 2,
    "warm_starts": {"from_constants": True},
}
"""The defaults cool for 200,000 iterations (`SA_ITERATIONS`); at 20,000 they are still hot when the
budget ends, so a tuned cooling rate visibly wins. Trial 0 is the defaults (warm start). No cost
budget: it counts wall-clock seconds, and on a busy machine it was spent before any trial had
finished (the demo must always end with results)."""

# `--cluster`: the help lives here so that `tunetrack --help` does not import studies.cluster (its logic).
CLUSTER_HELP = ("Run the worker loops as Dask tasks: 'local' or 'local:N' (a LocalCluster of N worker processes) "
                "or a scheduler address 'tcp://host:8786' (default: the cluster.address setting, else local "
                "worker processes).")


def register(app: typer.Typer) -> None:
    app.add_typer(study_app, name="study")
    app.command("demo")(demo)


def _guard(call, *args, **kwargs):
    """Run a library call; a tunetrack error becomes a clear message and exit code 2."""
    try:
        return call(*args, **kwargs)
    except (TunetrackError, ValueError, KeyError) as exc:
        fail(str(exc) if not isinstance(exc, KeyError) else str(exc.args[0]))


@study_app.command("start")
def start(
    spec: Path = typer.Argument(None, help="Study spec (YAML). Without it, --name resumes an existing study."),
    name: str = typer.Option(None, "--name", help="Study name (overrides the spec's, or names a study to resume)."),
    n_trials: int = typer.Option(None, "--n-trials", min=1, help="Total trials of the study (resume adds what is missing)."),
    workers: int = typer.Option(None, "--workers", min=1, help="Worker processes (default: the spec's)."),
    detach: bool = typer.Option(False, "--detach", help="Return at once; workers run in the background."),
    cluster: str = typer.Option(None, "--cluster", help=CLUSTER_HELP),
) -> None:
    """Create or resume a study and run it."""
    from studies.queries import open_study
    from studies.runner import start_study

    settings = settings_or_exit()
    if spec is None and name is None:
        fail("give a spec file, or --name of an existing study to resume")
    if spec is not None:
        source = _guard(_load, spec, name)
    else:
        _, source = _guard(open_study, name, settings)
    handle = _guard(start_study, source, settings, workers=workers, n_trials=n_trials, detach=detach, cluster=cluster)
    _print_handle(handle)
    _exit_for(handle.stop_reason)


def exit_code(reason) -> int:
    """0 only when the study got what it was asked for (target, budget, deadline) or runs on detached;
    130 after Ctrl+C; 1 when it failed, was stopped, or every trial failed."""
    from studies.vocabulary import StopReason

    if reason is None or reason.reached_goal:
        return 0
    return 130 if reason is StopReason.INTERRUPTED else 1


def _exit_for(reason) -> None:
    code = exit_code(reason)
    if code:
        errors.print(f"study ended without reaching its goal: {reason}", highlight=False)
        raise typer.Exit(code)


def _load(spec: Path, name: str | None):
    from studies.spec import load_spec

    return load_spec(spec, name=name)


def _print_handle(handle) -> None:
    console.print(
        f"study [bold]{handle.name}[/]: {handle.state}"
        + (f" ({handle.stop_reason})" if handle.stop_reason else "") + f" (target {handle.target} trials)\n"
        f"  MLflow experiment id {handle.experiment_id}, study run {handle.parent_run_id}\n"
        + (f"  running in the background (pid {handle.detached_pid}); log {handle.log_path}\n" if handle.detached_pid else "")
        + f"  next: tunetrack study status {handle.name}  |  tunetrack study best {handle.name}  |  tunetrack ui"
    )


@study_app.command("worker")
def worker(name: str = typer.Argument(..., help="Study to join.")) -> None:
    """Join a running study from this process (any host that reaches its storage)."""
    from studies.queries import open_study
    from studies.worker import run_worker

    settings = settings_or_exit()
    _guard(open_study, name, settings)  # an unknown name is refused with the studies that exist
    report = _guard(run_worker, name, settings)
    console.print(f"worker ran {report.trials} trials ({report.stop_reason or 'done'})")
    _exit_for(report.stop_reason)


@study_app.command("stop")
def stop(name: str = typer.Argument(...)) -> None:
    """Stop a study's workers cleanly (running trials are closed, nothing is left RUNNING)."""
    from studies.queries import open_study
    from studies.runner import stop_study

    settings = settings_or_exit()
    _guard(open_study, name, settings)
    state = _guard(stop_study, name, settings)
    console.print(f"study {name}: {state}")


@study_app.command("status")
def status(name: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """State, trials by state, best value, spend vs budget, elapsed and ETA."""
    from studies.queries import study_status

    result = _guard(study_status, name, settings_or_exit())
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    t = result.trials
    budget = f" of {result.budget_cost:g}" if result.budget_cost else ""
    console.print(
        f"[bold]{result.name}[/] {result.state}  objective {result.objective} ({result.direction})\n"
        f"  trials: {t.complete} complete, {t.pruned} pruned, {t.failed} failed, {t.running} running, "
        f"{t.waiting} waiting (target {result.target_trials})\n"
        + (_front_lines(result.pareto) if result.pareto else
           f"  best: {result.best_value if result.best_value is not None else '-'} (trial {result.best_trial})\n")
        + f"  spend: {result.spend:.2f}{budget}   elapsed: {_seconds(result.elapsed_s)}   eta: {_seconds(result.eta_s)}\n"
        f"  MLflow: experiment {result.experiment_id}, study run {result.parent_run_id}"
    )


def _front_lines(pareto) -> str:
    """The front's size, hypervolume and the point best on each metric."""
    metrics = ", ".join(f"{m} ({d})" for m, d in zip(pareto.metrics, pareto.directions))
    lines = [f"  Pareto front: {pareto.size} trials over {metrics}; hypervolume {pareto.hypervolume:.6g} "
             f"(reference {', '.join(f'{v:.6g}' for v in pareto.reference_point)})"]
    for metric, point in pareto.extremes.items():
        values = ", ".join(f"{m}={v:.6g}" for m, v in point.values.items())
        lines.append(f"    best {metric}: trial {point.trial} ({values})")
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


@study_app.command("best")
def best(
    name: str = typer.Argument(...),
    pick: str = typer.Option(None, "--pick", help="Multi-objective: constraints such as 'seconds<=2' (joined by "
                             "',' or 'and'); the point best on the first metric among the front points meeting them."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The best parameters (multi-objective: the front and the picked point), and the command that runs them."""
    from studies.queries import best_params

    result = _guard(best_params, name, settings_or_exit(), pick)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    if result.front is not None:
        _print_front(result)
    else:
        console.print(f"[bold]{result.name}[/] best value {result.value:.6g} (trial {result.trial}, "
                      f"MLflow run {result.run_id})")
    for key, value in result.params.items():
        console.print(f"  {key} = {value}")
    if result.command:
        console.print("run it:")
        console.print(f"  {result.command}", highlight=False, soft_wrap=True)


def _print_front(result) -> None:
    metrics = list(result.values)
    table = Table(title=f"{result.name}: Pareto front, {len(result.front)} trials", title_justify="left")
    for column in ("trial", *metrics, "picked"):
        table.add_column(column)
    for point in result.front:
        table.add_row(str(point.trial), *(f"{point.values[m]:.6g}" for m in metrics),
                      "<-" if point.trial == result.trial else "")
    console.print(table)
    rule = f" by {result.pick!r}" if result.pick else f" (best {metrics[0]})"
    values = ", ".join(f"{m}={v:.6g}" for m, v in result.values.items())
    console.print(f"picked{rule}: trial {result.trial} ({values}), MLflow run {result.run_id}", highlight=False)


@study_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every study in the storage, most recently active first."""
    from studies.queries import list_studies

    rows = _guard(list_studies, settings_or_exit())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title=f"{len(rows)} studies")
    for column in ("name", "objective", "direction", "trials", "best", "state", "last activity"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.name, r.objective or "", r.direction, str(r.trials),
                      "" if r.best_value is None else f"{r.best_value:.6g}", r.state or "",
                      r.last_activity.isoformat(timespec="seconds") if r.last_activity else "")
    console.print(table)


@study_app.command("compare")
def compare(
    name: str = typer.Argument(...),
    top: int = typer.Option(5, "--top", min=1, help="How many of the best trials."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The top trials side by side, each with a paired test against the best."""
    from studies.queries import compare_trials

    result = _guard(compare_trials, name, top, settings_or_exit())
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    params = sorted({k for r in result.rows for k in r.params})
    if result.rows and result.rows[0].values is not None:
        console.print(_front_table(result, params))
        return
    table = Table(title=f"{result.name}: top {len(result.rows)} by {result.metric} ({result.direction})")
    for column in ("trial", "value", "cost", *params, "p vs best", "mean diff"):
        table.add_column(column)
    for r in result.rows:
        table.add_row(
            str(r.trial), f"{r.value:.6g}", f"{r.cost:.2f}", *(_short(r.params.get(p)) for p in params),
            "" if r.p_value_vs_best is None else f"{r.p_value_vs_best:.3g}",
            "" if r.mean_diff_vs_best is None else f"{r.mean_diff_vs_best:.4g}",
        )
    console.print(table)


def _front_table(result, params: list[str]) -> Table:
    """Front members, each metric's value and its p-value that the first member is better on it."""
    metrics = list(result.rows[0].values)
    table = Table(title=f"{result.name}: {len(result.rows)} Pareto-front trials by {result.metric}")
    for column in ("trial", *metrics, "cost", *params, *(f"p {m}" for m in metrics)):
        table.add_column(column)
    for r in result.rows:
        p_values = r.p_values_vs_best or {}
        table.add_row(str(r.trial), *(f"{r.values[m]:.6g}" for m in metrics), f"{r.cost:.2f}",
                      *(_short(r.params.get(p)) for p in params),
                      *("" if m not in p_values else f"{p_values[m]:.3g}" for m in metrics))
    return table


def _short(value) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def demo(
    workers: int = typer.Option(2, "--workers", min=1, help="Worker processes."),
    n_trials: int = typer.Option(None, "--n-trials", min=1, help="Total trials (default 24)."),
) -> None:
    """A small tuning study end to end on the configured stores (about 20 s on 2 cores), then where to look."""
    from studies._recording import trial_run_name
    from studies.queries import best_params, open_study
    from studies.runner import start_study
    from studies.spec import load_spec

    settings = settings_or_exit()
    console.print("[bold]tunetrack demo[/]: tuning simulated annealing on five Taillard 20x10 flow-shop instances "
                  "(20,000 iterations per solve); trial 0 runs the current defaults")
    spec = _guard(load_spec, dict(DEMO_SPEC, workers=workers))
    _warm_kernels(spec.objective.problem, spec.objective.solver)
    handle = _guard(start_study, spec, settings, n_trials=n_trials)
    _print_handle(handle)
    best_ = _guard(best_params, spec.name, settings)
    study, _ = _guard(open_study, spec.name, settings)
    default = next((t for t in study.get_trials(deepcopy=False) if t.number == 0), None)
    console.print(f"best mean gap to the best-known makespans: [bold]{best_.value:.4%}[/] (trial {best_.trial})")
    if default is not None and default.value is not None:
        gain = default.value - best_.value
        console.print(f"the defaults (trial 0):                  {default.value:.4%}")
        if gain > 0:
            console.print(f"improvement: [bold]{gain * 100:.4f}[/] percentage points "
                          f"({gain / default.value:.1%} of the defaults' gap)")
        else:
            console.print("improvement: none, the defaults were not beaten")
    console.print(f"  {best_.command}", highlight=False, soft_wrap=True)
    console.print(
        f"Look in the MLflow UI: [bold]tunetrack ui[/] prints the link to the study's trials table (experiment "
        f"'{spec.experiment_name}'): the study run '{spec.name}' holds the best_value series and spend; select "
        f"'{trial_run_name(0)}' (the defaults) and '{trial_run_name(best_.trial)}' and press Compare to see their params "
        "and per-instance gaps side by side; each solve run holds its step metrics (best, temperature) and "
        "steps.parquet.", soft_wrap=True)
    console.print(f"Then: tunetrack promote {spec.name} --dry-run  (re-evaluates at the solver's default budget "
                  "on fresh instances before anything is written)", highlight=False, soft_wrap=True)
    _exit_for(handle.stop_reason)


def _warm_kernels(family: str, solver: str) -> None:
    """Compile the demo's kernels into numba's cache first, so no trial is billed for JIT."""
    from studies.cli._warmup import warmup

    console.print("compiling the solver kernels (once per install; later runs load them from numba's cache)")
    warmup(families=[family], solver_names=[solver], as_json=False)
