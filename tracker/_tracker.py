"""`Tracker`: the entry point that owns one `MlflowClient` and opens tracked runs with explicit ids."""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

from tracker import queries, retention
from tracker._live import RunBrief, SeriesPoint, metric_series, run_brief
from tracker._run import TrackedRun
from tracker._views import save_view
from tracker._steps import StepOptions
from tracker._writer import BatchWriter, now_ms, truncate_tag
from tracker.records import EXPERIMENT_KIND_RUNS, EXPERIMENT_KIND_TAG, NOTE_TAG, SCHEMA_VERSION, RunKind, RunState, Tag
from tracker.settings import TrackerSettings, load_tracker_settings
from tracker.sqlite import shared_sqlite_url
from tracker._stores import open_tracking

# MLflow announces every store migration at INFO; tunetrack creates stores routinely.
logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)
logging.getLogger("alembic").setLevel(logging.WARNING)

PARENT_RUN_TAG = "mlflow.parentRunId"
DESCRIPTOR_PREFIX = "scenario."


class Tracker:
    """Opens runs, resolves experiments and answers queries against the configured stores.

    Nothing here touches MLflow's fluent state (`set_tracking_uri`, the active-run stack), so
    any number of trackers and runs can live in one process and runs nest across processes
    by explicit parent id.
    """

    def __init__(self, settings: TrackerSettings | None = None) -> None:
        """Remember the settings; nothing is created or opened until the first call that needs the store."""
        self.settings = settings or load_tracker_settings()
        self._client: MlflowClient | None = None
        self._experiment_ids: dict[str, str] = {}

    @property
    def client(self) -> MlflowClient:
        """The MLflow client on the configured store, opened on first use.

        Opening prepares local directories, hands S3 settings to boto3 and puts a SQLite store in
        WAL mode. Other packages call `Tracker` methods, never this client.
        """
        if self._client is None:
            os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
            # MLflow prints "View run ... / View experiment ..." (and reads the run back) at every run end.
            os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
            self.settings.export_s3_environment()
            # created under the store lock, probed, and wrapped so writes outlive an outage
            self._client = open_tracking(self.settings)[1]
        return self._client

    def create_store(self) -> None:
        """Open the tracking store now, creating (migrating) it if new.

        Several processes migrating one new SQLite store at once fail, so a parent calls this
        once before it starts workers; a server store answers the same call as a reachability check.
        """
        self.client.search_experiments(max_results=1)

    # ---- experiments -----------------------------------------------------------------
    def experiment_id(self, name: str, *, create: bool = True) -> str | None:
        """The id of experiment `name`, created (with tunetrack's artefact root) if missing."""
        if name in self._experiment_ids:
            return self._experiment_ids[name]
        found = self.client.get_experiment_by_name(name)
        if found is None and create:
            try:
                found_id = self.client.create_experiment(
                    name, artifact_location=self._artifact_location(name),
                    tags={EXPERIMENT_KIND_TAG: EXPERIMENT_KIND_RUNS})
            except MlflowException:  # created by another process in the meantime
                existing = self.client.get_experiment_by_name(name)
                if existing is None:
                    raise
                found_id = existing.experiment_id
        elif found is None:
            return None
        else:
            if found.lifecycle_stage == "deleted":
                self.client.restore_experiment(found.experiment_id)
            found_id = found.experiment_id
        self._experiment_ids[name] = found_id
        return found_id

    def _artifact_location(self, name: str) -> str | None:
        root = self.settings.tracking.artifact_root
        remote_tracking = self.settings.tracking.uri.startswith(("http://", "https://"))
        local_root = "://" not in root
        if remote_tracking and local_root:
            return None  # the server decides (it proxies artefacts); a local path here would be wrong
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:80] or "experiment"
        leaf = f"{slug}-{uuid.uuid4().hex[:8]}"
        if local_root:
            return (Path(root).expanduser().resolve() / leaf).as_uri()
        return f"{root.rstrip('/')}/{leaf}"

    # ---- runs ------------------------------------------------------------------------
    def start_run(
        self,
        *,
        kind: RunKind,
        experiment: str | None = None,
        run_name: str | None = None,
        parent_run_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        descriptor: Mapping[str, Any] | None = None,
        tags: Mapping[str | Tag, Any] | None = None,
        expected_steps: int | None = None,
        best_key: str = "best",
        minimize: bool = True,
        hold_params: bool = False,
    ) -> TrackedRun:
        """Open a run of `kind` in `experiment` (or the parent's), nested under `parent_run_id`.

        `params` may be nested (flattened to dotted keys); `descriptor` holds the scenario
        (sizes, reference value...) and is logged as `scenario.*` params. `hold_params` sends
        them with the run's closing store call, or after the step flush interval if the run is
        still open then (`TrackedRun.hold_params`): a short run saves a store call.
        """
        if experiment is None and parent_run_id is None:
            raise ValueError("start_run needs an experiment name or a parent_run_id")
        if experiment is not None:
            experiment_id = self.experiment_id(experiment)
        else:
            experiment_id = self.client.get_run(parent_run_id).info.experiment_id
        all_tags: dict[str, Any] = {Tag.KIND.value: RunKind(kind).value, Tag.SCHEMA.value: SCHEMA_VERSION}
        if parent_run_id:
            all_tags[PARENT_RUN_TAG] = parent_run_id
        if tags:
            all_tags.update({str(k): v for k, v in tags.items()})
        if descriptor and "name" in descriptor and Tag.SCENARIO.value not in all_tags:
            all_tags[Tag.SCENARIO.value] = descriptor["name"]
        run = self.client.create_run(
            experiment_id, start_time=now_ms(), tags={k: truncate_tag(str(v)) for k, v in all_tags.items()},
            run_name=run_name,
        )
        run_id = run.info.run_id
        steps = self.settings.steps
        tracked = TrackedRun(
            self.client,
            run_id,
            experiment_id,
            StepOptions(
                points_per_metric=steps.points_per_metric, flush_interval_s=steps.flush_interval_s,
                best_key=best_key, minimize=minimize, expected_steps=expected_steps,
            ),
        )
        try:
            merged: dict[str, Any] = dict(params or {})
            if descriptor:
                merged.update({f"{DESCRIPTOR_PREFIX}{k}": v for k, v in descriptor.items()})
            if merged and hold_params:
                tracked.hold_params(merged, steps.flush_interval_s)
            elif merged:
                tracked.log_params(merged)
        except BaseException as exc:
            tracked.end(error=exc if isinstance(exc, Exception) else None)
            raise
        return tracked

    def end_run(self, run_id: str, state: RunState, reason: str | None = None) -> None:
        """Close a run opened elsewhere (e.g. by a worker that was killed)."""
        tags: dict[str, Any] = {Tag.STATE.value: state.value}
        if reason:
            tags[Tag.ERROR.value] = reason
        BatchWriter(self.client, run_id).finish(state.mlflow_status, metrics={}, tags=tags)

    def reopen_run(self, run_id: str) -> None:
        """Set a finished run RUNNING again (a study resumed), with its `tt.state` tag."""
        self.client.update_run(run_id, status=RunState.RUNNING.mlflow_status)
        self.set_tags(run_id, {Tag.STATE: RunState.RUNNING.value})

    def is_running(self, run_id: str) -> bool:
        """Whether the run is still open in MLflow (e.g. its process was killed before closing it)."""
        return self.client.get_run(run_id).info.status == RunState.RUNNING.mlflow_status

    def set_tags(self, run_id: str, tags: Mapping[str | Tag, Any]) -> None:
        BatchWriter(self.client, run_id).set_tags({str(k): v for k, v in tags.items()})

    def log_metrics(self, run_id: str, metrics: Mapping[str, float], step: int = 0) -> None:
        BatchWriter(self.client, run_id).log_metrics(metrics, step=step)

    def log_batch(self, run_id: str, metrics: Mapping[str, float], tags: Mapping[str | Tag, Any], step: int = 0) -> None:
        """Metrics and tags of one run in one store call."""
        BatchWriter(self.client, run_id).log_batch(metrics, {str(k): v for k, v in tags.items()}, step=step)

    def log_dict(self, run_id: str, obj: Any, name: str) -> None:
        """A dict (or list) as a JSON artefact `name` of an existing run."""
        import json
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_text(json.dumps(obj, indent=1, default=str))
            parent = str(Path(name).parent)
            self.client.log_artifact(run_id, str(path), None if parent in ("", ".") else parent)

    def save_view(self, experiment_id: str, key: str, name: str, state: Mapping[str, Any]) -> str:
        """A saved view of the experiment's runs table (see `tracker._views`)."""
        return save_view(self.client, experiment_id, key, name, state)

    # ---- retention -------------------------------------------------------------------
    def artifact_bytes(self, run_id: str) -> int:
        return retention.artifact_bytes(self.client, run_id)

    def delete_runs(self, run_ids: list[str], *, purge: bool = True) -> retention.PurgeResult:
        """Delete runs; with `purge`, MLflow's garbage collection then removes them and their artefacts."""
        uris = retention.delete_runs(self.client, run_ids)
        if not purge:
            return retention.PurgeResult(0, "not purged")
        result = retention.purge_deleted(shared_sqlite_url(self.settings.tracking.uri), run_ids)
        if result.purged:
            retention.remove_empty_run_dirs(uris)
        return result

    def log_table(self, run_id: str, frame: Any, name: str) -> None:
        """A DataFrame as a `.csv` or `.parquet` artefact of a run opened elsewhere (replaces one of that name)."""
        self._artifacts(run_id).log_table(frame, name)

    def log_figure(self, run_id: str, figure: Any, name: str) -> None:
        """A matplotlib figure as an image artefact of a run opened elsewhere (replaces one of that name)."""
        self._artifacts(run_id).log_figure(figure, name)

    def _artifacts(self, run_id: str) -> TrackedRun:
        """A handle on an existing run for its artefacts only; it is never ended from here."""
        steps = self.settings.steps
        return TrackedRun(self.client, run_id, "", StepOptions(steps.points_per_metric, steps.flush_interval_s))

    # ---- queries ---------------------------------------------------------------------
    def run_brief(self, run_id: str) -> RunBrief:
        """Status, latest metrics and tags of one run."""
        return run_brief(self.client, run_id)

    def metric_series(self, run_id: str, key: str) -> list[SeriesPoint]:
        return metric_series(self.client, run_id, key)

    def runs(
        self,
        experiments: str | list[str] | None = None,
        *,
        kind: RunKind | None = None,
        filter_string: str = "",
        parent_run_id: str | None = None,
        max_results: int | None = None,
        order_by: list[str] | None = None,
    ) -> "queries.pd.DataFrame":
        """Runs as a DataFrame with typed columns (see `tracker.queries.runs_frame`)."""
        ids = self._experiment_ids_for(experiments)
        if not ids:
            return queries.runs_frame([])
        found = queries.search(
            self.client, ids, kind=kind, filter_string=filter_string, parent_run_id=parent_run_id,
            max_results=max_results, order_by=order_by,
        )
        return queries.runs_frame(found)

    def best_run(self, experiment: str, metric: str, *, direction: str = "minimize", kind: RunKind | None = None):
        return queries.best_of(self.runs(experiment, kind=kind), metric, direction)

    def leaderboard(
        self, experiment: str, metric: str, *, direction: str = "minimize", kind: RunKind | None = None, top: int = 10
    ):
        return queries.leaderboard(self.runs(experiment, kind=kind), metric, direction, top)

    def experiment_names(self) -> dict[str, str]:
        """Experiment id -> name for every active experiment."""
        return {e.experiment_id: e.name for e in self.client.search_experiments(view_type=ViewType.ACTIVE_ONLY)}

    def load_steps(self, run_id: str):
        """The full-resolution step trace of a run (`steps.parquet`) as a DataFrame."""
        return queries.load_steps(self.client, run_id)

    def load_trace(self, run_id: str, artifact_uri: str | None = None):
        """`(steps, events)` of a solve run: `steps.parquet` (None if absent) and `events.json` ([] if absent)."""
        return queries.load_trace(self.client, run_id, artifact_uri)

    def run_tags(self, run_id: str) -> dict[str, str]:
        return dict(self.client.get_run(run_id).data.tags)

    def run_note(self, run_id: str) -> str | None:
        """The run's Markdown description (`mlflow.note.content`), shown on its page in the UI."""
        return self.run_tags(run_id).get(NOTE_TAG)

    def set_parent(self, run_id: str, parent_run_id: str) -> None:
        """Nest an existing run under another of the same experiment (a plan's studies)."""
        self.set_tags(run_id, {PARENT_RUN_TAG: parent_run_id})

    def log_artifacts(self, run_id: str, local_dir: str | Path, artifact_path: str | None = None) -> None:
        """Every file under `local_dir` as artefacts of an existing run (reports, audit tables)."""
        queries.log_directory(self.client, run_id, str(local_dir), artifact_path)

    def download_artifact(self, run_id: str, path: str, dst: str | Path) -> Path:
        return Path(self.client.download_artifacts(run_id, path, str(dst)))

    def log_text(self, run_id: str, text: str, name: str) -> None:
        """A text artefact `name` (e.g. `audit/calls.csv`) of an existing run, replacing an older one."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_text(text)
            parent = str(Path(name).parent)
            self.client.log_artifact(run_id, str(path), None if parent in ("", ".") else parent)

    def read_text(self, run_id: str, name: str) -> str | None:
        """A text artefact of a run, or None if the run has none of that name."""
        import tempfile

        parent = str(Path(name).parent)
        listed = {a.path for a in self.client.list_artifacts(run_id, None if parent in ("", ".") else parent)}
        if name not in listed:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            return Path(self.client.download_artifacts(run_id, name, tmp)).read_text()

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[str]:
        return [a.path for a in self.client.list_artifacts(run_id, path)]

    def run_metrics(self, run_id: str) -> dict[str, float]:
        return dict(self.client.get_run(run_id).data.metrics)

    def artifact_uri(self, run_id: str) -> str:
        return self.client.get_run(run_id).info.artifact_uri

    def _experiment_ids_for(self, experiments: str | list[str] | None) -> list[str]:
        if experiments is None:
            return [e.experiment_id for e in self.client.search_experiments(view_type=ViewType.ACTIVE_ONLY)]
        names = [experiments] if isinstance(experiments, str) else list(experiments)
        ids = [self.experiment_id(n, create=False) for n in names]
        return [i for i in ids if i is not None]
