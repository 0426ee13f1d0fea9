"""Reading one run while it is written: its status, latest metrics and one metric's series."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlflow import MlflowClient

from tracker.records import Tag


@dataclass(frozen=True)
class RunBrief:
    """A run's identity, status and latest values, as plain data."""

    run_id: str
    name: str | None
    experiment_id: str
    status: str
    start_time_ms: int | None
    end_time_ms: int | None
    kind: str | None
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesPoint:
    step: int
    timestamp_ms: int
    value: float


def run_brief(client: MlflowClient, run_id: str) -> RunBrief:
    run = client.get_run(run_id)
    info, data = run.info, run.data
    return RunBrief(
        run_id=info.run_id, name=info.run_name, experiment_id=info.experiment_id, status=info.status,
        start_time_ms=info.start_time, end_time_ms=info.end_time, kind=data.tags.get(Tag.KIND.value),
        metrics=dict(data.metrics), tags=dict(data.tags),
    )


def metric_series(client: MlflowClient, run_id: str, key: str) -> list[SeriesPoint]:
    """Every stored point of metric `key`, by step then time."""
    points = client.get_metric_history(run_id, key)
    return sorted((SeriesPoint(int(p.step), int(p.timestamp), float(p.value)) for p in points),
                  key=lambda p: (p.step, p.timestamp_ms))
