"""`tunetrack report PLAN|STUDY...`: leaderboards, convergence and figures, logged under `report/`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    targets: list[str] = typer.Argument(..., help="A plan name, or one or more study names."),
    out: Path = typer.Option(None, "--out", help="Also write the report files into this directory."),
    formats: list[str] = typer.Option(None, "--format", help="md, csv, json or html (repeatable); what --out "
                                      "receives (default all). The run always gets every format."),
    as_json: bool = typer.Option(False, "--json", help="Print the headline figures as one JSON object."),
) -> None:
    """Compute a plan's (or studies') report and log it on the plan (or study) runs under report/."""
    from studies.reports import FORMATS, build_report

    chosen = tuple(formats) if formats else FORMATS
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        fail(f"--format: {bad[0]!r} is not one of {', '.join(FORMATS)}")
    settings = settings_or_exit()
    try:
        result = build_report(list(targets), settings, out=out, formats=chosen)
    except (TunetrackError, LookupError, ValueError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    if as_json:
        print_json({"title": result.title, "runs": result.run_ids, "headline": result.headline,
                    "directory": str(result.directory), "files": result.artefacts})
        return
    board = result.tables["leaderboard"]
    overall = board[board["bundle"] == "all"] if not board.empty else board
    table = Table(title=f"{result.title}: overall leaderboard", title_justify="left")
    columns = ["tuner", "rank", "best", "win_rate", "best_delta", "runtime_s", "cost"]
    for column in columns:
        table.add_column(column, justify="left" if column == "tuner" else "right")
    from studies.reports._html import cell_text

    for row in overall.reindex(columns=columns).itertuples(index=False):
        table.add_row(*(cell_text(v, "n/a") for v in row))
    console.print(table)
    console.print(f"logged under report/ on run(s) {', '.join(result.run_ids)}"
                  + (f"; files in {result.directory}" if out else "") + f" ({result.seconds:.1f} s)")
