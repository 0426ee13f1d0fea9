"""The Pareto-front figure of a multi-objective study: every completed trial, the front highlighted.

Two objectives give one scatter with the front joined as a staircase; three or more give one
panel per pair of objectives. Drawn on matplotlib's Agg canvas (no display, no pyplot state),
so workers and servers can draw it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np


def front_figure(
    points: Sequence[Sequence[float]], on_front: Sequence[bool], metrics: Sequence[str], directions: Sequence[str],
    *, title: str = "",
) -> Any:
    """A matplotlib `Figure` of `points` (one row per trial) with the front points marked.

    Args:
        points: each completed trial's values, one column per metric.
        on_front: True for the rows on the Pareto front.
        metrics: the metric names (axis labels); directions: "minimize" / "maximize" each.
        title: shown above the figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    values = np.asarray(points, dtype=np.float64).reshape(-1, len(metrics))
    mask = np.asarray(on_front, dtype=bool)
    pairs = list(itertools.combinations(range(len(metrics)), 2))
    columns = min(3, len(pairs))
    rows = -(-len(pairs) // columns)
    figure = Figure(figsize=(4.5 * columns, 4.0 * rows), dpi=90)
    FigureCanvasAgg(figure)
    for k, (i, j) in enumerate(pairs):
        axes = figure.add_subplot(rows, columns, k + 1)
        axes.scatter(values[~mask, i], values[~mask, j], s=14, color="0.7", label="dominated")
        axes.scatter(values[mask, i], values[mask, j], s=28, color="tab:red", label="Pareto front", zorder=3)
        if len(metrics) == 2 and mask.sum() > 1:
            front = values[mask][np.argsort(values[mask, i])]
            axes.step(front[:, i], front[:, j], where="post", color="tab:red", linewidth=1, zorder=2)
        axes.set_xlabel(f"{metrics[i]} ({_arrow(directions[i])})")
        axes.set_ylabel(f"{metrics[j]} ({_arrow(directions[j])})")
        axes.grid(alpha=0.3)
        if k == 0:
            axes.legend(loc="best", fontsize="small")
    if title:
        figure.suptitle(title)
    figure.subplots_adjust(left=0.12, right=0.97, bottom=0.13, top=0.88, wspace=0.35, hspace=0.35)
    return figure


def _arrow(direction: str) -> str:
    return "lower is better" if direction == "minimize" else "higher is better"
