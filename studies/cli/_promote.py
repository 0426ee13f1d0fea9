"""`tunetrack promote STUDY [STUDY ...]`: promote a proven winner into the constants, with the figures."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError


def promote(
    studies: list[str] = typer.Argument(..., help="The study whose best trial is promoted, or several (a staged "
                                        "plan): each winner is re-evaluated and the best is gated."),
    to: Path = typer.Option(None, "--to", help="File inside the project to rewrite (.py, .yaml, .toml); "
                            "default: solvers/constants.py of the project."),
    symbol: list[str] = typer.Option(None, "--symbol", help="Constant to write: NAME (one tuned parameter) or "
                                     "PARAM=NAME (repeatable); default by convention, sa + cooling_rate -> "
                                     "SA_COOLING_RATE."),
    only: list[str] = typer.Option(None, "--only", help="Promote only this tuned parameter (repeatable)."),
    budget: str = typer.Option(None, "--budget", help="Per-solve budget of the gate: iterations (50000) or seconds "
                               "(2.5s); default the solver's default budget, where the constants act."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the decision and the diff; write nothing."),
    force: bool = typer.Option(False, "--force", help="Write even if the gate refuses (recorded as forced)."),
    alpha: float = typer.Option(None, "--alpha", help="Gate significance (default agent.promotion_alpha)."),
    seeds: int = typer.Option(None, "--seeds", help="Fresh seeds to re-evaluate on (default "
                              "agent.promotion_seeds)."),
    holdout: list[str] = typer.Option(None, "--holdout", help="Held-out instance (repeatable; default: unused "
                                      "instances of the study's classes, else fresh ones of the same sizes)."),
    top_k: int = typer.Option(1, "--top-k", help="Re-evaluate each study's k best trials."),
    pick: str = typer.Option(None, "--pick", help="Multi-objective study: the front point to promote, e.g. "
                             "'seconds<=2' (best first metric among the points meeting it); no metric may get "
                             "significantly worse."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Re-evaluate study winners against the current constants and rewrite them if one wins.

    Exit code 0: promoted (or would be, with --dry-run); 1: refused, with the figures (or no completed
    trial to re-evaluate); 2: bad input.
    """
    from studies.promotion import NothingToPromote
    from studies.promotion import promote as run_promotion

    settings = settings_or_exit()
    try:
        report = run_promotion(studies if len(studies) > 1 else studies[0], to, symbol or None, dry_run=dry_run,
                               force=force, alpha=alpha, seeds=seeds, holdout_instances=holdout or None,
                               top_k=top_k, params=only or None, budget=budget, pick=pick,
                               settings=settings)
    except NothingToPromote as exc:  # a refusal (exit 1), not bad input
        fail(f"not promoted: {exc}", code=1)
    except TunetrackError as exc:
        fail(str(exc))
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        render(report)
    if not report.decision.accepted:
        raise typer.Exit(1)


def render(report) -> None:
    """The held-out set, each budget's per-seed figures, the studies' winners, the diff and the verdict."""
    console.print(f"held-out set: {report.holdout.description}", highlight=False, soft_wrap=True)
    console.print(f"fresh seeds: {', '.join(map(str, report.seeds))}; measure: {report.metric}", highlight=False)
    for figures in report.budgets:
        d = figures.decision
        console.print(f"{report.metric} at the {figures.label}: mean {d.mean_current:.6g} -> {d.mean_candidate:.6g} "
                      f"({d.relative_change:+.1%}), one-sided p={d.p_value:.3g}", highlight=False, soft_wrap=True)
        table = Table()
        for column in ("seed", "current", f"trial {report.trial}", "better"):
            table.add_column(column)
        for s in d.per_seed:
            table.add_row(str(s.seed), f"{s.current:.6g}", f"{s.candidate:.6g}", "yes" if s.better else "no")
        console.print(table)
    if report.winners:
        console.print(f"each study's winner vs the current constants ({report.metric}, {report.budget}):",
                      highlight=False, soft_wrap=True)
        table = Table()
        table.add_column("study", no_wrap=True)
        for column in ("trial", "space", "mean", "p vs current", "beats current", "chosen"):
            table.add_column(column)
        for w in report.winners:
            table.add_row(w.study, str(w.trial), str(len(w.space)), f"{w.mean:.6g}", f"{w.p_value:.3g}",
                          "yes" if w.beats_current else "no", "yes" if w.chosen else "")
        console.print(table)
    if report.objectives:
        console.print("every metric (the candidate may not be significantly worse):")
        checks = Table()
        for column in ("metric", "current", f"trial {report.trial}", "p worse", "worse"):
            checks.add_column(column)
        for c in report.objectives:
            checks.add_row(c.metric, f"{c.mean_current:.6g}", f"{c.mean_candidate:.6g}", f"{c.p_worse:.3g}",
                           "yes" if c.worse else "no")
        console.print(checks)
    if report.rewrite is not None:
        console.print(report.rewrite.diff, highlight=False, markup=False)
    console.print(report.text, highlight=False, markup=False, soft_wrap=True)
    console.print(f"promotion run {report.promotion_run_id}", style="dim")
