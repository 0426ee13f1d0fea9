"""The address, the storage rules of a remote cluster and the refusals, all before anything is created."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from studies import agent
from studies.cli import app
from studies.cluster import ClusterAddress, ClusterError, check_stores, prepare, resolve
from studies.cluster import _supervisor
from studies.settings import load_settings
from tracker import SettingsError
from tracker.server import free_port

from ..conftest import callable_spec

runner = CliRunner()
SECRET = "s3cret-pw"
PG = f"postgresql+psycopg://tt:{SECRET}@db-host:5432/studies"
REMOTE = ClusterAddress.parse("tcp://scheduler-host:8786")


@pytest.mark.parametrize(("text", "expected"), [
    ("local", ClusterAddress(None, None)),
    ("local:3", ClusterAddress(None, 3)),
    ("tcp://10.0.0.5:8786", ClusterAddress("tcp://10.0.0.5:8786")),
    ("tls://sched.example.org:8786", ClusterAddress("tls://sched.example.org:8786")),
])
def test_addresses(text: str, expected: ClusterAddress) -> None:
    assert ClusterAddress.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["local:0", "local:x", "dask", "http://host:8786", "tcp://", "remote:4"])
def test_a_bad_address_names_the_flag_and_the_allowed_forms(text: str) -> None:
    with pytest.raises(ClusterError, match=r"--cluster must be 'local', 'local:N'.*tcp://host:8786"):
        ClusterAddress.parse(text)


def test_the_setting_is_read_from_the_environment_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_CLUSTER__ADDRESS", "local:2")
    assert resolve(None, load_settings()) == ClusterAddress(None, 2)
    assert resolve("tcp://h:8786", load_settings()) == ClusterAddress("tcp://h:8786")  # the flag wins
    monkeypatch.setenv("TUNETRACK_CLUSTER__ADDRESS", "somewhere")
    with pytest.raises(SettingsError, match="cluster.address"):
        load_settings()


def test_a_local_cluster_takes_any_store() -> None:
    check_stores(ClusterAddress.parse("local:2"), load_settings())


def test_a_remote_cluster_accepts_servers_every_host_reaches() -> None:
    settings = load_settings(tracking={"uri": "http://mlflow-host:5000"}, studies={"storage": PG})
    check_stores(REMOTE, settings)
    check_stores(REMOTE, load_settings(
        tracking={"uri": PG.replace("studies", "mlflow"), "artifact_root": "s3://bucket/runs"}, studies={"storage": PG}))


@pytest.mark.parametrize(("tracking", "storage", "named"), [
    ({}, PG, "tracking.uri (TUNETRACK_TRACKING__URI)"),
    ({"uri": "http://mlflow-host:5000"}, "sqlite:///mlruns/studies.db", "studies.storage (TUNETRACK_STUDIES__STORAGE)"),
    ({"uri": PG}, PG, "tracking.artifact_root (TUNETRACK_TRACKING__ARTIFACT_ROOT)"),
    ({"uri": "http://127.0.0.1:5000"}, PG, "tracking.uri (TUNETRACK_TRACKING__URI) points at this machine"),
    ({"uri": "http://mlflow-host:5000"}, PG.replace("db-host", "localhost"), "studies.storage (TUNETRACK_STUDIES__STORAGE) points"),
])
def test_a_remote_cluster_refuses_stores_other_hosts_cannot_reach(tracking: dict, storage: str, named: str) -> None:
    settings = load_settings(tracking=tracking, studies={"storage": storage})
    with pytest.raises(ClusterError) as caught:
        check_stores(REMOTE, settings)
    assert named in str(caught.value)
    assert SECRET not in str(caught.value)


def test_loopback_stores_are_fine_behind_a_loopback_scheduler() -> None:
    settings = load_settings(tracking={"uri": "http://127.0.0.1:5000"}, studies={"storage": PG.replace("db-host", "127.0.0.1")})
    check_stores(ClusterAddress.parse("tcp://127.0.0.1:8786"), settings)


def _write_spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(callable_spec("refused", "quadratic")))
    return path


def test_cli_refuses_sqlite_with_a_remote_cluster_before_creating_anything(tmp_path: Path) -> None:
    result = runner.invoke(app, ["study", "start", str(_write_spec(tmp_path)), "--cluster", "tcp://10.1.2.3:8786"])
    assert result.exit_code == 2
    assert "studies.storage (TUNETRACK_STUDIES__STORAGE) is a SQLite file" in result.output
    assert "tracking.uri (TUNETRACK_TRACKING__URI) is a local store" in result.output
    assert not (tmp_path / "mlruns").exists()


def test_cli_never_shows_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_STUDIES__STORAGE", PG)
    result = runner.invoke(app, ["study", "start", str(_write_spec(tmp_path)), "--cluster", "tcp://10.1.2.3:8786"])
    assert result.exit_code == 2 and "tracking.uri" in result.output
    assert SECRET not in result.output
    monkeypatch.setenv("TUNETRACK_STUDIES__STORAGE", PG.replace("postgresql+psycopg", "oracle"))
    bad = runner.invoke(app, ["study", "start", str(_write_spec(tmp_path))])
    assert bad.exit_code == 2 and "studies.storage" in bad.output and SECRET not in bad.output


def test_the_agent_tool_refuses_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_AGENT__ALLOWED_OBJECTIVES", '["tests.studies._objectives:*"]')
    out = agent.start_study(**callable_spec("agent-refused", "quadratic"), cluster="tcp://10.1.2.3:8786")
    assert not out.ok and out.error.kind == "invalid_input"
    assert "studies.storage (TUNETRACK_STUDIES__STORAGE)" in out.error.message
    assert not (tmp_path / "mlruns" / "studies.db").exists()


def test_a_scheduler_that_does_not_answer_is_refused_before_anything_is_created(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_supervisor, "CONNECT_TIMEOUT_S", 1)
    settings = load_settings(tracking={"uri": "http://127.0.0.1:5000"}, studies={"storage": PG.replace("db-host", "127.0.0.1")})
    with pytest.raises(ClusterError, match="no Dask scheduler answers"):
        prepare(f"tcp://127.0.0.1:{free_port()}", settings)
