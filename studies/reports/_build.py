"""`build_report`: read a plan's (or studies') records, compute every table and figure, write them,
and log them back under `report/` on the plan (or study) runs with headline metrics and a Markdown note."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from studies.reports._collect import ReportData, UnknownTarget, collect_plan, collect_studies
from studies.settings import Settings, load_settings
from tracker import Tracker
from tracker.records import NOTE_TAG, REPORT_DIR

FORMATS = ("md", "csv", "json", "html")
SECTIONS = [
    ("leaderboard", "Leaderboard", "Per bundle and tier, then overall: best value (mean relative gap of the best trial), "
     "mean and median over trials, win rate over scenarios (ties split), best delta to each scenario's best tuner, "
     "runtime and cost."),
    ("cost_ranks", "Ranks at equal cost", "Each tuner's best once it had spent what the cheapest tuner of its bundle and "
     "tier spent in all."),
    ("budget", "Budget sensitivity", "Best value per tier, the gain over the previous tier and the gain per extra second."),
    ("convergence", "Convergence against known optima", "Per solver and scenario over its solves: ERT (iterations; _s in "
     "seconds) and success rates at 5 % and 1 % relative gap, fixed-target ECDF AUC, TTT fit at 5 %, power law "
     "gap(t) = a t^-b on the relative and range-normalised gaps. n/a: no reference value."),
    ("recommended_budgets", "Recommended budgets", "From the power-law fits: the gap predicted at each tier's iterations "
     "and the iterations needed for 5 % and 1 %."),
    ("difficulty", "Difficulty", "Per scenario: the best tuner's gap, the spread across tuners and who won."),
]


@dataclass
class Report:
    title: str
    kind: str
    directory: Path
    run_ids: list[str]
    headline: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(repr=False)
    artefacts: list[str] = field(default_factory=list)
    seconds: float = 0.0


def resolve(targets: list[str], settings: Settings, *, traces: bool = True) -> ReportData:
    """A plan by name (one target that names a plan run), else studies by name."""
    if not targets:
        raise UnknownTarget("name a plan or one or more studies")
    if len(targets) == 1:
        try:
            return collect_plan(targets[0], settings, traces=traces)
        except UnknownTarget:
            pass
    try:
        return collect_studies(targets, settings, traces=traces)
    except UnknownTarget as exc:
        raise UnknownTarget(f"{exc}; and no plan named {targets[0]!r} has run") from None


def build_report(
    targets: list[str],
    settings: Settings | None = None,
    *,
    out: str | Path | None = None,
    formats: tuple[str, ...] = FORMATS,
    log: bool = True,
) -> Report:
    """Compute and write the report of `targets`; log it on the runs unless `log` is False."""
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"format {bad[0]!r} is not one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    settings = (settings or load_settings()).resolved()
    data = resolve(targets, settings)
    from studies.reports._tables import all_tables

    tables = all_tables(data)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / REPORT_DIR
        directory.mkdir()
        figures = _write_figures(data, tables, directory)
        headline = _headline(data, tables)
        headline["report.seconds"] = time.perf_counter() - started
        note = summary_markdown(data, tables, headline)
        _write_tables(tables, directory)
        (directory / "summary.md").write_text(note)
        (directory / "report.json").write_text(json.dumps(
            {"title": data.title, "headline": headline, **{k: _records(v) for k, v in tables.items()}}, default=str))
        from studies.reports._html import html_page

        sections = [(heading, text, tables.get(stem)) for stem, heading, text in SECTIONS]
        (directory / "report.html").write_text(html_page(data.title, _intro(data), sections, figures))
        artefacts = sorted(p.name for p in directory.iterdir())
        if log:
            tracker = Tracker(settings)
            if data.kind == "study":  # a study run's own pictures, redrawn with its report
                from studies.reports._study_figures import log_study_figures

                for name in data.cells["study"]:
                    log_study_figures(str(name), settings)
            for run_id in data.log_to:
                tracker.log_artifacts(run_id, directory, REPORT_DIR)
                tracker.log_metrics(run_id, headline)
                tracker.set_tags(run_id, {NOTE_TAG: note})
        target = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="tunetrack-report-"))
        kept = _copy(directory, target, formats)
    return Report(data.title, data.kind, target, list(data.log_to), headline, tables, kept,
                  time.perf_counter() - started)


def _copy(directory: Path, target: Path, formats: tuple[str, ...]) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    suffixes = {"md": {".md"}, "csv": {".csv"}, "json": {".json"}, "html": {".html", ".png"}}
    wanted = set().union(*(suffixes[f] for f in formats)) if formats else set()
    kept = []
    for path in sorted(directory.iterdir()):
        if path.suffix in wanted:
            shutil.copy2(path, target / path.name)
            kept.append(path.name)
    return kept


def _write_tables(tables: dict[str, pd.DataFrame], directory: Path) -> None:
    from studies.reports._html import markdown_table

    for stem, frame in tables.items():
        frame.to_csv(directory / f"{stem}.csv", index=False)
        (directory / f"{stem}.md").write_text(markdown_table(frame, na="n/a"))


def _write_figures(data: ReportData, tables: dict[str, pd.DataFrame], directory: Path) -> dict[str, Path]:
    import matplotlib.pyplot as plt

    from studies.reports import _figures as fg

    conv = tables["convergence"]
    by_solver: dict[str, list] = {}
    by_scenario: dict[str, list] = {}
    soft_times: dict[str, list[float]] = {}
    if not data.solves.empty:
        from studies.reports._convergence import SOFT_TARGET, first_hit

        for _, solve in data.solves[data.solves["run_id"].isin(data.traces)].iterrows():
            trace = data.traces[solve["run_id"]][0]
            key = f"{solve['solver']} {solve['scenario']}"
            by_solver.setdefault(str(solve["solver"]), []).append(trace)
            by_scenario.setdefault(key, []).append(trace)
            soft_times.setdefault(key, []).append(first_hit(trace, SOFT_TARGET))
    fits = {f"{r.solver} {r.scenario}": (r.powerlaw_a, r.powerlaw_b) for r in conv.itertuples()}
    made = {
        "anytime": fg.anytime_figure(tables["anytime"]),
        "budget": fg.budget_figure(tables["budget"]),
        "ecdf": fg.ecdf_figure(by_solver),
        "ttt": fg.ttt_figure(soft_times),
        "gap_curves": fg.gap_figure(by_scenario, fits),
    }
    paths = {}
    for name, figure in made.items():
        path = directory / f"{name}.png"
        figure.savefig(path, dpi=90)
        plt.close(figure)
        paths[name] = path
    return paths


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records")) if not frame.empty else []


def _intro(data: ReportData) -> str:
    return (f"{len(data.cells)} studies, {len(data.trials)} finished trials, {len(data.solves)} solves "
            f"({len(data.traces)} traces); direction {data.direction}; tiers {', '.join(data.tier_order)}.")


def _finite_mean(values: pd.Series) -> float:
    finite = values.replace([np.inf, -np.inf], np.nan).dropna()
    return float(finite.mean()) if not finite.empty else math.nan


def _headline(data: ReportData, tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    board, conv = tables["leaderboard"], tables["convergence"]
    overall = board[board["bundle"] == "all"] if not board.empty else board
    top = overall.sort_values("rank").iloc[0] if not overall.empty else None
    with_reference = conv[conv["note"] == ""] if not conv.empty else conv
    headline = {
        "report.studies": float(len(data.cells)),
        "report.trials": float(len(data.trials)),
        "report.solves": float(len(data.solves)),
        "report.best": float(top["best"]) if top is not None else math.nan,
        "report.top_win_rate": float(top["win_rate"]) if top is not None else math.nan,
        "report.success_5pct": _finite_mean(with_reference["success_5pct"]) if not conv.empty else math.nan,
        "report.success_1pct": _finite_mean(with_reference["success_1pct"]) if not conv.empty else math.nan,
        "report.ecdf_auc": _finite_mean(with_reference["ecdf_auc"]) if not conv.empty else math.nan,
    }
    return {k: v for k, v in headline.items() if math.isfinite(v)}


def summary_markdown(data: ReportData, tables: dict[str, pd.DataFrame], headline: dict[str, float]) -> str:
    """The run's description in the MLflow UI: the headline table and where the rest is."""
    from studies.reports._html import markdown_table

    board = tables["leaderboard"]
    overall = board[board["bundle"] == "all"] if not board.empty else board
    columns = ["tuner", "rank", "best", "win_rate", "best_delta", "runtime_s", "cost", "trials"]
    conv = tables["convergence"]
    conv_cols = ["solver", "scenario", "success_5pct", "success_1pct", "ert_1pct", "ecdf_auc", "note"]
    lines = [f"## {data.title}", "", _intro(data), "", "### Overall leaderboard", "",
             markdown_table(overall.reindex(columns=columns), na="n/a"), "### Convergence", "",
             markdown_table(conv.reindex(columns=conv_cols), max_rows=12, na="n/a") if not conv.empty else "_no traces_\n",
             f"Artefacts: `{REPORT_DIR}/report.html` (tables and figures), `{REPORT_DIR}/leaderboard.csv`, "
             f"`{REPORT_DIR}/convergence.csv` and the other CSV/Markdown tables; headline metrics `report.*`."]
    return "\n".join(lines)
