"""The Rich rendering of a monitor frame: one panel per target, fired alerts highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from studies.monitor._evaluate import Alert
from studies.monitor._monitor import Frame
from studies.monitor._observe import RunSnapshot, StudySnapshot
from studies.monitor._plan import MLFLOW_RUNNING, PlanProgress


def _num(value: float | None, fmt: str = ".6g") -> str:
    return "-" if value is None else format(value, fmt)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, seconds = divmod(int(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def study_table(s: StudySnapshot) -> Table:
    """A two-column grid, readable in a narrow terminal."""
    t = s.trials
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    budget = f" of {s.budget_cost:g} ({s.budget_fraction:.0%})" if s.budget_cost and s.budget_fraction is not None else ""
    lost = f", {s.workers_lost} lost" if s.workers_lost else ""
    table.add_row(f"{s.name}", f"{s.state} ({s.direction})")
    table.add_row("trials", f"{t.complete + t.pruned} of {s.target_trials}: {t.complete} complete, {t.pruned} pruned, "
                            f"{t.failed} failed, {t.running} running")
    table.add_row("best", _num(s.best_value) + (f" (trial {s.best_trial}, {s.trials_since_best} trials ago)"
                                                 if s.best_trial is not None else ""))
    table.add_row("spend", f"{s.spend:.2f}{budget}")
    table.add_row("rate", f"{_num(s.rate_per_min, '.1f')} trials/min, elapsed {_seconds(s.elapsed_s)}, eta {_seconds(s.eta_s)}")
    table.add_row("workers", f"{s.workers_alive} running a trial{lost}")
    return table


def run_table(s: RunSnapshot) -> Table:
    table = Table(title=f"[bold]{s.name or s.run_id}[/] {s.status}", title_justify="left")
    keys = [k for k in ("best", "current", "temperature") if k in s.metrics] or sorted(s.metrics)[:6]
    for column in ("step", *keys):
        table.add_column(column, justify="right")
    table.add_row(str(s.steps), *(_num(s.metrics[k]) for k in keys))
    return table


def plan_line(p: PlanProgress) -> Text:
    waiting = f"; next: {p.waiting[0]}" if p.waiting and p.status == MLFLOW_RUNNING else ""
    return Text(f"plan {p.name}: {p.cells_finished} of {p.cells_total} cells finished, "
                f"{p.cells_started - p.cells_finished} running ({(p.status or 'not started').lower()}){waiting}",
                style="bold")


def alert_line(alert: Alert) -> Text:
    return Text(f"ALERT {alert.target}: {alert.message}", style="bold white on red")


def render(frame: Frame, fired: Sequence[Alert] = ()) -> RenderableType:
    parts: list[RenderableType] = [plan_line(p) for p in frame.plans]
    parts += [
        study_table(s) if isinstance(s, StudySnapshot) else run_table(s) for s in frame.snapshots
    ]
    parts += [alert_line(a) for a in fired[-10:]]
    parts += [Text(p, style="yellow") for p in frame.problems]
    return Group(*parts)
