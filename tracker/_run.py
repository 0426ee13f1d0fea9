"""A tracked run: one MLflow run opened with explicit ids, always closed with the right status."""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlflow import MlflowClient
from mlflow.entities import Metric

from tracker._later import later
from tracker._spool import counted
from tracker.redaction import redact, redact_text
from tracker._steps import StepOptions, StepPipeline
from tracker._writer import BatchWriter, now_ms
from tracker.errors import RecordError
from tracker.records import EVENTS_ARTIFACT, TRACEBACK_ARTIFACT, RunState, Tag

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


class TrackedRun:
    """Context manager over one MLflow run.

    Exiting normally ends the run FINISHED; an exception ends it FAILED with the message as
    the `tt.error` tag and the traceback as an artefact; KeyboardInterrupt ends it KILLED. A
    state set with `set_state` (e.g. PRUNED) wins over all of these.

    Example:
        with Tracker().start_run(kind=RunKind.SOLVE, experiment="flowshop") as run:
            run.log_params({"sa": {"cooling_rate": 0.995}})
            for record in solver_steps():
                run.log_step(record)
            run.log_metrics({"objective": 1278.0})
    """

    def __init__(
        self,
        client: MlflowClient,
        run_id: str,
        experiment_id: str,
        steps: StepOptions,
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.experiment_id = experiment_id
        self._writer = BatchWriter(client, run_id)
        self._events: list[dict[str, Any]] = []
        self._final_metrics: dict[str, float] = {}
        self._final_tags: dict[str, Any] = {}
        self._final_points: list[Metric] = []
        self._state: RunState | None = None
        self._ended = False
        self._step_options = steps
        self._pipeline: StepPipeline | None = None  # started by the first step record
        self._held_params: dict[str, Any] | None = None
        self._held_lock = threading.Lock()

    # ---- records ---------------------------------------------------------------------
    def log_step(self, record: Mapping[str, Any]) -> None:
        """Hand one step record (a flat dict of numbers) to the step pipeline; never blocks."""
        pipeline = self._steps()
        self.log_step = pipeline.put  # type: ignore[method-assign]  # later records: one deque append
        pipeline.put(record)

    def log_steps(self, columns: Mapping[str, Any]) -> None:
        """Hand many step records at once as equal-length columns."""
        self._steps().put_columns(columns)

    def set_expected_steps(self, expected: int | None) -> None:
        """Tell the decimator how many step records to expect, so spacing covers the run."""
        self._step_options = dataclasses.replace(self._step_options, expected_steps=expected)
        if self._pipeline is not None:
            self._pipeline.set_expected_steps(expected)

    def _steps(self) -> StepPipeline:
        if self._pipeline is None:
            run_id, client = self.run_id, self.client
            self._pipeline = StepPipeline(
                self._writer, lambda path: client.log_artifact(run_id, path), self._step_options
            )
        return self._pipeline

    def log_event(self, event: Mapping[str, Any]) -> None:
        """Record a discrete action (a reheat, a tenure change); saved as `events.json`."""
        self._events.append(dict(event))

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._writer.log_params(params)

    def hold_params(self, params: Mapping[str, Any], within_s: float) -> None:
        """Params sent with the run's closing store call, or after `within_s` if the run is still open then.

        A short run (a fast trial) so records its params without a store call of their own; a long
        one shows them while it runs.
        """
        self._held_params = dict(params)
        later(within_s, self._send_held_params)

    def _take_held_params(self) -> dict[str, Any] | None:
        with self._held_lock:  # params already on their way are sent first (a spool keeps the order)
            held, self._held_params = self._held_params, None
        return held

    def _send_held_params(self) -> None:
        with self._held_lock:
            held, self._held_params = self._held_params, None
            if held:
                try:
                    self.log_params(held)
                except Exception as exc:  # a refused value: the run goes on, the warning names it
                    log.warning("run %s: could not record its params: %s", self.run_id, exc)

    def set_tags(self, tags: Mapping[str | Tag, Any]) -> None:
        self._writer.set_tags({str(k): v for k, v in tags.items()})

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0) -> None:
        """Metrics / KPIs written at once (not through the step pipeline)."""
        self._writer.log_metrics(metrics, step=step)

    def set_final_metrics(self, metrics: Mapping[str, float]) -> None:
        """Metrics written when the run ends, in the same store call as its closing tags."""
        self._final_metrics.update(metrics)

    def set_final_tags(self, tags: Mapping[str | Tag, Any]) -> None:
        """Tags written when the run ends (e.g. a name that says how it ended), in its closing store call."""
        self._final_tags.update({str(k): v for k, v in tags.items()})

    def log_series(self, name: str, values: Mapping[int, float], *, defer: bool = False) -> None:
        """Points of one metric by step; `defer` holds them for the run's closing store call."""
        stamp = now_ms()
        points = [Metric(name, float(v), stamp, int(step)) for step, v in values.items()]
        if defer:
            self._final_points.extend(points)
        else:
            self._writer.log_metric_points(points)

    # ---- artefacts -------------------------------------------------------------------
    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        self.client.log_artifact(self.run_id, str(path), artifact_path)

    def log_dict(self, obj: Any, name: str) -> None:
        """A dict (or list) as a JSON artefact named `name`."""
        self.log_text(json.dumps(redact(obj), indent=1, default=str), name)

    def log_text(self, text: str, name: str) -> None:
        """A text artefact, credentials masked."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_text(redact_text(text))
            self.log_artifact(path, _parent(name))

    def log_table(self, frame: "pd.DataFrame", name: str) -> None:
        """A DataFrame as Parquet (`.parquet`) or CSV (`.csv`), chosen by the name's suffix."""
        suffix = Path(name).suffix
        if suffix not in (".parquet", ".csv"):
            raise RecordError(f"table name must end in .parquet or .csv; got {name!r}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            frame.to_parquet(path, index=False) if suffix == ".parquet" else frame.to_csv(path, index=False)
            self.log_artifact(path, _parent(name))

    def log_figure(self, figure: Any, name: str) -> None:
        """A matplotlib figure saved as an image artefact (format from the suffix, default PNG)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            figure.savefig(path)
            self.log_artifact(path, _parent(name))

    # ---- ending ----------------------------------------------------------------------
    @property
    def state(self) -> RunState:
        return self._state or RunState.RUNNING

    def set_state(self, state: RunState) -> None:
        """Decide how the run ends (e.g. PRUNED); applied when the run ends."""
        self._state = state

    def end(self, state: RunState | None = None, error: BaseException | None = None) -> None:
        """End the run once: flush steps and events, then set the terminal status. Idempotent.

        The time spent here is tracking time (draining steps, storing artefacts), not the caller's work.
        """
        with counted():
            self._end(state, error)

    def _end(self, state: RunState | None, error: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        final = state or self._state or (RunState.FAIL if error else RunState.COMPLETE)
        tags: dict[str, Any] = {**self._final_tags, Tag.STATE: final.value}
        pipeline = self._pipeline
        try:
            try:
                if pipeline is not None:
                    pipeline.close()
            finally:
                if pipeline is not None and pipeline.errors:
                    tags[Tag.STEPS_ERROR.value] = "; ".join(pipeline.errors[:3])
                if self._events:
                    self.log_dict(self._events, EVENTS_ARTIFACT)
                if error is not None and final is RunState.FAIL:
                    tags[Tag.ERROR] = f"{type(error).__name__}: {error}"
                    self.log_text(
                        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
                        TRACEBACK_ARTIFACT,
                    )
        except Exception as exc:  # the status must still be set below
            log.warning("run %s: could not save all records: %s", self.run_id, exc)
            tags.setdefault(Tag.ERROR, f"while ending: {type(exc).__name__}: {exc}")
            if final is RunState.COMPLETE:
                final = RunState.FAIL
                tags[Tag.STATE] = final.value
        finally:
            # `finish` ends the run even when the store refuses part of its closing records
            self._writer.finish(final.mlflow_status, metrics=self._final_metrics,
                                tags={str(k): v for k, v in tags.items()}, points=self._final_points,
                                params=self._take_held_params())

    def __enter__(self) -> "TrackedRun":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            self.end()
        elif not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            self.end(self._state or RunState.INTERRUPTED)
        else:
            self.end(error=exc)
        return False

    def __repr__(self) -> str:
        return f"TrackedRun(run_id={self.run_id!r}, state={self.state.value})"


def _parent(name: str) -> str | None:
    parent = str(Path(name).parent)
    return None if parent in ("", ".") else parent
