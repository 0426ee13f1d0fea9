"""Run writes in one transaction each on MLflow's SQL stores (SQLite, PostgreSQL).

MLflow's `SqlAlchemyStore` opens a session for every part of a call: one `log_batch` is five
transactions (run check, params, metrics, model metrics, tags), `create_run` reads the
experiment and the run's inputs back, and closing a run is a `log_batch` then a
`set_terminated`. A study pays that on every trial. `SqlRunWrites` writes the same rows into
MLflow's tables (MLflow's own table definitions), with MLflow's validation and session maker, one
transaction per call, and closes a run (last records and status) in one (`finish_run`). Every reader (the UI, search,
`MlflowClient`) sees what MLflow itself would have written; `tests/tracker/test_sql_writes.py`
compares the two row by row.

Anything else passes through to the `MlflowClient`. A store this does not know (another
backend, a workspace-scoped subclass, an MLflow without these parts) gets the `MlflowClient`
calls for everything, as do writes outside the plain cases (metrics tied to a model or a
dataset or written under an active model, a batch over MLflow's limits, which the client splits,
a metric point already stored).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, Run, RunData, RunInfo, RunStatus, RunTag
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST

from tracker._spool import is_outage
from tracker.limits import MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH

log = logging.getLogger(__name__)

REMEMBERED_RUNS = 1024  # artefact locations kept, as many as MLflow's own cache of artefact stores


class RunWrites:
    """An `MlflowClient` plus `finish_run` (a run's last records and its status in one call), and
    artefacts of the runs it created stored without reading each run back for its location."""

    def __init__(self, client: MlflowClient) -> None:
        self._client = client
        self._artifact_uris: OrderedDict[str, str] = OrderedDict()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def create_run(self, experiment_id: str, start_time: int | None = None, tags: dict[str, str] | None = None,
                   run_name: str | None = None) -> Run:
        return self._remember(self._client.create_run(experiment_id, start_time=start_time, tags=tags,
                                                      run_name=run_name))

    def _remember(self, run: Run) -> Run:
        """Keep the new run's artefact location (the latest runs only)."""
        self._artifact_uris[run.info.run_id] = run.info.artifact_uri
        while len(self._artifact_uris) > REMEMBERED_RUNS:
            self._artifact_uris.popitem(last=False)
        return run

    def log_artifact(self, run_id: str, local_path: str, artifact_path: str | None = None) -> None:
        """As `MlflowClient.log_artifact`, which reads the run back (a `get_run`) the first time it
        stores an artefact of it; a run created here already told its location."""
        uri = self._artifact_uris.get(run_id)
        if uri is None:
            return self._client.log_artifact(run_id, local_path, artifact_path)
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        repo = get_artifact_repository(uri, tracking_uri=self._client.tracking_uri)
        if os.path.isdir(local_path):
            name = os.path.basename(os.path.normpath(local_path))
            repo.log_artifacts(local_path, os.path.join(artifact_path, name) if artifact_path is not None else name)
        else:
            repo.log_artifact(local_path, artifact_path)
        return None

    def finish_run(self, run_id: str, metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
                   tags: Sequence[RunTag] = (), status: str = "FINISHED", end_time: int | None = None) -> None:
        """Log the batch and end the run with `status` (an MLflow run status name).

        A batch the store refuses still ends the run, never left RUNNING: with its metrics and tags
        but without its params (the usual culprit: a value changed since) if it had any, else with the
        status alone; then the refusal is raised. A store that does not answer is raised at once (the
        caller's spool keeps the whole call).
        """
        try:
            self._finish(run_id, metrics, params, tags, status, end_time)
        except Exception as exc:
            if is_outage(exc):
                raise
            self._end_refused(run_id, metrics, params, tags, status, end_time)
            raise

    def _finish(self, run_id: str, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag],
                status: str, end_time: int | None) -> None:
        if metrics or params or tags:
            self._client.log_batch(run_id, metrics=list(metrics), params=list(params), tags=list(tags))
        self._client.set_terminated(run_id, status=status, end_time=end_time)

    def _end_refused(self, run_id: str, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag],
                     status: str, end_time: int | None) -> None:
        if params:
            try:
                self._finish(run_id, metrics, (), tags, status, end_time)
                return
            except Exception as exc:
                if is_outage(exc):
                    raise
                log.warning("run %s: could not record how it ended: %s", run_id, exc)
        self._client.set_terminated(run_id, status=status, end_time=end_time)


