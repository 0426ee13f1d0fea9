"""`tunetrack promote`, `tunetrack mcp` and `tunetrack agent log`: promote a proven winner; serve the agent
tools over MCP; read the audit trail of their calls."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError


agent_app = typer.Typer(help="The agent tools' audit trail.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("promote")(promote)
    app.command("mcp")(mcp)
    app.add_typer(agent_app, name="agent")


def promote(
    study: str = typer.Argument(..., help="The study whose best trial is promoted."),
    to: Path = typer.Option(None, "--to", help="File inside the project to rewrite (.py, .yaml, .toml); "
                            "default: solvers/constants.py of the project."),
    symbol: list[str] = typer.Option(None, "--symbol", help="Constant to write: NAME (one tuned parameter) or "
                                     "PARAM=NAME (repeatable); default by convention, sa + cooling_rate -> "
                                     "SA_COOLING_RATE."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the decision and the diff; write nothing."),
    force: bool = typer.Option(False, "--force", help="Write even if the gate refuses (recorded as forced)."),
    alpha: float = typer.Option(None, "--alpha", help="Gate significance (default agent.promotion_alpha)."),
    seeds: int = typer.Option(None, "--seeds", help="Fresh seeds to re-evaluate on (default "
                              "agent.promotion_seeds)."),
    holdout: list[str] = typer.Option(None, "--holdout", help="Held-out instance (repeatable; default: unused "
                                      "instances of the study's size class)."),
    top_k: int = typer.Option(1, "--top-k", help="Re-evaluate the k best trials; the best is gated at alpha/k."),
    pick: str = typer.Option(None, "--pick", help="Multi-objective study: the front point to promote, e.g. "
                             "'seconds<=2' (best first metric among the points meeting it); no metric may get "
                             "significantly worse."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Re-evaluate a study's winner against the current constants and rewrite them if it wins."""
    from studies.promotion import promote as run_promotion

    settings = settings_or_exit()
    try:
        report = run_promotion(study, to, symbol or None, dry_run=dry_run, force=force, alpha=alpha, seeds=seeds,
                               holdout_instances=holdout or None, top_k=top_k, pick=pick, settings=settings)
    except TunetrackError as exc:
        fail(str(exc))
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        table = Table(title=f"{report.metric} on held-out instances, fresh seeds", title_justify="left")
        for column in ("seed", "current", f"trial {report.trial}", "better"):
            table.add_column(column)
        for s in report.decision.per_seed:
            table.add_row(str(s.seed), f"{s.current:.6g}", f"{s.candidate:.6g}", "yes" if s.better else "no")
        console.print(table)
        if report.objectives:
            checks = Table(title="every metric (the candidate may not be significantly worse)", title_justify="left")
            for column in ("metric", "current", f"trial {report.trial}", "p worse", "worse"):
                checks.add_column(column)
            for c in report.objectives:
                checks.add_row(c.metric, f"{c.mean_current:.6g}", f"{c.mean_candidate:.6g}", f"{c.p_worse:.3g}",
                               "yes" if c.worse else "no")
            console.print(checks)
        if report.rewrite is not None:
            console.print(report.rewrite.diff, highlight=False, markup=False)
        console.print(report.text, highlight=False, markup=False)
        console.print(f"promotion run {report.promotion_run_id}", style="dim")
    if not report.decision.accepted:
        raise typer.Exit(1)


def mcp() -> None:
    """Serve the agent tools (start_study, get_study_status, ... promote) over MCP on stdio."""
    from studies.agent import serve

    serve(settings_or_exit())


@agent_app.command("log")
def agent_log(
    study: str = typer.Option(None, "--study", help="Only calls that touched this study (or plan)."),
    limit: int = typer.Option(200, "--limit", min=1, help="The most recent N calls."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per call on one JSON list."),
) -> None:
    """Every agent tool call (MCP sessions): time, client, tool, redacted arguments, outcome, duration, study."""
    from studies.agent._audit import read_log

    settings = settings_or_exit()
    try:
        calls = read_log(settings, study).tail(limit)
    except TunetrackError as exc:
        fail(str(exc))
    if as_json:
        print_json(calls.to_dict(orient="records"))
        return
    table = Table(title=f"agent tool calls{f' on {study}' if study else ''}: {len(calls)}", title_justify="left")
    for column in ("at", "client", "tool", "study", "outcome", "ms", "arguments"):
        table.add_column(column, overflow="fold")
    for row in calls.to_dict(orient="records"):
        table.add_row(str(row["at"])[:23], str(row["client"]), str(row["tool"]), str(row["study"]),
                      str(row["outcome"]), f"{float(row['duration_ms']):.0f}", str(row["arguments"]))
    console.print(table)
