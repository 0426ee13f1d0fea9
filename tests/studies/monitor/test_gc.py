"""`tunetrack gc`: the retention policy on constructed rows, then on a real study and real stores."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial
from typer.testing import CliRunner

from studies.cli import app
from studies.retention import RunRow, select_drops
from studies.storage import get_storage
from studies.vocabulary import Attr
from studies.runner import start_study
from studies.settings import Settings
from tracker import Tag
from tracker.records import NOTE_TAG

from ..conftest import callable_spec

runner = CliRunner()


def _trial(number: int, state: TrialState, value: float | None = None):
    kwargs = {"value": value} if state == TrialState.COMPLETE else {"state": state}
    trial = create_trial(params={"x": 0.1}, distributions={"x": FloatDistribution(0, 1)}, **kwargs)
    trial.number = number
    return trial


def test_the_policy_keeps_best_top_k_and_promoted_and_drops_the_rest_past_the_cutoff() -> None:
    trials = [_trial(0, TrialState.COMPLETE, 3.0), _trial(1, TrialState.COMPLETE, 1.0),
              _trial(2, TrialState.COMPLETE, 2.0), _trial(3, TrialState.COMPLETE, 9.0),
              _trial(4, TrialState.PRUNED), _trial(5, TrialState.FAIL), _trial(6, TrialState.RUNNING)]
    rows = [RunRow("study", "study", None, None, "FINISHED", 10.0)]
    for t in trials:
        rows.append(RunRow(f"t{t.number}", "trial", t.number, "study", "RUNNING" if t.number == 6 else "FINISHED",
                           None if t.number == 6 else 10.0, promoted=t.number == 3))
        rows.append(RunRow(f"s{t.number}", "solve", t.number, f"t{t.number}", "FINISHED", 10.0))
    rows.append(RunRow("s5-new", "solve", 5, "t5", "FINISHED", 99.0))  # too recent: trial 5 stays whole
    kept, drops = select_drops(rows, trials, "minimize", keep_top=2, cutoff=50.0)
    assert kept == {1, 2, 3}
    assert {(d.run_id, d.reason) for d in drops} == {("t4", "pruned"), ("s4", "pruned"), ("s0", "dominated")}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_gc_dry_run_lists_then_gc_deletes_runs_and_artefacts_and_keeps_the_top(
    study_settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = callable_spec("gc", "mixed_with_solves", budget={"n_trials": 12}, retries=0)
    spec["objective"]["function"] = "tests.studies.monitor._objectives:mixed_with_solves"
    start_study(spec, study_settings, progress=False)
    study = optuna.load_study(study_name="gc", storage=get_storage(study_settings.studies.storage, heartbeat_interval=None))
    trials = {t.number: t for t in study.get_trials()}
    complete = sorted((t for t in trials.values() if t.state == TrialState.COMPLETE), key=lambda t: t.value)
    top = {t.number for t in complete[:3]}

    client = mlflow.MlflowClient(study_settings.tracking.uri)
    experiment = client.get_experiment_by_name("gc").experiment_id
    names = {int(r.data.tags[Tag.TRIAL.value]): r.info.run_name
             for r in client.search_runs([experiment], f"tags.`{Tag.KIND}` = 'trial'")}
    ending = {TrialState.COMPLETE: "", TrialState.PRUNED: " pruned", TrialState.FAIL: " failed"}
    assert names == {n: f"trial {n}{ending[t.state]}" for n, t in trials.items()}
    note = client.get_run(study.user_attrs[Attr.PARENT_RUN_ID]).data.tags[NOTE_TAG]
    assert "done, 12 of 12 trials" in note and "`tunetrack monitor gc`" in note

    dry = runner.invoke(app, ["gc", "gc", "--older-than", "0s", "--keep-top", "3", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    (report,) = json.loads(dry.stdout)["reports"]
    reasons = {(d["trial"], d["kind"]): d["reason"] for d in report["drops"]}
    expected = {}
    for number, t in trials.items():
        if t.state in (TrialState.PRUNED, TrialState.FAIL):
            reason = "pruned" if t.state == TrialState.PRUNED else "failed"
            expected[(number, "trial")] = expected[(number, "solve")] = reason
        elif number not in top:
            expected[(number, "solve")] = "dominated"
    assert reasons == expected and report["bytes"] > 0 and set(report["kept_trials"]) == top

    dropped = [d["run_id"] for d in report["drops"]]
    artefact_dirs = [Path(urlparse(client.get_run(r).info.artifact_uri).path).parent for r in dropped]
    artefact_dirs = [d for d in artefact_dirs if d.exists()]  # a pruned trial run may hold no artefact
    assert len(artefact_dirs) >= sum(d["kind"] == "solve" for d in report["drops"])

    done = runner.invoke(app, ["gc", "gc", "--older-than", "0s", "--keep-top", "3"])
    assert done.exit_code == 0, done.output
    monkeypatch.setenv("MLFLOW_TRACKING_URI", study_settings.tracking.uri)
    left = mlflow.search_runs(search_all_experiments=True)
    assert not set(dropped) & set(left["run_id"])
    assert not any(d.exists() for d in artefact_dirs)
    kept_trials = {int(v) for v in left.loc[left[f"tags.{Tag.KIND}"] == "trial", f"tags.{Tag.TRIAL}"]}
    kept_solves = {int(v) for v in left.loc[left[f"tags.{Tag.KIND}"] == "solve", f"tags.{Tag.TRIAL}"]}
    assert kept_solves == top and kept_trials == {t.number for t in complete}
    study_run = client.get_run(study.user_attrs[Attr.PARENT_RUN_ID])
    assert study_run.data.metrics["gc.runs_dropped"] == len(dropped) and Tag.GC.value in study_run.data.tags
    assert [a.path for a in client.list_artifacts(study_run.info.run_id, "gc")]


def test_a_multi_objective_study_keeps_its_pareto_front() -> None:
    values = {0: [1.0, 3.0], 1: [2.0, 2.0], 2: [2.0, 4.0]}  # trial 2 is dominated
    trials = []
    for number, v in values.items():
        trial = create_trial(values=v, params={"x": 0.1}, distributions={"x": FloatDistribution(0, 1)})
        trial.number = number
        trials.append(trial)
    rows = [RunRow(f"s{n}", "solve", n, f"t{n}", "FINISHED", 1.0) for n in values]
    rows += [RunRow(f"t{n}", "trial", n, "study", "FINISHED", 1.0) for n in values]
    kept, drops = select_drops(rows, trials, ["minimize", "minimize"], keep_top=0, cutoff=5.0)
    assert kept == {0, 1} and [(d.run_id, d.reason) for d in drops] == [("s2", "dominated")]


def test_a_plain_gc_applies_the_retention_policy_from_settings(
    study_settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    unset = runner.invoke(app, ["gc", "--dry-run"])
    assert unset.exit_code == 2 and "TUNETRACK_RETENTION__STUDIES" in unset.output

    for name in ("keep-a", "other"):
        start_study(callable_spec(name, "quadratic", budget={"n_trials": 3}), study_settings, progress=False)
    monkeypatch.setenv("TUNETRACK_RETENTION__STUDIES", '["keep-*"]')
    monkeypatch.setenv("TUNETRACK_RETENTION__OLDER_THAN", "0s")
    monkeypatch.setenv("TUNETRACK_RETENTION__KEEP_TOP", "1")
    planned = runner.invoke(app, ["gc", "--dry-run", "--json"])
    assert planned.exit_code == 0, planned.output
    (report,) = json.loads(planned.stdout)["reports"]
    assert (report["study"], report["older_than_s"], report["keep_top"]) == ("keep-a", 0.0, 1)

    flags_win = runner.invoke(app, ["gc", "--dry-run", "--json", "--keep-top", "2", "--older-than", "1h"])
    (report,) = json.loads(flags_win.stdout)["reports"]
    assert (report["older_than_s"], report["keep_top"]) == (3600.0, 2)

    monkeypatch.setenv("TUNETRACK_RETENTION__OLDER_THAN", "two weeks")
    bad = runner.invoke(app, ["gc", "--dry-run"])
    assert bad.exit_code == 2 and "retention.older_than" in bad.output and "14d" in bad.output
