"""Every write to MLflow goes through `log_batch`, chunked to the store's limits here and only here."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

from tracker._values import flatten, safe_key, to_param_value
from tracker.limits import (
    MAX_ENTITIES_PER_BATCH,
    MAX_METRICS_PER_BATCH,
    MAX_PARAM_VAL_LENGTH,
    MAX_PARAMS_TAGS_PER_BATCH,
    MAX_TAG_VAL_LENGTH,
)
from tracker.records import LONG_PARAM_POINTER, LONG_PARAMS_ARTIFACT
from tracker.redaction import redact_text

_TRUNCATED = "...[truncated]"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def now_ms() -> int:
    return int(time.time() * 1000)


class BatchWriter:
    """Writes params, tags and metrics of one run in as few `log_batch` calls as the limits allow."""

    def __init__(self, client: MlflowClient, run_id: str) -> None:
        self._client = client
        self._run_id = run_id
        self._long_params: dict[str, str] = {}

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Flatten and store params; a value too long for MLflow moves to a JSON artefact."""
        entries, long_added = self._param_entries(params)
        for chunk in _chunks(entries, MAX_PARAMS_TAGS_PER_BATCH):
            self._client.log_batch(self._run_id, params=list(chunk))
        if long_added:
            self._write_long_params()

    def _param_entries(self, params: Mapping[str, Any]) -> tuple[list[Param], bool]:
        """Flattened params as entries, and whether a value too long for MLflow was set aside."""
        entries: list[Param] = []
        long_added = False
        for key, value in flatten(params).items():
            key = safe_key(key)
            text = to_param_value(key, value)
            if len(text) > MAX_PARAM_VAL_LENGTH:
                self._long_params[key] = text
                text = LONG_PARAM_POINTER
                long_added = True
            entries.append(Param(key, text))
        return entries, long_added

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        entries = [RunTag(safe_key(str(k)), truncate_tag(str(v))) for k, v in tags.items()]
        for chunk in _chunks(entries, MAX_PARAMS_TAGS_PER_BATCH):
            self._client.log_batch(self._run_id, tags=list(chunk))

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0, timestamp: int | None = None) -> None:
        ts = now_ms() if timestamp is None else timestamp
        self.log_metric_points([Metric(safe_key(k), float(v), ts, step) for k, v in metrics.items()])

    def log_batch(
        self, metrics: Mapping[str, float], tags: Mapping[str, Any], step: int = 0, points: Sequence[Metric] = (),
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """Metrics (and ready points), tags and params together: one store call when they fit in one batch."""
        self._send(metrics, tags, step, points, params, None)

    def finish(
        self, status: str, metrics: Mapping[str, float], tags: Mapping[str, Any], points: Sequence[Metric] = (),
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """The run's last records and its terminal `status` (an MLflow status name): one store call if they fit.

        The run ends even when the store refuses some of the records (`RunWrites.finish_run`); the refusal is raised.
        """
        self._send(metrics, tags, 0, points, params, status)

    def _send(self, metrics: Mapping[str, float], tags: Mapping[str, Any], step: int, points: Sequence[Metric],
              params: Mapping[str, Any] | None, status: str | None) -> None:
        ts = now_ms()
        points = [Metric(safe_key(k), float(v), ts, step) for k, v in metrics.items()] + list(points)
        entries = [RunTag(safe_key(str(k)), truncate_tag(str(v))) for k, v in tags.items()]
        param_entries, long_added = self._param_entries(params or {})
        try:
            if long_added:  # the pointer params' artefact is there before the run ends
                self._write_long_params()
            if len(points) > MAX_METRICS_PER_BATCH or max(len(entries), len(param_entries)) > \
                    MAX_PARAMS_TAGS_PER_BATCH or len(points) + len(entries) + len(param_entries) > MAX_ENTITIES_PER_BATCH:
                for chunk in _chunks(param_entries, MAX_PARAMS_TAGS_PER_BATCH):
                    self._client.log_batch(self._run_id, params=list(chunk))
                self.log_metric_points(points)
                for chunk in _chunks(entries, MAX_PARAMS_TAGS_PER_BATCH):
                    self._client.log_batch(self._run_id, tags=list(chunk))
                points, entries, param_entries = [], [], []
        except Exception:
            if status is not None:  # a refused record: the run still ends, never left RUNNING
                self._client.finish_run(self._run_id, status=status, end_time=now_ms())
            raise
        if status is not None:
            self._client.finish_run(self._run_id, metrics=points, params=param_entries, tags=entries, status=status,
                                    end_time=now_ms())
        elif points or entries or param_entries:
            self._client.log_batch(self._run_id, metrics=points, params=param_entries, tags=entries)

    def log_metric_points(self, points: Sequence[Metric]) -> None:
        size = min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH)
        for chunk in _chunks(points, size):
            self._client.log_batch(self._run_id, metrics=list(chunk))

    def _write_long_params(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / LONG_PARAMS_ARTIFACT
            path.write_text(json.dumps(self._long_params, indent=1, sort_keys=True))
            self._client.log_artifact(self._run_id, str(path))


def truncate_tag(value: str) -> str:
    """A tag value within MLflow's limit, with credentials masked (every tag passes here)."""
    value = redact_text(value)
    if len(value) <= MAX_TAG_VAL_LENGTH:
        return value
    return value[: MAX_TAG_VAL_LENGTH - len(_TRUNCATED)] + _TRUNCATED
