"""The one-transaction run writes (`tracker._sql_writes`) store what MLflow's own calls store.

Every case runs the same calls through `RunWrites` (plain `MlflowClient` calls; `finish_run` is
`log_batch` then `set_terminated`) and through `SqlRunWrites`, each in its own experiment of one
store, and compares what MLflow reads back: on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, Run, RunTag, ViewType
from mlflow.exceptions import MlflowException

from tests.conftest import fresh_postgres_database
from tracker import RunKind, Tracker
from tracker._sql_writes import RunWrites, SqlRunWrites, run_writes
from tracker._stores import _created
from tracker.limits import MAX_ENTITY_KEY_LENGTH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH
from tracker.settings import StepSettings, TrackerSettings, TrackingSettings

T0 = 1_700_000_000_000  # fixed timestamps: both paths log the very same points
NAN, INF = float("nan"), float("inf")
Paths = tuple[RunWrites, RunWrites]  # MLflow's own calls, then the fast path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_uri(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One store per backend for the whole module: creating (migrating) one costs more than every case here."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sql-writes')}/mlflow.db"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(scope="module")
def client(store_uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=store_uri)


@pytest.fixture(scope="module")
def paths(store_uri: str, client: MlflowClient) -> Paths:
    """MLflow's own calls, and the writes the product opens on this store (`_stores._created`)."""
    fast = _created(MlflowClient(tracking_uri=store_uri))
    assert type(fast) is SqlRunWrites
    return RunWrites(client), fast


@pytest.fixture
def experiments(client: MlflowClient, tmp_path: Path) -> tuple[str, str]:
    """A fresh experiment for each path."""
    mlflow, fast = (client.create_experiment(f"{who}-{uuid.uuid4().hex[:10]}",
                                             artifact_location=(tmp_path / who).as_uri()) for who in ("mlflow", "fast"))
    return mlflow, fast


def _both(paths: Paths, experiments: tuple[str, str], calls: Callable[[RunWrites, str], Any]) -> list[Any]:
    """What `calls(writes, experiment_id)` returns on each path: MLflow's first, the fast path's second."""
    return [calls(writes, experiment_id) for writes, experiment_id in zip(paths, experiments, strict=True)]


def _number(value: float) -> str:
    """A metric value comparable across paths (NaN equals NaN)."""
    return repr(float(value))


def _described(client: MlflowClient, run: Run) -> dict[str, Any]:
    """A run entity, except what names the run or its experiment."""
    info, data = run.info, run.data
    location = client.get_experiment(info.experiment_id).artifact_location
    return {
        "status": info.status, "name": info.run_name, "user": info.user_id, "stage": info.lifecycle_stage,
        "start": info.start_time, "end": info.end_time,
        "artifact_uri": info.artifact_uri.replace(info.run_id, "<run>").replace(location, "<experiment>"),
        "tags": data.tags, "params": data.params,
        "metrics": {key: _number(value) for key, value in data.metrics.items()},
    }


def _seen(client: MlflowClient, run_id: str) -> dict[str, Any]:
    """Everything MLflow reads back about a run (its metrics' full histories too)."""
    seen = _described(client, client.get_run(run_id))
    seen["histories"] = {key: sorted((m.step, m.timestamp, _number(m.value))
                                     for m in client.get_metric_history(run_id, key)) for key in seen["metrics"]}
    return seen


def _anonymous(seen: dict[str, Any]) -> dict[str, Any]:
    """`seen` of a run whose name MLflow generated: the name checked, then left out."""
    assert seen["name"] and seen["tags"]["mlflow.runName"] == seen["name"]
    return {**seen, "name": "<generated>", "tags": {**seen["tags"], "mlflow.runName": "<generated>"}}


