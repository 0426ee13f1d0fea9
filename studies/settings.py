"""tunetrack's settings root: the tracker's sections plus where studies live and what an agent may do.

One root, one prefix (`TUNETRACK_`), one `.env`: `TUNETRACK_STUDIES__STORAGE=postgresql://...`,
`TUNETRACK_AGENT__MAX_TRIALS=50`, `TUNETRACK_CLUSTER__ADDRESS=tcp://scheduler:8786`,
`TUNETRACK_RETENTION__OLDER_THAN=30d`. The tracking sections (`tracking`, `steps`) are defined in
`tracker.settings`; this module adds the sections only studies read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from studies.durations import parse_duration
from tracker.settings import SERVER_DATABASES, TrackerSettings, load
from tracker.sqlite import absolute_sqlite_url

DEFAULT_STUDY_STORAGE = "sqlite:///mlruns/studies.db"
DEFAULT_COST_RATE = 1.0
HEARTBEAT_INTERVAL_S = 5
"""How often a running trial's worker writes its heartbeat to the study storage."""
DEFAULT_HEARTBEAT_GRACE_S = 20
DEFAULT_PROMOTION_TOLERANCE = 0.1
"""How much worse than the current constants a metric may get (a fraction) before promotion counts it a loss."""

_SECTION = ConfigDict(extra="forbid", validate_default=True)
# `local`, `local:N` or a Dask scheduler address
CLUSTER_ADDRESS = re.compile(r"local(:[1-9][0-9]*)?|(tcp|tls|ucx)://[^\s/:]+(:[0-9]+)?")


class StudySettings(BaseModel):
    """Where Optuna studies live and how spend is counted."""

    model_config = _SECTION

    storage: str = Field(DEFAULT_STUDY_STORAGE, description="Optuna RDB storage URL.")
    cost_rate: float = Field(DEFAULT_COST_RATE, gt=0.0, description="Cost units per second of solver time.")
    heartbeat_grace_s: int = Field(
        DEFAULT_HEARTBEAT_GRACE_S, gt=HEARTBEAT_INTERVAL_S,
        description="Seconds without a heartbeat after which a RUNNING trial's worker counts as dead and the "
        "trial is failed (and retried); raise it on machines so loaded that heartbeats are late.")

    @field_validator("storage")
    @classmethod
    def _rdb_url(cls, value: str) -> str:
        allowed = ("sqlite:///", *SERVER_DATABASES)
        if not value.startswith(allowed):
            raise ValueError(f"studies.storage must start with one of {', '.join(allowed)}")
        return value


class ClusterSettings(BaseModel):
    """Where a study's worker loops run when not in local processes: a Dask cluster (see `studies.cluster`)."""

    model_config = _SECTION

    address: str | None = Field(
        None, description="Dask cluster for study workers: 'local' or 'local:N' (a LocalCluster of N worker "
        "processes) or a scheduler address such as 'tcp://host:8786'; unset = local worker processes.")

    @field_validator("address")
    @classmethod
    def _known_address(cls, value: str | None) -> str | None:
        if value is not None and not CLUSTER_ADDRESS.fullmatch(value):
            raise ValueError("cluster.address must be 'local', 'local:N' (N >= 1) or a scheduler address "
                             "'tcp://host:port' (also tls://, ucx://)")
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
    promotion_tolerance: float = Field(
        DEFAULT_PROMOTION_TOLERANCE, ge=0.0, lt=1.0, description="Multi-objective promotion: a metric counts as worse only when the candidate "
        "is significantly worse than the current values made this fraction worse (timing noise is no loss).")
    promotion_seeds: int = Field(3, ge=1, le=100, description="Promotion gate: fresh seeds per held-out instance.")
    promotion_holdout: int = Field(
        3, ge=1, le=100, description="Promotion gate: held-out instances re-evaluated (not used by the study).")


class RetentionSettings(BaseModel):
    """The retention policy `tunetrack gc` applies when run without study names.

    `TUNETRACK_RETENTION__STUDIES='["sa-*"]'` makes a plain `tunetrack gc` (a cron job, say) clean
    every finished study matching a pattern; `older_than` and `keep_top` are also the defaults of
    `gc`'s `--older-than` and `--keep-top`.
    """

    model_config = _SECTION

    studies: list[str] = Field(
        default_factory=list, description="fnmatch patterns of the studies a plain `tunetrack gc` cleans ('*' = every "
        "finished study); empty = `gc` needs study names or --all.")
    older_than: str = Field("14d", description="Only runs that ended longer ago than this: 0s, 90m, 12h, 14d.")
    keep_top: int = Field(5, ge=0, description="The K best trials kept with their solves (besides the best).")

    @field_validator("older_than")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)  # its ValueError names the forms allowed
        return value


class Settings(TrackerSettings):
    """The settings root: `tracking` and `steps` (from the tracker), `studies`, `agent`, `cluster`, `retention`."""

    studies: StudySettings = Field(default_factory=StudySettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    def resolved(self) -> "Settings":
        """A copy whose local stores (tracking and studies) are absolute paths."""
        base = super().resolved()
        studies = self.studies.model_copy(update={"storage": absolute_sqlite_url(self.studies.storage)})
        return base.model_copy(update={"studies": studies})

    def store_urls(self) -> list[str]:
        return [*super().store_urls(), self.studies.storage]


def load_settings(**overrides: Any) -> Settings:
    """Build the settings root, with an error that names each bad field."""
    return load(Settings, **overrides)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """Process-wide settings from the environment, read once."""
    return load_settings()
