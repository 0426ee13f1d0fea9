"""A multi-objective study's front in MLflow: trial tags, `pareto.csv`, the plot and the hypervolume.

Called with the study's progress (at most once per flush interval, and at the end). The front
is recomputed from the Optuna storage each time; a trial run's `tt.pareto` tag is written only
where it differs from what this process last read or wrote. Tags are read back from MLflow
(one search) on a process's first pass and on every closing pass, so a stale write by another
worker is corrected and the runner's closing pass leaves every tag right.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from optuna.trial import FrozenTrial

from studies.pareto import hypervolume, reference_point
from studies.spec import StudySpec
from studies.vocabulary import Attr, Metric, completed, pareto_trials
from tracker import RunKind, Tag, Tracker
from tracker.records import PARETO_ARTIFACT, PARETO_PLOT_ARTIFACT

log = logging.getLogger(__name__)

PLOT_INTERVAL_S = 30.0
"""Drawing and storing the plot takes about a second: while trials run, redraw at most this often."""


def front_frame(spec: StudySpec, front: Sequence[FrozenTrial]):
    """The front as a table: trial, MLflow run, each objective, each parameter; best first objective first."""
    import pandas as pd

    rows = [{"trial": t.number, "run_id": t.user_attrs.get(Attr.RUN_ID),
             **dict(zip(spec.objective_names, t.values)), **{f"param.{k}": v for k, v in t.params.items()}}
            for t in front]
    columns = ["trial", "run_id", *spec.objective_names]
    frame = pd.DataFrame(rows, columns=None if rows else columns)
    return frame.sort_values([spec.objective_names[0], "trial"], ascending=[spec.objective_directions[0] == "minimize",
                                                                          True]) if rows else frame


class ParetoRecorder:
    """Keeps the study run's front records and the trial runs' `tt.pareto` tags current."""

    def __init__(self, tracker: Tracker, spec: StudySpec, parent_run_id: str) -> None:
        self.tracker = tracker
        self.spec = spec
        self.parent_run_id = parent_run_id
        self._table_of: tuple | None = None  # the front this process last wrote as pareto.csv
        self._plot_of: tuple | None = None  # ... and drew
        self._plotted_at = -float("inf")
        self._tags: dict[str, str] | None = None  # run id -> tt.pareto as this process last read or wrote it

    def update(self, trials: Sequence[FrozenTrial], step: int, *, force: bool = False) -> None:
        done = completed(trials)
        if not done:
            return
        names, directions = self.spec.objective_names, self.spec.objective_directions
        front = pareto_trials(done, directions)
        reference = list(self.spec.reference_point or reference_point([t.values for t in done], directions))
        volume = hypervolume([t.values for t in front], directions, reference)
        self.tracker.log_metrics(
            self.parent_run_id, {Metric.HYPERVOLUME: volume, Metric.PARETO_SIZE: len(front)}, step=step)
        self._sync_tags(done, {t.number for t in front}, reread=force)
        signature = (tuple(t.number for t in front), tuple(reference), len(done))
        if signature != self._table_of:
            self.tracker.set_tags(self.parent_run_id, {Tag.PARETO_REFERENCE: ",".join(f"{v:.6g}" for v in reference)})
            self.tracker.log_table(self.parent_run_id, front_frame(self.spec, front), PARETO_ARTIFACT)
            self._table_of = signature
        if signature != self._plot_of and (force or time.monotonic() - self._plotted_at >= PLOT_INTERVAL_S):
            self._plot(done, {t.number for t in front}, names, directions)
            self._plot_of, self._plotted_at = signature, time.monotonic()

    def _sync_tags(self, done: Sequence[FrozenTrial], front: set[int], *, reread: bool) -> None:
        """Set `tt.pareto` on each completed trial's run whose tag differs from its place on the front."""
        wanted = {t.user_attrs[Attr.RUN_ID]: str(t.number in front).lower() for t in done
                  if t.user_attrs.get(Attr.RUN_ID)}
        if reread or self._tags is None:
            runs = self.tracker.runs(self.spec.experiment_name, kind=RunKind.TRIAL, parent_run_id=self.parent_run_id)
            column = f"tags.{Tag.PARETO.value}"
            self._tags = dict(zip(runs["run_id"], runs[column])) if column in runs.columns else {}
        for run_id, value in wanted.items():
            if self._tags.get(run_id) != value:
                self.tracker.set_tags(run_id, {Tag.PARETO: value})
                self._tags[run_id] = value

    def _plot(self, done: Sequence[FrozenTrial], front: set[int], names: list[str], directions: list[str]) -> None:
        from studies.pareto_plot import front_figure

        figure = front_figure([t.values for t in done], [t.number in front for t in done], names, directions,
                              title=f"{self.spec.name}: {len(front)} of {len(done)} trials on the front")
        self.tracker.log_figure(self.parent_run_id, figure, PARETO_PLOT_ARTIFACT)
