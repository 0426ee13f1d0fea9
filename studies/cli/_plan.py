"""`tunetrack plan run|show`: run a benchmark plan (tuners x bundles x tiers), resumable by name."""

from __future__ import annotations

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError

plan_app = typer.Typer(help="Benchmark plans: a matrix of tuners x bundles x budget tiers, one study per cell.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


def _load(plan: str, tiers: list[str] | None):
    from studies.plans import cell_specs, load_plan

    try:
        spec = load_plan(plan)
        return spec, cell_specs(spec, tiers or None)
    except (TunetrackError, ValueError) as exc:
        fail(str(exc))


@plan_app.command("run")
def run(
    plan: str = typer.Argument(..., help="Plan file (YAML) or the name of a plan in configs/plans/."),
    tier: list[str] = typer.Option(None, "--tier", help="Only this tier (repeatable); default every tier."),
    workers: int = typer.Option(None, "--workers", min=1, help="Worker processes per study (default 1)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the matrix and its estimated cost; run nothing."),
    long_leash: bool = typer.Option(False, "--long-leash", help="Then run long solves of each cell's best "
                                    "configuration for convergence data (the plan's long_leash section)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as one JSON object."),
) -> None:
    """Run every cell of a plan not yet done (a done cell is skipped, a stopped one resumed)."""
    spec, cells = _load(plan, tier)
    if dry_run:
        _print_matrix(spec, cells, as_json)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from studies.plans import run_plan

    settings = settings_or_exit()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=as_json) as progress:
        task = progress.add_task(f"plan {spec.name}", total=len(cells))

        def on_cell(index: int, total: int, outcome) -> None:
            progress.update(task, completed=index + 1, description=f"plan {spec.name}: {outcome.study} {outcome.status}")

        try:
            outcome = run_plan(spec, settings, tiers=tier or None, workers=workers, long_leash=long_leash,
                               on_cell=on_cell)
        except (TunetrackError, ValueError) as exc:
            fail(str(exc))
    if as_json:
        print_json({"plan": outcome.plan, "run_id": outcome.run_id, "experiment": outcome.experiment,
                    "state": outcome.state.value, "long_leash_solves": outcome.long_leash_solves,
                    "cells": [c.__dict__ for c in outcome.cells]})
    else:
        counts = {s: sum(c.status == s for c in outcome.cells) for s in ("done", "skipped", "stopped", "failed")}
        console.print(f"plan [bold]{outcome.plan}[/]: {outcome.state.value.lower()}; cells "
                      + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                      + (f"; {outcome.long_leash_solves} long-leash solves" if outcome.long_leash_solves else "")
                      + f"\n  MLflow experiment {outcome.experiment}, plan run {outcome.run_id}"
                      + f"\n  next: tunetrack report {outcome.plan}")
    if outcome.state.value != "COMPLETE":
        raise typer.Exit(1)


def _print_matrix(spec, cells, as_json: bool) -> None:
    total_s = sum(c.estimated_seconds() for c in cells)
    if as_json:
        print_json({"plan": spec.name, "cells": [
            {"study": c.study, "tier": c.tier, "bundle": c.bundle, "tuner": c.tuner, "trials": c.trials,
             "solves": c.solves, "iterations": c.iterations, "estimated_s": round(c.estimated_seconds(), 1)}
            for c in cells], "estimated_s": round(total_s, 1)})
        return
    table = Table(title=f"plan {spec.name}: {len(cells)} cells", title_justify="left")
    for column in ("tier", "bundle", "tuner", "study", "trials", "solves", "iterations", "est. s"):
        table.add_column(column, justify="right" if column in ("trials", "solves", "iterations", "est. s") else "left")
    for c in cells:
        table.add_row(c.tier, c.bundle, c.tuner, c.study, str(c.trials), str(c.solves), f"{c.iterations:,}",
                      f"{c.estimated_seconds():.0f}")
    console.print(table)
    console.print(f"total: {sum(c.trials for c in cells)} trials, {sum(c.solves for c in cells):,} solves, "
                  f"{sum(c.iterations for c in cells):,} iterations; rough estimate {total_s / 60:.1f} min on one "
                  "worker (a solve's bookkeeping plus its iterations; measure with a short tier first)")


@plan_app.command("show")
def show(plan: str = typer.Argument(..., help="Plan file or name."),
         tier: list[str] = typer.Option(None, "--tier")) -> None:
    """The plan's matrix and its estimated cost (same as `plan run --dry-run`)."""
    spec, cells = _load(plan, tier)
    _print_matrix(spec, cells, False)
