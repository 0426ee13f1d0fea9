"""The report's figures (matplotlib, Agg): anytime curves, budget sensitivity, ECDF, TTT, gap curves, solves.

Each function returns a Figure; the caller saves it (PNG) and closes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from studies.reports._convergence import ECDF_TARGETS, SOFT_TARGET, Trace, ecdf, fit_shifted_exponential  # noqa: E402
from studies.reports._convergence import hitting_times, ttt_points  # noqa: E402

MAX_PANELS = 9


def _grid(n: int, width: float = 4.0, height: float = 3.0):
    """A grid of panels with fixed margins: `tight_layout` measured every tick label and cost more than
    drawing the whole report's figures."""
    n = max(1, min(n, MAX_PANELS))
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.12 / rows ** 0.5, top=1 - 0.08 / rows ** 0.5,
                        wspace=0.3, hspace=0.55)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def _single(width: float = 6.0, height: float = 4.0):
    fig, ax = plt.subplots(figsize=(width, height))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.9)
    return fig, ax


def _log_axes(ax, *, x: bool = True, y: bool = False) -> None:
    """Log scales without minor tick labels (each label is a text to lay out)."""
    from matplotlib.ticker import NullFormatter

    if x:
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    if y:
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())


def anytime_figure(curves: pd.DataFrame) -> plt.Figure:
    """Best-so-far against cumulative cost, one panel per bundle and tier, one line per tuner."""
    groups = list(curves.groupby(["bundle", "tier"], sort=False)) if not curves.empty else []
    fig, axes = _grid(len(groups))
    for ax, ((bundle, tier), group) in zip(axes, groups):
        for tuner, curve in group.groupby("tuner", sort=False):
            ax.step(curve["cost_cum"], curve["best_so_far"], where="post", label=tuner)
        ax.set(title=f"{bundle} / {tier}", xlabel="cost", ylabel="best so far")
        ax.legend(fontsize="small")
    return fig


def budget_figure(budget: pd.DataFrame) -> plt.Figure:
    """Best value against runtime across tiers, one panel per bundle, one line per tuner."""
    groups = list(budget.groupby("bundle", sort=False)) if not budget.empty else []
    fig, axes = _grid(len(groups))
    for ax, (bundle, group) in zip(axes, groups):
        for tuner, rows in group.groupby("tuner", sort=False):
            ax.plot(rows["runtime_s"], rows["best"], marker="o", label=tuner)
            for _, row in rows.iterrows():
                ax.annotate(str(row["tier"]), (row["runtime_s"], row["best"]), fontsize="x-small")
        ax.set(title=bundle, xlabel="runtime (s)", ylabel="best")
        ax.legend(fontsize="small")
    return fig


def ecdf_figure(traces_by_solver: Mapping[str, Sequence[Trace]], targets: Sequence[float] = ECDF_TARGETS) -> plt.Figure:
    """Fixed-target ECDF over targets and scenarios, per solver, against iterations (log axis)."""
    fig, ax = _single()
    for solver, traces in traces_by_solver.items():
        usable = [t for t in traces if np.isfinite(t.gap).all() and t.gap.size]
        if not usable:
            continue
        hits = np.stack([hitting_times(usable, v) for v in targets])
        top = max(t.budget for t in usable)
        grid = np.unique(np.geomspace(1, max(2.0, top), 200).round())
        ax.step(grid, ecdf(hits, grid), where="post", label=solver)
    _log_axes(ax)
    ax.set(ylim=(0, 1.02), xlabel="iterations", ylabel="share of (run, target) pairs reached",
           title="fixed-target ECDF, targets " + ", ".join(f"{v:.0%}" for v in targets))
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    return fig


def ttt_figure(times_by_scenario: Mapping[str, Sequence[float]], target: float = SOFT_TARGET) -> plt.Figure:
    """Time-to-target plots (p_i = (i - 1/2)/n) with the fitted shifted exponential, one panel per scenario."""
    items = [(k, v) for k, v in times_by_scenario.items() if any(math.isfinite(x) for x in v)][:MAX_PANELS]
    fig, axes = _grid(len(items))
    for ax, (scenario, times) in zip(axes, items):
        t, p = ttt_points(times)
        ax.plot(t, p, "o", markersize=3, label="runs")
        mu, lam = fit_shifted_exponential(times)
        if math.isfinite(mu) and math.isfinite(lam) and lam > 0:
            xs = np.linspace(min(mu, t.min()), t.max() * 1.05, 100)
            ax.plot(xs, np.clip(1 - np.exp(-(xs - mu) / lam), 0, 1), label=f"mu={mu:.3g}, lambda={lam:.3g}")
        ax.set(title=f"{scenario}: time to {target:.0%}", xlabel="iterations", ylabel="cumulative probability",
               ylim=(0, 1.02))
        ax.legend(fontsize="x-small")
    if not items:
        axes[0].text(0.5, 0.5, "no run reached the target", ha="center", va="center")
    return fig


def gap_figure(traces_by_scenario: Mapping[str, Sequence[Trace]], fits: Mapping[str, tuple[float, float]]) -> plt.Figure:
    """Gap against iterations (log-log) per scenario: every run, and the fitted power law a t^-b."""
    items = list(traces_by_scenario.items())[:MAX_PANELS]
    fig, axes = _grid(len(items))
    for ax, (scenario, traces) in zip(axes, items):
        ax.set(title=scenario, xlabel="iterations", ylabel="relative gap")
        if not any(np.isfinite(t.gap).all() for t in traces):
            ax.text(0.5, 0.5, "no reference", ha="center", va="center", transform=ax.transAxes)
            continue
        drawn = False
        for trace in traces:
            keep = (trace.time > 0) & (trace.gap > 0)
            if keep.any():
                ax.plot(trace.time[keep], trace.gap[keep], color="grey", alpha=0.3, linewidth=0.8)
                drawn = True
        a, b = fits.get(scenario, (math.nan, math.nan))
        top = max((t.budget for t in traces), default=1.0)
        if math.isfinite(a) and math.isfinite(b) and top > 1:
            xs = np.geomspace(1, top, 50)
            ax.plot(xs, a * xs ** -b, color="C1", label=f"{a:.3g} t^-{b:.3g}")
            ax.legend(fontsize="x-small")
            drawn = True
        if drawn:
            _log_axes(ax, y=True)
        else:
            ax.text(0.5, 0.5, "every run at gap 0", ha="center", va="center", transform=ax.transAxes)
    return fig


def solve_figure(records: Sequence[Mapping[str, float]], reference: float | None, *, title: str = "") -> plt.Figure:
    """One solve: best and current objective against iterations, with the reference line."""
    fig, ax = _single(6.0, 3.5)
    if records:
        iterations = [r["iteration"] for r in records]
        ax.plot(iterations, [r["current"] for r in records], label="current", alpha=0.6)
        ax.plot(iterations, [r["best"] for r in records], label="best")
    if reference is not None:
        ax.axhline(reference, color="k", linestyle="--", linewidth=0.8, label=f"reference {reference:g}")
    ax.set(title=title, xlabel="iterations", ylabel="objective")
    ax.legend(fontsize="small")
    return fig