# ---- 1. the same calls write the same run ----------------------------------------------------
def _lifecycle(writes: RunWrites, experiment_id: str, run_name: str | None, status: str) -> tuple[Run, str]:
    created = writes.create_run(experiment_id, start_time=T0, tags={"team": "blue", "mlflow.user": "ada"},
                                run_name=run_name)
    run_id = created.info.run_id
    writes.log_batch(run_id, metrics=[
        Metric("loss", 0.9, T0 + 1, 0), Metric("loss", 0.7, T0 + 2, 1), Metric("loss", 0.5, T0 + 3, 2),
        Metric("loss", 0.5, T0 + 3, 2),  # the same point twice in one batch
        Metric("acc", NAN, T0 + 1, 0), Metric("acc", INF, T0 + 2, 1), Metric("low", -INF, T0 + 1, 0),
        Metric("gap", 0.3, T0 + 5, 5),
        Metric("tie", 0.2, T0, 0), Metric("tie", 0.6, T0, 0),  # same step and time: the larger value is the latest
        Metric("rate", np.float32(0.5), T0, 0), Metric("count", 3, T0, 0), Metric("ratio", "0.25", T0, 0),
    ], params=[Param("lr", "0.01"), Param("layers", "3")], tags=[RunTag("stage", "warm"), RunTag("stage", "hot")])
    writes.log_batch(run_id, metrics=[
        Metric("loss", 0.4, T0 + 4, 3),  # moves the latest loss
        Metric("gap", 0.1, T0 + 9, 4),  # an older step: the latest gap stays
        Metric("gap", 0.2, T0 + 7, 5),  # same step, later time: moves the latest gap
        Metric("acc", 0.8, T0 + 1, 0),  # same step and time as the NaN: the latest acc (inf) stays
        Metric("low", NAN, T0 + 2, 1),  # the latest low becomes NaN
        Metric("tie", 0.7, T0, 0), Metric("tie", 0.4, T0, 0),  # same step and time as the stored 0.6: 0.7 wins
    ], tags=[RunTag("mlflow.runName", "renamed"), RunTag("stage", "cool")])
    writes.finish_run(run_id, metrics=[Metric("score", 2.5, T0 + 9, 0), Metric("loss", 0.35, T0 + 9, 4)],
                      params=[Param("seed", "7"), Param("lr", "0.01")],  # a param sent again, same value
                      tags=[RunTag("outcome", status.lower())], status=status, end_time=T0 + 10)
    return created, run_id


@pytest.mark.parametrize(("status", "run_name"), [("FINISHED", "trial-7"), ("FAILED", None), ("KILLED", "trial-8")])
def test_the_fast_path_writes_what_mlflow_writes(client: MlflowClient, paths: Paths, experiments: tuple[str, str],
                                                 status: str, run_name: str | None) -> None:
    created = []

    def lifecycle(writes: RunWrites, experiment_id: str) -> dict[str, Any]:
        run, run_id = _lifecycle(writes, experiment_id, run_name, status)
        created.append(_described(client, run))
        return _seen(client, run_id)

    mlflow, fast = _both(paths, experiments, lifecycle)
    if run_name is None:
        created = [_anonymous(seen) for seen in created]
    assert created[1] == created[0]
    assert created[0]["tags"] == {"team": "blue", "mlflow.user": "ada", "mlflow.runName": run_name or "<generated>"}
    assert (created[0]["status"], created[0]["user"], created[0]["end"], created[0]["params"]) == (
        "RUNNING", "ada", None, {})
    assert fast == mlflow
    assert (fast["status"], fast["name"], fast["user"], fast["stage"]) == (status, "renamed", "ada", "active")
    assert fast["tags"]["stage"] == "cool" and fast["params"] == {"lr": "0.01", "layers": "3", "seed": "7"}
    assert fast["metrics"] == {"loss": "0.35", "acc": _number(sys.float_info.max),  # MLflow's inf: the largest float
                               "low": "nan", "gap": "0.2", "score": "2.5", "tie": "0.7", "rate": "0.5", "count": "3.0",
                               "ratio": "0.25"}
    assert len(fast["histories"]["loss"]) == 5  # the repeated point is stored once

    searched = [client.search_runs([experiment_id], "metrics.loss < 0.4 and tags.team = 'blue'")
                for experiment_id in experiments]
    assert [len(runs) for runs in searched] == [1, 1]
    assert [_seen(client, runs[0].info.run_id) for runs in searched] == [mlflow, fast]
    assert [_described(client, runs[0]) for runs in searched] == [
        {k: v for k, v in seen.items() if k != "histories"} for seen in (mlflow, fast)]


# ---- 2. MLflow's errors, and nothing of a refused batch --------------------------------------
def _refused(client: MlflowClient, call: Callable[[RunWrites, str], Any]) -> Callable[[RunWrites, str], Any]:
    """A run with a param and a metric, then `call(writes, run_id)`, which must raise: its error and the run after."""

    def outcome(writes: RunWrites, experiment_id: str) -> tuple[str, str, dict[str, Any]]:
        run_id = writes.create_run(experiment_id, start_time=T0, run_name="refused").info.run_id
        writes.log_batch(run_id, params=[Param("lr", "0.01")], metrics=[Metric("loss", 1.0, T0, 0)])
        with pytest.raises(MlflowException) as raised:
            call(writes, run_id)
        return raised.value.error_code, raised.value.message.replace(run_id, "<run>"), _seen(client, run_id)

    return outcome


