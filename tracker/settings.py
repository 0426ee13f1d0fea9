"""One settings root for tunetrack, read from init args, environment, `.env`, then defaults.

Environment variables use the `TUNETRACK_` prefix and `__` between nested sections, e.g.
`TUNETRACK_TRACKING__URI=http://127.0.0.1:5000` or `TUNETRACK_STEPS__POINTS_PER_METRIC=200`.
Unknown keys fail loudly so a typo never silently falls back to a default.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.errors import SettingsError

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"
DEFAULT_ARTIFACT_ROOT = "mlruns/artifacts"
DEFAULT_STUDY_STORAGE = "sqlite:///mlruns/studies.db"
DEFAULT_POINTS_PER_METRIC = 500
DEFAULT_FLUSH_INTERVAL_S = 2.0
DEFAULT_COST_RATE = 1.0

_SECTION = ConfigDict(extra="forbid", validate_default=True)


class TrackingSettings(BaseModel):
    """Where MLflow runs and artefacts go."""

    model_config = _SECTION

    uri: str = Field(DEFAULT_TRACKING_URI, description="MLflow tracking URI (sqlite:///, postgresql://, http://).")
    artifact_root: str = Field(
        DEFAULT_ARTIFACT_ROOT, description="Artefact root for new experiments: a local path or s3://bucket/prefix."
    )
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint for s3:// artefacts.")
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None

    @field_validator("uri")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        allowed = ("sqlite:///", "postgresql://", "postgresql+psycopg2://", "mysql://", "http://", "https://", "file:")
        if not value.startswith(allowed):
            raise ValueError(f"tracking.uri must start with one of {', '.join(allowed)}; got {value!r}")
        return value


class StepSettings(BaseModel):
    """How step records become MLflow metric series."""

    model_config = _SECTION

    points_per_metric: int = Field(DEFAULT_POINTS_PER_METRIC, ge=10, le=1_000_000)
    flush_interval_s: float = Field(DEFAULT_FLUSH_INTERVAL_S, gt=0.0, le=3600.0)


class StudySettings(BaseModel):
    """Where Optuna studies live and how spend is counted."""

    model_config = _SECTION

    storage: str = Field(DEFAULT_STUDY_STORAGE, description="Optuna RDB storage URL.")
    cost_rate: float = Field(DEFAULT_COST_RATE, gt=0.0, description="Cost units per second of solver time.")

    @field_validator("storage")
    @classmethod
    def _rdb_url(cls, value: str) -> str:
        allowed = ("sqlite:///", "postgresql://", "postgresql+psycopg2://", "mysql://", "mysql+pymysql://")
        if not value.startswith(allowed):
            raise ValueError(f"studies.storage must start with one of {', '.join(allowed)}; got {value!r}")
        return value


class AgentSettings(BaseModel):
    """Guardrails for agent tools: what an agent may start and how much it may spend."""

    model_config = _SECTION

    allowed_objectives: list[str] = Field(
        default_factory=lambda: ["solver:*"],
        description="Objectives an agent may start: 'solver:*', 'solver:sa', or 'module:function' patterns.",
    )
    max_trials: int = Field(500, ge=1)
    max_cost: float = Field(3600.0, gt=0.0)
    max_workers: int = Field(4, ge=1)
    project_root: str | None = Field(
        None, description="Directory promotion may write into (None = the tunetrack checkout); targets outside "
        "it are refused.")
    promotion_alpha: float = Field(0.05, gt=0.0, lt=1.0, description="Promotion gate: one-sided Wilcoxon alpha.")
    promotion_seeds: int = Field(3, ge=1, le=100, description="Promotion gate: fresh seeds per held-out instance.")
    promotion_holdout: int = Field(
        3, ge=1, le=100, description="Promotion gate: held-out instances re-evaluated (not used by the study).")


class Settings(BaseSettings):
    """The settings root (see module docstring for sources and precedence)."""

    model_config = SettingsConfigDict(
        env_prefix="TUNETRACK_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        validate_default=True,
    )

    tracking: TrackingSettings = Field(default_factory=TrackingSettings)
    steps: StepSettings = Field(default_factory=StepSettings)
    studies: StudySettings = Field(default_factory=StudySettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)

    def redacted(self) -> dict[str, Any]:
        """Settings as plain data with every secret replaced, safe to log to MLflow."""
        return self.model_dump(mode="json")  # SecretStr dumps as '**********'

    def to_private_json(self) -> str:
        """Settings with secrets revealed, only for handing to this project's own child processes."""

        def reveal(value: Any) -> Any:
            if isinstance(value, SecretStr):
                return value.get_secret_value()
            if isinstance(value, dict):
                return {k: reveal(v) for k, v in value.items()}
            return value

        import json

        return json.dumps(reveal(self.model_dump(mode="python")))

    @classmethod
    def from_private_json(cls, text: str) -> "Settings":
        import json

        return cls.model_validate(json.loads(text))

    def resolved(self) -> "Settings":
        """A copy whose local stores are absolute paths, so another process or directory means the same."""
        root = self.tracking.artifact_root
        tracking = self.tracking.model_copy(update={
            "uri": absolute_sqlite_url(self.tracking.uri),
            "artifact_root": root if "://" in root else str(Path(root).expanduser().resolve()),
        })
        studies = self.studies.model_copy(update={"storage": absolute_sqlite_url(self.studies.storage)})
        return self.model_copy(update={"tracking": tracking, "studies": studies})

    def prepare_local_stores(self) -> None:
        """Create the directories that embedded SQLite stores and local artefacts need."""
        for url in (self.tracking.uri, self.studies.storage):
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if "://" not in self.tracking.artifact_root:
            Path(self.tracking.artifact_root).mkdir(parents=True, exist_ok=True)

    def export_s3_environment(self) -> None:
        """Hand the S3 endpoint and credentials to MLflow's boto3 client, the way MLflow reads them."""
        t = self.tracking
        if t.s3_endpoint_url:
            os.environ["MLFLOW_S3_ENDPOINT_URL"] = t.s3_endpoint_url
        if t.aws_access_key_id is not None:
            os.environ["AWS_ACCESS_KEY_ID"] = t.aws_access_key_id.get_secret_value()
        if t.aws_secret_access_key is not None:
            os.environ["AWS_SECRET_ACCESS_KEY"] = t.aws_secret_access_key.get_secret_value()


