"""`tunetrack gc`: study-aware retention, then MLflow's garbage collection."""

from __future__ import annotations

import fnmatch

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import TunetrackError


def register(app: typer.Typer) -> None:
    app.command("gc")(gc)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def gc(
    study: list[str] = typer.Argument(None, help="Studies to clean (finished or stopped ones); none: the retention "
                                      "policy's studies (TUNETRACK_RETENTION__STUDIES)."),
    all_: bool = typer.Option(False, "--all", help="Every finished study in the storage (running ones are skipped)."),
    older_than: str = typer.Option(None, "--older-than", help="Only runs that ended longer ago than this (0s, 90m, 14d); "
                                   "default: retention.older_than (14d)."),
    keep_top: int = typer.Option(None, "--keep-top", min=0, help="Keep the K best trials with their solves; "
                                 "default: retention.keep_top (5)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would go and the bytes it frees; delete nothing."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Delete pruned and failed trial runs (with their solves) and the solves of dominated trials.

    Keeps the study run, the best trial, the top K, promoted trials and their solves; records what it
    dropped on the study run (tag `tt.gc`, metrics `gc.*`, artefact `gc/dropped-<time>.json`); then runs
    `mlflow gc` on the tracking store so the runs' rows and artefact directories are gone for good.
    Without study names or --all it applies the retention policy in settings (`TUNETRACK_RETENTION__*`).
    """
    from studies.monitor import RuleError, parse_duration
    from studies.retention import StudyBusy, collect

    settings = settings_or_exit()
    policy = settings.retention
    by_policy = not study and not all_
    if by_policy and not policy.studies:
        fail("name one or more studies, or --all, or set a retention policy: "
             "TUNETRACK_RETENTION__STUDIES='[\"*\"]' (fnmatch patterns of the studies a plain `gc` cleans)")
    try:
        seconds = parse_duration(older_than if older_than is not None else policy.older_than)
    except RuleError as exc:
        fail(f"--older-than: {exc}")
    keep_top = policy.keep_top if keep_top is None else keep_top
    names = list(study or [])
    if all_ or by_policy:
        from studies.queries import list_studies

        finished = [s.name for s in list_studies(settings) if s.state is not None and s.state.is_finished()]
        names += finished if all_ else [n for n in finished if any(fnmatch.fnmatch(n, p) for p in policy.studies)]
    reports, refused = [], []
    for name in dict.fromkeys(names):
        try:
            reports.append(collect(name, settings, older_than_s=seconds, keep_top=keep_top, dry_run=dry_run))
        except StudyBusy as exc:
            refused.append(str(exc))
        except (TunetrackError, ValueError, KeyError) as exc:
            fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    if as_json:
        print_json({"reports": [r.model_dump(mode="json") for r in reports], "refused": refused})
    else:
        for report in reports:
            _print(report)
        for message in refused:
            console.print(f"[bold red]refused:[/] {message}", highlight=False)
    if refused and study:
        raise typer.Exit(2)


def _print(report) -> None:
    verb = "would drop" if report.dry_run else "dropped"
    console.print(f"[bold]{report.study}[/]: {verb} {len(report.drops)} runs, {_size(report.bytes)}; "
                  f"kept trials {report.kept_trials}", highlight=False)
    if report.drops:
        table = Table()
        for column in ("run_id", "kind", "trial", "reason", "bytes"):
            table.add_column(column)
        for d in report.drops:
            table.add_row(d.run_id, d.kind, "" if d.trial is None else str(d.trial), d.reason, str(d.bytes))
        console.print(table)
    if report.note:
        console.print(f"note: {report.note}", highlight=False)
