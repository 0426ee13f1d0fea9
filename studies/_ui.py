"""The MLflow UI tuned for studies: a saved view of a study's trials and the link that opens it.

MLflow 3.17 opens an experiment on the page of its sidebar's workflow switch ("GenAI" by
default, remembered per browser), whatever the experiment's `mlflow.experimentKind` tag says;
the URL parameter `workflowType=machine_learning` selects "Model training", whose experiment
page is the runs table. The saved view shows the study run and its trials (not their solves,
so a study of up to 99 trials fits the table's first page), oldest first so the study run
leads, with `value`, `cost`, the state tag and every tuned parameter as columns.
"""

from __future__ import annotations

import re
import urllib.parse

from studies.spec import StudySpec
from studies.vocabulary import Metric
from tracker import RunKind, Tag, Tracker
from tracker._views import column, view_state

WORKFLOW_PARAM = "workflowType=machine_learning"


def view_key(study: str) -> str:
    return "tunetrack-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", study).strip("-") or "study")


def trials_view(spec: StudySpec) -> dict:
    columns = [column("metrics", Metric.VALUE.value), column("tags", Tag.STATE.value), column("metrics", Metric.COST.value)]
    columns += [column("params", name) for name in spec.space]
    search = f"tags.`{Tag.STUDY.value}` = '{spec.name}' and tags.`{Tag.KIND.value}` != '{RunKind.SOLVE.value}'"
    return view_state(search_filter=search, columns=columns)


def install_trials_view(tracker: Tracker, spec: StudySpec, experiment_id: str) -> str:
    """Save (or refresh) the study's trials view in its experiment; returns the view key."""
    return tracker.save_view(experiment_id, view_key(spec.name), f"{spec.name}: trials", trials_view(spec))


def trials_url(base_url: str, experiment_id: str, key: str | None = None) -> str:
    """The runs table of an experiment (through a saved view when `key` is given).

    The path must name the runs page: `#/experiments/<id>` redirects there and drops the view key.
    """
    query = WORKFLOW_PARAM + (f"&viewStateShareKey={urllib.parse.quote(key)}" if key else "")
    return f"{base_url.rstrip('/')}/#/experiments/{experiment_id}/runs?{query}"
