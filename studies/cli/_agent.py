"""`tunetrack promote`, `tunetrack mcp` and `tunetrack agent log`: promote a proven winner; serve the agent
tools over MCP; read the audit trail of their calls."""

from __future__ import annotations

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError


agent_app = typer.Typer(help="The agent tools' audit trail.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from studies.cli._promote import promote

    app.command("promote")(promote)
    app.command("mcp")(mcp)
    app.add_typer(agent_app, name="agent")


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