def _deleted(action: Callable[[RunWrites, str], Any]) -> Callable[[RunWrites, str], Any]:
    def call(writes: RunWrites, run_id: str) -> Any:
        writes.delete_run(run_id)
        return action(writes, run_id)

    return call


LANDS_NOT = dict(metrics=[Metric("loss", 0.5, T0 + 1, 1)], tags=[RunTag("landed", "yes")])
REFUSALS = {
    "a changed param": lambda w, run_id: w.log_batch(run_id, params=[Param("lr", "0.1")], **LANDS_NOT),
    "a key over the limit": lambda w, run_id: w.log_batch(
        run_id, params=[Param("k" * (MAX_ENTITY_KEY_LENGTH + 1), "1")], **LANDS_NOT),
    "a param key twice": lambda w, run_id: w.log_batch(run_id, params=[Param("a", "1"), Param("a", "2")], **LANDS_NOT),
    "a value that is no number": lambda w, run_id: w.log_batch(
        run_id, metrics=[Metric("loss", "low", T0 + 1, 1)], tags=LANDS_NOT["tags"]),
    "a run that does not exist": lambda w, run_id: w.log_batch("0" * 32, **LANDS_NOT),
    "a deleted run": _deleted(lambda w, run_id: w.log_batch(run_id, **LANDS_NOT)),
    "finishing a deleted run": _deleted(lambda w, run_id: w.finish_run(run_id, status="FINISHED", **LANDS_NOT)),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_batch_raises_mlflows_error_and_writes_nothing(
        client: MlflowClient, paths: Paths, experiments: tuple[str, str], refusal: str) -> None:
    mlflow, fast = _both(paths, experiments, _refused(client, REFUSALS[refusal]))
    assert fast == mlflow
    code, message, seen = fast
    if refusal.startswith(("a changed param", "a key over")):
        assert code == "INVALID_PARAMETER_VALUE"
    if refusal == "a key over the limit":
        assert f"exceeds the maximum length of {MAX_ENTITY_KEY_LENGTH}" in message
    assert "landed" not in seen["tags"] and seen["params"] == {"lr": "0.01"} and seen["metrics"] == {"loss": "1.0"}
    assert seen["end"] is None
    assert seen["status"] == "RUNNING"


def test_a_refused_closing_batch_still_ends_the_run_without_its_params(
        client: MlflowClient, paths: Paths, experiments: tuple[str, str]) -> None:
    """The store refuses a changed param in `finish_run`: MLflow's error is raised, and the run ends all the
    same with the batch's metrics and tags (the params are what the store refused)."""
    end = T0 + 5_000
    refuse = _refused(client, lambda w, run_id: w.finish_run(run_id, params=[Param("lr", "0.1")], status="KILLED",
                                                             end_time=end, **LANDS_NOT))
    mlflow, fast = _both(paths, experiments, refuse)
    assert fast == mlflow
    code, message, seen = fast
    assert code == "INVALID_PARAMETER_VALUE" and "Changing param values is not allowed" in message
    assert (seen["status"], seen["end"], seen["params"]) == ("KILLED", end, {"lr": "0.01"})
    assert seen["tags"]["landed"] == "yes" and seen["metrics"] == {"loss": "0.5"}


def test_a_deleted_experiment_takes_no_run(client: MlflowClient, paths: Paths,
                                           experiments: tuple[str, str]) -> None:
    def create(writes: RunWrites, experiment_id: str) -> tuple[str, str]:
        client.delete_experiment(experiment_id)
        with pytest.raises(MlflowException) as raised:
            writes.create_run(experiment_id, tags={"team": "blue"})
        return raised.value.error_code, raised.value.message.replace(experiment_id, "<experiment>")

    mlflow, fast = _both(paths, experiments, create)
    assert fast == mlflow
    assert fast[0] == "INVALID_PARAMETER_VALUE"
    assert client.search_runs(list(experiments), run_view_type=ViewType.ALL) == []


# ---- 3. points already stored, and batches MLflow's client splits -------------------------------
def test_a_point_already_stored_is_not_stored_twice(client: MlflowClient, paths: Paths,
                                                    experiments: tuple[str, str]) -> None:
    """As when a batch that landed is sent again (a retry, a spool replayed)."""
    stored = [Metric("loss", 0.5, T0, 1), Metric("acc", NAN, T0, 1)]

    def resend(writes: RunWrites, experiment_id: str) -> dict[str, Any]:
        run_id = writes.create_run(experiment_id, start_time=T0, run_name="again").info.run_id
        writes.log_batch(run_id, metrics=stored, params=[Param("lr", "0.01")])
        writes.log_batch(run_id, metrics=[*stored, Metric("loss", 0.4, T0 + 1, 2)], params=[Param("lr", "0.01")],
                         tags=[RunTag("resent", "1")])
        writes.finish_run(run_id, metrics=[*stored, Metric("score", 1.0, T0 + 2, 0)], tags=[RunTag("end", "1")],
                          status="FINISHED", end_time=T0 + 3)
        return _seen(client, run_id)

    mlflow, fast = _both(paths, experiments, resend)
    assert fast == mlflow
    assert fast["histories"]["loss"] == [(1, T0, "0.5"), (2, T0 + 1, "0.4")]
    assert fast["histories"]["acc"] == [(1, T0, "nan")]
    assert (fast["status"], fast["tags"]["resent"], fast["tags"]["end"], fast["metrics"]["score"]) == (
        "FINISHED", "1", "1", "1.0")


def test_batches_over_the_limits_are_split_as_the_client_splits_them(
        client: MlflowClient, paths: Paths, experiments: tuple[str, str]) -> None:
    many = MAX_METRICS_PER_BATCH + 1
    params = [Param(f"p{i}", str(i)) for i in range(MAX_PARAMS_TAGS_PER_BATCH + 1)]
    tags = [RunTag(f"t{i}", str(i)) for i in range(MAX_PARAMS_TAGS_PER_BATCH + 1)]

    def big(writes: RunWrites, experiment_id: str) -> dict[str, Any]:
        run_id = writes.create_run(experiment_id, start_time=T0, run_name="big").info.run_id
        writes.log_batch(run_id, metrics=[Metric("m", float(i), T0, i) for i in range(many)], params=params, tags=tags)
        writes.finish_run(run_id, metrics=[Metric("n", float(i), T0, i) for i in range(many)], status="FINISHED",
                          end_time=T0 + 1)
        return _seen(client, run_id)

    mlflow, fast = _both(paths, experiments, big)
    assert fast == mlflow
    assert (len(fast["histories"]["m"]), len(fast["histories"]["n"]), len(fast["params"])) == (many, many, len(params))
    assert fast["status"] == "FINISHED"


def test_metrics_under_an_active_model_reach_the_model(client: MlflowClient, paths: Paths,
                                                       experiments: tuple[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """MLflow's client ties metrics to the active model (`MLFLOW_ACTIVE_MODEL_ID`, read by each new thread)."""
    model = client.create_logged_model(experiments[0])
    monkeypatch.setenv("MLFLOW_ACTIVE_MODEL_ID", model.model_id)
    runs: list[str] = []

    def log(writes: RunWrites, experiment_id: str) -> None:
        run_id = writes.create_run(experiment_id, start_time=T0, run_name="modelled").info.run_id
        writes.log_batch(run_id, metrics=[Metric("acc", 0.5, T0, 0)])
        runs.append(run_id)

    worker = threading.Thread(target=_both, args=(paths, experiments, log))
    worker.start()
    worker.join()
    by_run = {m.run_id: (m.key, m.value, m.step) for m in client.get_logged_model(model.model_id).metrics}
    assert by_run == {run_id: ("acc", 0.5, 0) for run_id in runs}
    assert [client.get_run(run_id).data.metrics for run_id in runs] == [{"acc": 0.5}, {"acc": 0.5}]


# ---- 4. which stores get the fast path ------------------------------------------------------------
def test_sql_stores_get_the_one_transaction_writes(store_uri: str) -> None:
    assert type(run_writes(MlflowClient(tracking_uri=store_uri))) is SqlRunWrites


@pytest.mark.postgres
def test_a_server_store_gets_the_clients_own_calls(mlflow_server: str) -> None:
    writes = run_writes(MlflowClient(tracking_uri=mlflow_server))
    assert type(writes) is RunWrites
    experiment_id = writes.create_experiment(f"server-{uuid.uuid4().hex[:10]}")
    run_id = writes.create_run(experiment_id, run_name="served").info.run_id
    writes.finish_run(run_id, metrics=[Metric("score", 2.0, T0, 0)], params=[Param("lr", "0.01")],
                      tags=[RunTag("outcome", "killed")], status="KILLED")
    run = writes.get_run(run_id)
    assert (run.info.status, run.data.metrics, run.data.params, run.data.tags["outcome"]) == (
        "KILLED", {"score": 2.0}, {"lr": "0.01"}, "killed")
    assert run.info.end_time is not None


# ---- 5. through the product ---------------------------------------------------------------------
@pytest.mark.parametrize(("body_raises", "status"), [(False, "FINISHED"), (True, "FAILED")])
def test_a_refused_closing_record_still_ends_the_run(store_uri: str, client: MlflowClient, tmp_path: Path,
                                                     body_raises: bool, status: str) -> None:
    """A held param whose value conflicts with one logged since: the closing call is refused, the run still ends."""
    settings = TrackerSettings(
        tracking=TrackingSettings(uri=store_uri, artifact_root=str(tmp_path / "artifacts")),
        steps=StepSettings(flush_interval_s=3600.0),  # the held params wait for the closing call
    )
    tracker = Tracker(settings)
    assert type(tracker.client._client) is SqlRunWrites
    with pytest.raises(MlflowException) as raised:
        with tracker.start_run(kind=RunKind.TRIAL, experiment=f"refused-{uuid.uuid4().hex[:8]}", params={"x": 1},
                               hold_params=True) as run:
            run.log_params({"x": 2})
            run.set_final_metrics({"objective": 3.0})
            if body_raises:
                raise ZeroDivisionError("the objective failed")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Changing param values is not allowed" in raised.value.message
    if body_raises:
        assert isinstance(raised.value.__context__, ZeroDivisionError)
    got = client.get_run(run.run_id)
    assert got.info.status == status
    assert got.info.end_time is not None and got.info.end_time >= got.info.start_time
    assert got.data.params == {"x": "2"}
    assert got.data.tags["tt.state"] == ("FAIL" if body_raises else "COMPLETE")  # how it ended is still told
    assert got.data.metrics["objective"] == 3.0


def test_a_refused_closing_batch_too_big_for_one_call_still_ends_the_run(store_uri: str, client: MlflowClient,
                                                                         tmp_path: Path) -> None:
    """More held params than one store call takes: they go in chunks before the closing call, and a refused
    chunk still leaves the run ended."""
    settings = TrackerSettings(tracking=TrackingSettings(uri=store_uri, artifact_root=str(tmp_path / "artifacts")),
                               steps=StepSettings(flush_interval_s=3600.0))
    many = {f"p{i:03d}": i for i in range(MAX_PARAMS_TAGS_PER_BATCH + 20)}
    with pytest.raises(MlflowException, match="Changing param values is not allowed"):
        with Tracker(settings).start_run(kind=RunKind.TRIAL, experiment=f"chunked-{uuid.uuid4().hex[:8]}",
                                         params={**many, "x": 1}, hold_params=True) as run:
            run.log_params({"x": 2})
    got = client.get_run(run.run_id)
    assert got.info.status == "FINISHED" and got.info.end_time is not None


def test_a_spooled_closing_batch_the_store_refuses_still_ends_the_run(store_uri: str, client: MlflowClient,
                                                                      tmp_path: Path) -> None:
    """A closing batch kept through an outage and refused on replay (a conflicting param): the run still
    ends, with the batch's metrics and tags."""
    from tracker._spool import ResilientClient, _encode

    resilient = ResilientClient(_created(MlflowClient(tracking_uri=store_uri)), store_uri, tmp_path / "spool")
    experiment_id = client.create_experiment(f"spooled-{uuid.uuid4().hex[:10]}")
    run_id = resilient.create_run(experiment_id, run_name="spooled").info.run_id
    resilient.log_batch(run_id, params=[Param("x", "1")])
    end = T0 + 5_000
    resilient._spool.append(_encode("finish_run", (run_id,), {  # as `_write` keeps a write the store did not take
        "metrics": [Metric("objective", 3.0, T0, 0)], "params": [Param("x", "2")], "tags": [RunTag("tt.state", "x")],
        "status": "KILLED", "end_time": end}))
    assert resilient.flush(timeout_s=5.0) == 0
    got = client.get_run(run_id)
    assert (got.info.status, got.info.end_time) == ("KILLED", end)
    assert got.data.params == {"x": "1"}  # the refused param did not land; the rest of the batch did
    assert (got.data.metrics, got.data.tags["tt.state"]) == ({"objective": 3.0}, "x")
