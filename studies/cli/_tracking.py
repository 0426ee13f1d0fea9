"""`tunetrack ui` and `tunetrack runs`: look at what is recorded."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json, settings_or_exit
from tracker import RunKind
from tracker.server import DEFAULT_HOST, UI_STARTUP_TIMEOUT_S, start_server

_RUN_COLUMNS = ("run_id", "experiment", "run_name", "kind", "status", "state", "start_time", "duration_s")


def register(app: typer.Typer) -> None:
    app.command("ui")(ui)
    app.command("runs")(runs)


def ui(
    host: str = typer.Option(DEFAULT_HOST, help="Address to listen on (127.0.0.1 keeps it local)."),
    port: int = typer.Option(5000, help="Port to listen on (0 picks a free one)."),
) -> None:
    """Start the MLflow UI on the configured stores and print its URL; Ctrl+C stops it."""
    settings = settings_or_exit()
    if settings.tracking.uri.startswith(("http://", "https://")):
        console.print(f"The tracking store is a server already: open {settings.tracking.uri}")
        return
    try:
        server = start_server(settings, host=host, port=port or None, timeout=UI_STARTUP_TIMEOUT_S)
    except (RuntimeError, TimeoutError, ValueError) as exc:
        fail(f"could not start the MLflow UI: {exc}")
    try:  # from here on, any stop (Ctrl+C, SIGTERM, an error) stops the server too
        console.print(f"MLflow UI: [bold]{server.url}[/]  (tracking store {settings.tracking.uri}; Ctrl+C to stop)")
        latest = _latest_study_url(settings, server.url)
        if latest:
            console.print(f"Most recent study's trials: [bold]{latest}[/]", soft_wrap=True)
        while server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _latest_study_url(settings, base_url: str) -> str | None:
    """The runs table of the most recently active study, through its saved trials view."""
    from studies._ui import install_trials_view, trials_url
    from studies.queries import list_studies, open_study
    from studies.vocabulary import Attr
    from tracker import Tracker

    try:
        latest = next((s for s in list_studies(settings) if s.objective is not None), None)
        if latest is None:
            return None
        study, spec = open_study(latest.name, settings)
        experiment_id = study.user_attrs.get(Attr.EXPERIMENT_ID)
        if not experiment_id:
            return None
        return trials_url(base_url, experiment_id, install_trials_view(Tracker(settings), spec, experiment_id))
    except Exception as exc:  # the UI itself is up; a missing link is not worth stopping it
        console.print(f"(no study link: {exc})")
        return None


def runs(
    experiment: list[str] = typer.Option(None, "--experiment", "-e", help="Experiment (study) name; repeatable."),
    kind: RunKind = typer.Option(None, help="Only runs of this kind."),
    limit: int = typer.Option(20, min=1, help="How many of the most recent runs."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List recent runs, newest first."""
    from tracker import Tracker

    tracker = Tracker(settings_or_exit())
    missing = [name for name in experiment or [] if tracker.experiment_id(name, create=False) is None]
    if missing:
        known = sorted(tracker.experiment_names().values())
        fail(f"--experiment: no experiment named {', '.join(map(repr, missing))} (experiments: {', '.join(known) or 'none'})")
    frame = tracker.runs(experiment or None, kind=kind, max_results=limit)
    names = tracker.experiment_names()
    rows = [
        {
            "run_id": r["run_id"],
            "experiment": names.get(r["experiment_id"], r["experiment_id"]),
            "run_name": r["run_name"],
            "kind": r.get("tags.tt.kind"),
            "status": r["status"],
            "state": r.get("tags.tt.state"),
            "start_time": r["start_time"].isoformat() if hasattr(r["start_time"], "isoformat") else None,
            "duration_s": None if r["duration_s"] != r["duration_s"] else round(r["duration_s"], 3),
        }
        for _, r in frame.head(limit).iterrows()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} most recent runs")
    for column in _RUN_COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in _RUN_COLUMNS))
    console.print(table)
