"""`tunetrack solve` and `tunetrack solvers`: run one tracked solve, list the solvers."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit


def register(app: typer.Typer) -> None:
    app.command("solve")(solve)
    app.command("solvers")(list_solvers)


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """`key=value` pairs; a value is read as JSON when it parses (numbers, booleans, objects), else text."""
    import solvers

    config: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise solvers.ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. --set cooling_rate=0.995")
        try:
            config[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            config[key.strip()] = raw
    return config


def solve(
    problem: str = typer.Option(..., "--problem", "-p", help="flowshop:ta021, flowshop:random:50x10:seed=3, "
                                "coloring:queen8_8, or an instance file (.txt Taillard, .col DIMACS)."),
    solver: str = typer.Option(..., "--solver", "-s", help="An algorithm `tunetrack solvers` lists (sa, ils, "
                                "tabu, ...)."),
    seed: int = typer.Option(0, help="Seed of the solver's random stream."),
    sets: list[str] = typer.Option(None, "--set", help="Parameter override KEY=VALUE (repeatable); see "
                                   "`tunetrack solvers`."),
    time_limit: float = typer.Option(None, "--time-limit", help="Seconds (stops after the running chunk)."),
    iterations: int = typer.Option(None, "--iterations", help="Iterations (default: the solver's constant)."),
    experiment: str = typer.Option(None, help="MLflow experiment (default: the problem family)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a summary."),
) -> None:
    """Solve one instance, recorded as a `solve` run in MLflow, and print the result."""
    import solvers  # numpy and numba: only for the commands that solve

    try:  # validate everything before a run exists
        if time_limit is not None and time_limit <= 0:
            raise solvers.SolverError(f"--time-limit: must be > 0 seconds (got {time_limit})")
        if iterations is not None and iterations < 0:
            raise solvers.SolverError(f"--iterations: must be >= 0 (got {iterations})")
        instance = solvers.load_instance(problem)
        config = solvers.check(instance, solver, parse_sets(sets))
    except solvers.SolverError as exc:
        fail(str(exc))
    from studies.solve import tracked_solve  # MLflow: only once the flags are valid
    from tracker import Tracker

    done = tracked_solve(Tracker(settings_or_exit()), instance, solver, config, seed=seed, time_limit=time_limit,
                         iterations=iterations, experiment=experiment)
    result = done.result
    if as_json:
        print_json({**result.to_dict(), "run_id": done.run_id, "experiment_id": done.experiment_id})
        return
    gap = "n/a" if result.gap is None else f"{100 * result.gap:.3f} %"
    console.print(f"{solver} on [bold]{instance.name}[/] (seed {seed}): objective [bold]{result.objective:g}[/], "
                  f"reference {result.reference if result.reference is not None else 'n/a'}, gap {gap}, "
                  f"{result.seconds:.2f} s, {result.iterations} iterations ({result.stop_reason})")
    console.print(f"run {done.run_id} in experiment {experiment or instance.family}", style="dim")


def list_solvers(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """List the algorithms with every parameter, its range and its default."""
    import solvers

    described = solvers.describe_solvers()
    if as_json:
        print_json({"solvers": described})
        return
    for entry in described:
        table = Table(title=f"{entry['solver']}: {entry['algorithm']}", title_justify="left")
        for column in ("parameter", "range", "default", "description"):
            table.add_column(column, overflow="fold")
        for p in entry["params"]:
            table.add_row(p["name"], p["range"], json.dumps(p["default"]), p["description"])
        console.print(table)
        for family, info in entry["families"].items():
            console.print(f"  {family} operators: {', '.join(info['operators']) or '-'}", style="dim")
