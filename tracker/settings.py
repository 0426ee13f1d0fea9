"""The tracking part of tunetrack's one settings root, read from init args, environment, `.env`, defaults.

Environment variables use the `TUNETRACK_` prefix and `__` between nested sections, e.g.
`TUNETRACK_TRACKING__URI=http://127.0.0.1:5000` or `TUNETRACK_STEPS__POINTS_PER_METRIC=200`.
Unknown keys fail loudly so a typo never silently falls back to a default.

`TrackerSettings` holds what the tracker reads (`tracking`, `steps`); `studies.settings.Settings`
extends it with the study and agent sections, so an application has one root, one prefix and
one `.env`, while this package knows nothing of studies.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tracker.errors import SettingsError
from tracker.sqlite import absolute_sqlite_url, ensure_parent_dir

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"
DEFAULT_ARTIFACT_ROOT = "mlruns/artifacts"
DEFAULT_POINTS_PER_METRIC = 500
DEFAULT_FLUSH_INTERVAL_S = 2.0

_SECTION = ConfigDict(extra="forbid", validate_default=True)
# Database URLs of server-side stores (every worker host can reach them).
SERVER_DATABASES = ("postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://", "mysql://", "mysql+pymysql://")
SettingsT = TypeVar("SettingsT", bound="TrackerSettings")


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
        allowed = ("sqlite:///", *SERVER_DATABASES, "http://", "https://", "file:")
        if not value.startswith(allowed):
            raise ValueError(f"tracking.uri must start with one of {', '.join(allowed)}")
        return value


class StepSettings(BaseModel):
    """How step records become MLflow metric series."""

    model_config = _SECTION

    points_per_metric: int = Field(DEFAULT_POINTS_PER_METRIC, ge=10, le=1_000_000)
    flush_interval_s: float = Field(DEFAULT_FLUSH_INTERVAL_S, gt=0.0, le=3600.0)


class TrackerSettings(BaseSettings):
    """The settings root of the tracker (see module docstring for sources and precedence)."""

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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[Any, ...]:
        """init > env > `.env`; the tracker alone leaves a shared `.env`'s other sections to their root.

        Environment variables of unknown sections are ignored by pydantic-settings already; a
        root that extends this one (with `extra="forbid"`) still fails on every unknown key.
        """
        if settings_cls is TrackerSettings:
            def own_dotenv() -> dict[str, Any]:
                return {k: v for k, v in dotenv_settings().items() if k in TrackerSettings.model_fields}

            return init_settings, env_settings, own_dotenv, file_secret_settings
        return init_settings, env_settings, dotenv_settings, file_secret_settings

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
    def from_private_json(cls: type[SettingsT], text: str) -> SettingsT:
        import json

        return cls.model_validate(json.loads(text))

    def resolved(self: SettingsT) -> SettingsT:
        """A copy whose local stores are absolute paths, so another process or directory means the same."""
        root = self.tracking.artifact_root
        tracking = self.tracking.model_copy(update={
            "uri": absolute_sqlite_url(self.tracking.uri),
            "artifact_root": root if "://" in root else str(Path(root).expanduser().resolve()),
        })
        return self.model_copy(update={"tracking": tracking})

    def store_urls(self) -> list[str]:
        """Every database URL these settings name (a root that adds stores extends this)."""
        return [self.tracking.uri]

    def prepare_local_stores(self) -> None:
        """Create the directories that embedded SQLite stores and local artefacts need."""
        for url in self.store_urls():
            ensure_parent_dir(url)
        if "://" not in self.tracking.artifact_root:
            Path(self.tracking.artifact_root).mkdir(parents=True, exist_ok=True)

    def s3_environment(self) -> dict[str, str]:
        """The S3 endpoint and credentials as the environment variables MLflow's boto3 client reads."""
        t = self.tracking
        env = {}
        if t.s3_endpoint_url:
            env["MLFLOW_S3_ENDPOINT_URL"] = t.s3_endpoint_url
        if t.aws_access_key_id is not None:
            env["AWS_ACCESS_KEY_ID"] = t.aws_access_key_id.get_secret_value()
        if t.aws_secret_access_key is not None:
            env["AWS_SECRET_ACCESS_KEY"] = t.aws_secret_access_key.get_secret_value()
        return env

    def export_s3_environment(self) -> None:
        """Hand the S3 endpoint and credentials to this process's boto3 client (see `s3_environment`)."""
        os.environ.update(self.s3_environment())


def load(root: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build settings of `root`, turning pydantic's validation error into one that names each bad field.

    Unknown `TUNETRACK_*` variables and list or dict values that are not JSON are refused by name
    first (pydantic-settings would silently drop or fail to parse them).
    """
    from pydantic_settings import SettingsError as SourceError

    from tracker._strict_env import describe_unknown, not_json, unknown_variables

    if unknown := unknown_variables(root):
        raise SettingsError(describe_unknown(root, unknown))
    if bad := not_json(root):
        raise SettingsError("invalid settings:\n  " + "\n  ".join(bad))
    try:
        return root(**overrides)
    except ValidationError as exc:
        raise SettingsError.from_validation(exc) from None
    except SourceError as exc:  # a value the environment source cannot parse
        raise SettingsError(f"invalid settings:\n  {exc}") from None


def load_tracker_settings(**overrides: Any) -> TrackerSettings:
    """The tracker's settings alone, for using `tracker` without `studies`."""
    return load(TrackerSettings, **overrides)
