"""`tunetrack monitor`: follow studies and runs live, with alert rules."""

from __future__ import annotations

import time

import typer

from studies.cli._common import console, errors, fail, print_json, settings_or_exit
from tracker import TunetrackError

EXIT_ALERT = 3


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)


def monitor(
    study: list[str] = typer.Argument(None, help="Study name(s) to watch."),
    filter_: list[str] = typer.Option(None, "--filter", help="Also watch every study whose name matches (fnmatch, e.g. 'sa-*')."),
    plan: list[str] = typer.Option(None, "--plan", help="Watch a plan (file or shipped name): each cell's study as the plan starts it."),
    run: list[str] = typer.Option(None, "--run", help="Watch an MLflow run (a solve): best, current, temperature."),
    alert: list[str] = typer.Option(None, "--alert", help="Alert rule, repeatable: 'best<0.01', 'stall(20)', 'stall(10m)', "
                                    "'change(best,20)<1e-4', 'failure_rate>0.2', 'budget>=0.8', 'worker_death'."),
    once: bool = typer.Option(False, "--once", help="One refresh, then exit."),
    follow: bool = typer.Option(False, "--follow", help="Keep watching after every target has finished (Ctrl+C stops)."),
    interval: float = typer.Option(2.0, "--interval", help="Seconds between refreshes (at least 0.5)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per refresh on stdout instead of the live view."),
    exit_on_alert: bool = typer.Option(False, "--exit-on-alert", help=f"Exit with code {EXIT_ALERT} once an alert fired."),
    post: str = typer.Option(None, "--post", help="POST each alert as JSON to this URL."),
    exec_: str = typer.Option(None, "--exec", help="Run this shell command per alert (alert JSON on stdin, TT_ALERT_* env)."),
    no_record: bool = typer.Option(False, "--no-record", help="Do not record alerts on the study run."),
) -> None:
    """Watch studies (trials by state, best, spend vs budget, rate, ETA, workers), plans or solve runs live, with alerts.

    Every alert that fires is recorded on the study run: tag `tt.alert.<rule>` and metric `alert.<rule>`.
    """
    from studies.monitor import MIN_INTERVAL_S, Actions, Monitor, parse_rules, resolve_studies
    from studies.plans import load_plan

    if interval < MIN_INTERVAL_S:
        fail(f"--interval must be at least {MIN_INTERVAL_S} s but got {interval:g}")
    if once and follow:
        fail("--once and --follow exclude each other")
    if post and not post.startswith(("http://", "https://")):
        fail(f"--post must be an http:// or https:// URL but got {post!r}")
    settings = settings_or_exit()
    try:
        rules = parse_rules(alert)
        names = resolve_studies(settings, study or [], filter_ or [])
        plans = [load_plan(p) for p in plan or []]
        watcher = Monitor(settings, studies=names, run_ids=run or [], rules=rules, plans=plans,
                          actions=Actions(post_url=post, command=exec_), record_alerts=not no_record)
    except (TunetrackError, ValueError, KeyError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    except Exception as exc:  # an unknown run id comes back from MLflow
        fail(f"cannot watch: {exc}")
    if as_json or once:
        _plain(watcher, once=once, follow=follow, interval=interval, as_json=as_json, exit_on_alert=exit_on_alert)
    else:
        _live(watcher, follow=follow, interval=interval, exit_on_alert=exit_on_alert)


def _announce(alerts) -> None:
    for alert in alerts:
        errors.print(f"\a[bold white on red]ALERT[/] {alert.target}: {alert.message}", highlight=False)


def _plain(watcher, *, once: bool, follow: bool, interval: float, as_json: bool, exit_on_alert: bool) -> None:
    from studies.monitor._view import render

    try:
        while True:
            frame = watcher.refresh()
            _announce(frame.alerts)
            for problem in frame.problems:
                errors.print(f"[yellow]{problem}[/]", highlight=False)
            if as_json:
                print_json(frame.to_dict())
            else:
                console.print(render(frame))
            if exit_on_alert and frame.alerts:
                raise typer.Exit(EXIT_ALERT)
            if once or (frame.finished and not follow):
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return


def _live(watcher, *, follow: bool, interval: float, exit_on_alert: bool) -> None:
    from rich.live import Live

    from studies.monitor._view import render

    frame = watcher.refresh()
    try:
        with Live(render(frame, watcher.fired), console=console, refresh_per_second=4, transient=False) as live:
            while True:
                if frame.alerts:
                    console.bell()
                if exit_on_alert and frame.alerts:
                    break
                if frame.finished and not follow:
                    break
                time.sleep(interval)
                frame = watcher.refresh()
                live.update(render(frame, watcher.fired))
    except KeyboardInterrupt:
        return
    if exit_on_alert and watcher.fired:
        raise typer.Exit(EXIT_ALERT)
