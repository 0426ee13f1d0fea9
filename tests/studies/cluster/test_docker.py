"""docker/compose.yaml: valid for `docker-compose config`, and every TUNETRACK_* name is a settings field."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from pydantic import BaseModel

from studies.cluster import check_stores, resolve
from tests.conftest import REPO
from studies.settings import Settings, load_settings

COMPOSE = REPO / "docker" / "compose.yaml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _tunetrack_env() -> dict[str, dict[str, str]]:
    """Service -> its TUNETRACK_* variables (the `${VAR:-default}` parts at their defaults)."""
    import re

    found = {}
    for name, service in _services().items():
        env = {k: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(v))
               for k, v in (service.get("environment") or {}).items() if k.startswith("TUNETRACK_")}
        if env:
            found[name] = env
    return found


def _is_field(variable: str) -> bool:
    model: type[BaseModel] = Settings
    for part in variable.removeprefix("TUNETRACK_").lower().split("__"):
        field = model.model_fields.get(part)
        if field is None:
            return False
        model = field.annotation if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) else None
    return model is None  # ends on a value, not on a section


def test_every_tunetrack_variable_in_compose_is_a_settings_field(monkeypatch: pytest.MonkeyPatch) -> None:
    env = _tunetrack_env()
    assert {"dask-worker", "tunetrack"} <= set(env)
    unknown = sorted({v for service in env.values() for v in service if not _is_field(v)})
    assert unknown == []
    for variable, value in env["tunetrack"].items():
        monkeypatch.setenv(variable, value)
    settings = load_settings()  # the values validate too
    address = resolve(None, settings)
    assert address is not None and address.is_remote
    check_stores(address, settings)  # and satisfy the remote cluster's storage rules


def test_the_name_check_catches_a_typo() -> None:
    assert _is_field("TUNETRACK_STUDIES__STORAGE") and _is_field("TUNETRACK_CLUSTER__ADDRESS")
    assert not _is_field("TUNETRACK_STUDY__STORAGE") and not _is_field("TUNETRACK_STUDIES")


def test_start_order_is_health_checked() -> None:
    services = _services()
    assert services["buckets"]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert services["mlflow"]["depends_on"]["buckets"]["condition"] == "service_completed_successfully"
    for name in ("dask-worker", "tunetrack"):
        assert {s: c["condition"] for s, c in services[name]["depends_on"].items()} == {
            "scheduler": "service_healthy", "mlflow": "service_healthy", "postgres": "service_healthy"}
    for name, service in services.items():
        assert "image" in service and (":" in service["image"]), f"{name}: image not pinned"
        assert not service["image"].endswith(":latest"), name


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed (.ci/run installs it)")
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE), "--profile", "cli", "config", "-q"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
