"""A plan under watch: its cells' studies join the monitor as the plan starts them.

A plan runs its cells one after another, so when the monitor starts, only some of the cells'
studies exist. `PlanWatch` knows every cell the plan will run (from the plan file), picks up
the studies that appeared since the last refresh, and says how far the plan is: cells
started and finished, and whether its plan run is still RUNNING.
"""

from __future__ import annotations

from pydantic import BaseModel

from studies.plans import PlanSpec, cell_specs, find_plan_run
from studies.settings import Settings
from tracker import RunState, Tracker, TunetrackError

MLFLOW_RUNNING = RunState.RUNNING.mlflow_status  # a run still open, as MLflow shows it


class UnknownPlan(TunetrackError, KeyError):
    """A plan with no plan run and no cell study yet: nothing to watch."""


class PlanProgress(BaseModel):
    """A plan at one refresh: what `monitor --json` prints under `plans`."""

    kind: str = "plan"
    name: str
    status: str | None  # the plan run's MLflow status; None before `plan run` opened it
    cells_total: int
    cells_started: int
    cells_finished: int
    waiting: list[str]  # cells whose study does not exist yet

    @property
    def finished(self) -> bool:
        """Every cell finished, or the plan run ended with cells left (stopped, failed)."""
        if self.cells_finished == self.cells_total:
            return True
        return self.status is not None and self.status != MLFLOW_RUNNING and self.cells_started == self.cells_finished


class PlanWatch:
    """One plan's cells, resolved once; `discover` returns the cell studies that appeared since the last call."""

    def __init__(self, plan: PlanSpec, settings: Settings, tracker: Tracker, *, known: list[str]) -> None:
        self.plan = plan
        self.tracker = tracker
        self.settings = settings
        self.cells = [cell.study for cell in cell_specs(plan)]
        self.started: list[str] = []
        if not self.discover(known) and self._status() is None:
            raise UnknownPlan(f"plan {plan.name!r} has not run yet: no plan run and none of its "
                              f"{len(self.cells)} studies exist (start it with: tunetrack plan run {plan.name})")

    def discover(self, known: list[str]) -> list[str]:
        """Cell studies present in `known` (the storage's study names) and not yet returned, in plan order."""
        present = set(known)
        new = [name for name in self.cells if name in present and name not in self.started]
        self.started += new
        return new

    def _status(self) -> str | None:
        run = find_plan_run(self.tracker, self.plan.name, self.plan.experiment_name)
        return None if run is None else str(run["status"])

    def progress(self, finished_studies: set[str]) -> PlanProgress:
        return PlanProgress(
            name=self.plan.name, status=self._status(), cells_total=len(self.cells),
            cells_started=len(self.started), cells_finished=sum(name in finished_studies for name in self.started),
            waiting=[name for name in self.cells if name not in self.started])
