"""Saved views of the MLflow UI's runs table, stored the way the UI stores them: an experiment tag.

MLflow 3's "Views" menu keeps each saved view as the experiment tag
`mlflow.sharedViewState.<key>`, a JSON envelope `{name, createdAt, updatedAt, state}` whose
`state` is the table's state as a JSON string (search filter, sort, selected columns...).
`#/experiments/<id>?viewStateShareKey=<key>` opens it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from mlflow import MlflowClient

VIEW_TAG_PREFIX = "mlflow.sharedViewState."


def column(kind: str, key: str) -> str:
    """The UI's id of a runs-table column: `metrics.\\`value\\``, `params.\\`x\\``, `tags.\\`tt.state\\``."""
    return f"{kind}.`{key}`"


def view_state(
    *, search_filter: str, columns: Sequence[str], order_by: str = "attributes.start_time", ascending: bool = True,
) -> dict[str, Any]:
    """A runs-table state: the filter, the sort and the columns shown (everything else as the UI defaults)."""
    return {
        "searchFilter": search_filter, "orderByKey": order_by, "orderByAsc": ascending, "startTime": "ALL",
        "lifecycleFilter": "Active", "modelVersionFilter": "All Runs", "datasetsFilter": [],
        "selectedColumns": list(columns), "runsHiddenMode": "SHOW_ALL",
    }


def save_view(client: MlflowClient, experiment_id: str, key: str, name: str, state: Mapping[str, Any]) -> str:
    """Create or replace saved view `key` of an experiment; returns the key."""
    now = int(time.time() * 1000)
    envelope = {"name": name, "createdAt": now, "updatedAt": now, "state": json.dumps(dict(state))}
    client.set_experiment_tag(experiment_id, VIEW_TAG_PREFIX + key, json.dumps(envelope))
    return key