def absolute_sqlite_url(url: str) -> str:
    """`sqlite:///relative.db` resolved against the current directory (other URLs unchanged).

    Relative SQLite URLs mean "relative to where the command runs"; resolving them once keeps
    that meaning even if the process changes directory or a library caches stores by URL.
    """
    if not url.startswith("sqlite:///"):
        return url
    path, _, query = url.removeprefix("sqlite:///").partition("?")
    if path in ("", ":memory:"):
        return url
    resolved = "sqlite:///" + str(Path(path).expanduser().resolve())
    return f"{resolved}?{query}" if query else resolved


SQLITE_BUSY_TIMEOUT_S = 120


def shared_sqlite_url(url: str) -> str:
    """A SQLite store URL fit for several processes: absolute, WAL mode, a long busy timeout.

    MLflow opens SQLite with Python's default 5 s busy timeout, and a study's workers, its
    runner and a reader (the UI, an agent) write the same file; under load a writer then fails
    with "database is locked". WAL lets readers run beside the writer and persists in the
    file; the timeout (a pysqlite URL argument) makes a writer wait instead of failing.
    Other URLs are returned unchanged.
    """
    url = absolute_sqlite_url(url)
    if not url.startswith("sqlite:///"):
        return url
    path, _, query = url.removeprefix("sqlite:///").partition("?")
    if path in ("", ":memory:"):
        return url
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    if "timeout=" in query:
        return url
    return f"{url}{'&' if query else '?'}timeout={SQLITE_BUSY_TIMEOUT_S}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's validation error into one that names each bad field."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError.from_validation(exc) from None


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """Process-wide settings from the environment, read once."""
    return load_settings()