def run_writes(client: MlflowClient) -> RunWrites:
    """`SqlRunWrites` on a plain MLflow SQL store, else `RunWrites` (the client's own calls)."""
    try:
        return SqlRunWrites(client)
    except _Unsupported as why:
        log.debug("tracking writes through MlflowClient: %s", why)
        return RunWrites(client)


class _Unsupported(Exception):
    """The store is not one `SqlRunWrites` knows how to write to."""


class SqlRunWrites(RunWrites):
    """`create_run`, `log_batch` and `finish_run` in one SQL transaction each (see the module doc).

    The rows go through SQLAlchemy Core on MLflow's own tables, inside MLflow's managed session (which
    turns on SQLite's foreign keys and rolls back on error): the ORM's unit of work would cost more
    than the statements themselves.
    """

    def __init__(self, client: MlflowClient) -> None:
        super().__init__(client)
        try:
            from mlflow.store.tracking.dbmodels import models
            from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
            from mlflow.tracking.fluent import get_active_model_id
            from mlflow.tracking.metric_value_conversion_utils import convert_metric_value_to_float_if_possible
            from mlflow.utils import validation

            store = client._tracking_client.store
            self._check = (validation._validate_run_id, validation._validate_batch_log_data,
                           validation._validate_param_keys_unique)
            self._experiment_id, self._to_float, self._active_model = (
                validation._parse_experiment_id, convert_metric_value_to_float_if_possible, get_active_model_id)
            self._runs, self._tags_table, self._params_table, self._metrics_table, self._latest, self._experiments = (
                model.__table__ for model in (models.SqlRun, models.SqlTag, models.SqlParam, models.SqlMetric,
                                              models.SqlLatestMetric, models.SqlExperiment))
            store.ManagedSessionMaker, store.sanitize_metric_value, store.ARTIFACTS_FOLDER_NAME  # noqa: B018
        except (ImportError, AttributeError) as exc:
            raise _Unsupported(f"MLflow's SQL store parts are not where expected ({exc})") from None
        if type(store) is not SqlAlchemyStore:  # a subclass (workspaces, a plugin) may scope its queries
            raise _Unsupported(f"store {type(store).__name__}")
        self._store = store

    def _session(self):
        try:
            return self._store.ManagedSessionMaker(read_only=False)
        except TypeError:  # MLflow before read replicas: every session writes
            return self._store.ManagedSessionMaker()

    # ---- create ----------------------------------------------------------------------
    def create_run(self, experiment_id: str, start_time: int | None = None, tags: dict[str, str] | None = None,
                   run_name: str | None = None) -> Run:
        """As `MlflowClient.create_run`, reading only the experiment's stage and artefact location."""
        import uuid

        import sqlalchemy as sa
        from mlflow.entities import LifecycleStage, SourceType
        from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME, MLFLOW_USER
        from mlflow.utils.name_utils import _generate_random_name
        from mlflow.utils.time import get_current_time_millis
        from mlflow.utils.uri import append_to_uri_path

        tags = dict(tags or {})
        tag_name = tags.get(MLFLOW_RUN_NAME)
        if run_name and tag_name and run_name != tag_name:
            raise MlflowException(f"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
                                  f"different values (run_name='{run_name}', mlflow.runName='{tag_name}').",
                                  INVALID_PARAMETER_VALUE)
        run_name = run_name or tag_name or _generate_random_name()
        tags[MLFLOW_RUN_NAME] = run_name  # an empty tag too gets the name (MLflow stores two rows and fails)
        experiment = self._experiment_id(experiment_id)
        run_id = uuid.uuid4().hex
        experiments = self._experiments
        with self._session() as session:
            found = session.execute(sa.select(experiments.c.lifecycle_stage, experiments.c.artifact_location)
                                    .where(experiments.c.experiment_id == experiment)).one_or_none()
            if found is None:
                raise MlflowException(f"No Experiment with id={experiment_id} exists", RESOURCE_DOES_NOT_EXIST)
            if found[0] != LifecycleStage.ACTIVE:
                raise MlflowException(f"The experiment {experiment_id} must be in the 'active' state. "
                                      f"Current state is {found[0]}.", INVALID_PARAMETER_VALUE)
            info = RunInfo(
                run_id=run_id, run_name=run_name, experiment_id=str(experiment_id),
                user_id=tags.get(MLFLOW_USER, "unknown"), status=RunStatus.to_string(RunStatus.RUNNING),
                start_time=start_time or get_current_time_millis(), end_time=None,
                lifecycle_stage=LifecycleStage.ACTIVE,
                artifact_uri=append_to_uri_path(found[1], run_id, self._store.ARTIFACTS_FOLDER_NAME),
            )
            session.execute(sa.insert(self._runs).values(
                run_uuid=run_id, name=run_name, artifact_uri=info.artifact_uri, experiment_id=experiment,
                source_type=SourceType.to_string(SourceType.UNKNOWN), source_name="", entry_point_name="",
                user_id=info.user_id, status=info.status, start_time=info.start_time, end_time=None,
                deleted_time=None, source_version="", lifecycle_stage=LifecycleStage.ACTIVE))
            session.execute(sa.insert(self._tags_table),
                            [{"run_uuid": run_id, "key": k, "value": v} for k, v in tags.items()])
        return self._remember(Run(info, RunData(tags=[RunTag(k, v) for k, v in tags.items()])))

    # ---- write -----------------------------------------------------------------------
    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (), params: Sequence[Param] = (),
                  tags: Sequence[RunTag] = (), synchronous: bool | None = None) -> None:
        if synchronous is False or not self._direct(metrics, params, tags):
            return self._client.log_batch(run_id, metrics=list(metrics), params=list(params), tags=list(tags),
                                          synchronous=synchronous)
        if metrics or params or tags:
            self._write(run_id, metrics, params, tags, None, None)
        return None

    def _finish(self, run_id: str, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag],
                status: str, end_time: int | None) -> None:
        if not self._direct(metrics, params, tags):
            return super()._finish(run_id, metrics, params, tags, status, end_time)
        from mlflow.utils.time import get_current_time_millis

        self._write(run_id, metrics, params, tags, RunStatus.to_string(RunStatus.from_string(status)),
                    end_time or get_current_time_millis())
        return None

    def _direct(self, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag]) -> bool:
        """Whether MLflow would write this batch in one store call with run metrics only.

        The client splits a batch over the limits; metrics tied to a model or a dataset, or written under
        an active model, also go to MLflow's logged-model metrics.
        """
        return (len(metrics) <= MAX_METRICS_PER_BATCH and max(len(params), len(tags)) <= MAX_PARAMS_TAGS_PER_BATCH
                and len(metrics) + len(params) + len(tags) <= MAX_ENTITIES_PER_BATCH and self._active_model() is None
                and all(m.model_id is None and m.dataset_name is None and m.dataset_digest is None for m in metrics))

    def _write(self, run_id: str, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag],
               status: str | None, end_time: int | None) -> None:
        """One transaction: MLflow's checks, then params, metrics (with latest values), tags and the status."""
        import sqlalchemy as sa
        from mlflow.entities import LifecycleStage
        from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME

        validate_run_id, validate_data, validate_unique = self._check
        validate_run_id(run_id)
        metrics = [m if type(m.value) is float else Metric(m.key, self._to_float(m.value), m.timestamp, m.step)
                   for m in metrics]  # as the client does: numpy, tensors, numeric strings
        metrics, params, tags = validate_data(metrics, list(params), list(tags))
        validate_unique(params)
        runs = self._runs
        try:
            with self._session() as session:
                stage = session.execute(sa.select(runs.c.lifecycle_stage).where(runs.c.run_uuid == run_id)).scalar()
                if stage is None:
                    raise MlflowException(f"Run with id={run_id} not found", RESOURCE_DOES_NOT_EXIST)
                if stage != LifecycleStage.ACTIVE:
                    raise MlflowException(f"The run {run_id} must be in the 'active' state. Current state is "
                                          f"{stage}.", INVALID_PARAMETER_VALUE)
                self._write_params(session, run_id, params)
                self._write_metrics(session, run_id, metrics)
                wanted = self._write_tags(session, run_id, tags)
                changes: dict[str, Any] = {}
                if MLFLOW_RUN_NAME in wanted:
                    changes["name"] = wanted[MLFLOW_RUN_NAME]
                if status is not None:
                    changes.update(status=status, end_time=end_time)
                if changes:
                    session.execute(sa.update(runs).where(runs.c.run_uuid == run_id).values(**changes))
        except MlflowException as exc:  # the managed session wraps SQLAlchemy's errors
            if not isinstance(exc.__cause__, sa.exc.IntegrityError):
                raise
            # a metric point already stored (or a row another writer added meanwhile): MLflow's own calls skip it
            self._client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
            if status is not None:
                self._client.set_terminated(run_id, status=status, end_time=end_time)

    def _write_params(self, session, run_id: str, params: Sequence[Param]) -> None:
        import sqlalchemy as sa

        if not params:
            return
        table = self._params_table
        existing = dict(session.execute(sa.select(table.c.key, table.c.value).where(
            table.c.run_uuid == run_id, table.c.key.in_([p.key for p in params]))).all())
        changed = [{"key": p.key, "old_value": existing[p.key], "new_value": p.value}
                   for p in params if p.key in existing and existing[p.key] != p.value]
        if changed:
            raise MlflowException(f"Changing param values is not allowed. Params were already logged='{changed}' "
                                  f"for run ID='{run_id}'.", INVALID_PARAMETER_VALUE)
        rows = [{"run_uuid": run_id, "key": p.key, "value": p.value} for p in params if p.key not in existing]
        if rows:
            session.execute(sa.insert(table), rows)

    def _write_metrics(self, session, run_id: str, metrics: Sequence[Metric]) -> None:
        import sqlalchemy as sa

        if not metrics:
            return
        rows, seen = [], set()
        for metric in metrics:
            if metric in seen:  # MLflow drops a point repeated within one batch
                continue
            seen.add(metric)
            is_nan, value = self._store.sanitize_metric_value(metric.value)
            rows.append({"run_uuid": run_id, "key": metric.key, "value": value, "timestamp": metric.timestamp,
                         "step": metric.step, "is_nan": is_nan})
        session.execute(sa.insert(self._metrics_table), rows)
        newest: dict[str, dict[str, Any]] = {}
        for row in rows:  # per key, the latest point by (step, timestamp, value), as MLflow orders them
            best = newest.get(row["key"])
            if best is None or _order(row) > _order(best):
                newest[row["key"]] = row
        latest = self._latest
        stored = {r.key: r for r in session.execute(
            sa.select(latest.c.key, latest.c.value, latest.c.timestamp, latest.c.step)
            .where(latest.c.run_uuid == run_id, latest.c.key.in_(sorted(newest)))
            .order_by(latest.c.run_uuid, latest.c.key).with_for_update())}
        added = [row for key, row in newest.items() if key not in stored]
        if added:
            session.execute(sa.insert(latest), added)
        moved = [{"b_key": key, **{k: row[k] for k in ("value", "timestamp", "step", "is_nan")}}
                 for key, row in newest.items() if key in stored and _order(row) > _order(stored[key]._mapping)]
        if moved:
            session.execute(sa.update(latest).where(latest.c.run_uuid == run_id, latest.c.key == sa.bindparam("b_key"))
                            .values(value=sa.bindparam("value"), timestamp=sa.bindparam("timestamp"),
                                    step=sa.bindparam("step"), is_nan=sa.bindparam("is_nan")), moved)

    def _write_tags(self, session, run_id: str, tags: Sequence[RunTag]) -> dict[str, str]:
        """Set `tags` (the last value of a repeated key wins, as in MLflow); returns them by key."""
        import sqlalchemy as sa

        wanted = {t.key: t.value for t in tags}
        if not wanted:
            return wanted
        table = self._tags_table
        existing = set(session.execute(sa.select(table.c.key).where(
            table.c.run_uuid == run_id, table.c.key.in_(sorted(wanted)))).scalars())
        added = [{"run_uuid": run_id, "key": k, "value": v} for k, v in wanted.items() if k not in existing]
        if added:
            session.execute(sa.insert(table), added)
        changed = [{"b_key": k, "value": v} for k, v in wanted.items() if k in existing]
        if changed:
            session.execute(sa.update(table).where(table.c.run_uuid == run_id, table.c.key == sa.bindparam("b_key"))
                            .values(value=sa.bindparam("value")), changed)
        return wanted


def _order(row: Mapping[str, Any]) -> tuple:
    """MLflow's order of a metric's points for its latest value: step, then timestamp, then value."""
    return row["step"], row["timestamp"], row["value"]
