"""`tunetrack monitor` and `tunetrack gc` against a running study and real stores."""

from __future__ import annotations

import json

import optuna
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from studies.cli import app
from studies.monitor import alert_metric, alert_tag
from studies.runner import start_study
from studies.storage import get_storage
from studies.vocabulary import Attr
from studies.settings import Settings
from tracker import Tracker

from ..conftest import callable_spec
from tests.conftest import wait_for

runner = CliRunner()
MONITOR_OBJECTIVES = "tests.studies.monitor._objectives"


def _counts(settings: Settings, name: str) -> dict[str, int]:
    study = optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage, heartbeat_interval=None))
    trials = study.get_trials(deepcopy=False)
    return {key: sum(t.state == state for t in trials) for key, state in (
        ("complete", TrialState.COMPLETE), ("pruned", TrialState.PRUNED), ("failed", TrialState.FAIL),
        ("running", TrialState.RUNNING), ("waiting", TrialState.WAITING))}


def _study_run(settings: Settings, name: str):
    study = optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage, heartbeat_interval=None))
    return Tracker(settings).client.get_run(study.user_attrs[Attr.PARENT_RUN_ID])


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_monitor_a_running_study_counts_like_optuna_and_an_alert_fires_once(study_settings: Settings) -> None:
    spec = callable_spec("live", "slow", kwargs={"seconds": 0.4, "steps": 3}, budget={"n_trials": 8})
    start_study(spec, study_settings, detach=True)
    wait_for(lambda: _counts(study_settings, "live")["complete"] >= 1, 120, "a first completed trial")

    # a running study is never touched by retention
    refused = runner.invoke(app, ["gc", "live", "--older-than", "0s", "--dry-run"])
    assert refused.exit_code == 2 and "running" in refused.output

    compared = 0
    for _ in range(20):  # the study moves on: compare only reads that no trial changed across
        before = _counts(study_settings, "live")
        result = runner.invoke(app, ["monitor", "live", "--once", "--json"])
        after = _counts(study_settings, "live")
        assert result.exit_code == 0, result.output
        if before == after:
            (target,) = json.loads(result.stdout)["targets"]
            assert target["state"] == "running" and target["trials"] == before
            compared += 1
            break
    assert compared, "the study changed during every read"

    follow = runner.invoke(app, ["monitor", "live", "--json", "--interval", "0.5", "--alert", "best<1e9"])
    assert follow.exit_code == 0, follow.output
    frames = [json.loads(line) for line in follow.stdout.splitlines() if line.startswith("{")]
    assert len(frames) >= 2 and frames[-1]["targets"][0]["state"] == "done"
    assert sum(len(f["alerts"]) for f in frames) == 1
    run = _study_run(study_settings, "live")
    key = "best_lt_1e09"
    assert alert_tag(key) in run.data.tags and "best = " in run.data.tags[alert_tag(key)]
    assert len(Tracker(study_settings).client.get_metric_history(run.info.run_id, alert_metric(key))) == 1

    exited = runner.invoke(app, ["monitor", "live", "--once", "--alert", "best<1e9", "--exit-on-alert"])
    assert exited.exit_code == 3 and "ALERT" in exited.output


def test_a_stall_rule_fires_on_a_constant_objective(study_settings: Settings) -> None:
    spec = callable_spec("flat", "constant", budget={"n_trials": 6})
    spec["objective"]["function"] = f"{MONITOR_OBJECTIVES}:constant"
    start_study(spec, study_settings, progress=False)
    result = runner.invoke(app, ["monitor", "flat", "--once", "--json", "--alert", "stall(4)", "--alert", "stall(6)",
                                 "--alert", "worker_death", "--no-record"])
    assert result.exit_code == 0, result.output
    alerts = json.loads(result.stdout)["alerts"]
    assert [(a["key"], a["value"]) for a in alerts] == [("stall_4", 5.0)]
    assert not any(k.startswith("tt.alert") for k in _study_run(study_settings, "flat").data.tags)


def test_bad_monitor_input_is_refused_with_the_field(study_settings: Settings) -> None:
    assert "allowed forms" in runner.invoke(app, ["monitor", "x", "--alert", "best<<1"]).output
    assert runner.invoke(app, ["monitor", "nope", "--once"]).exit_code == 2
    bad = runner.invoke(app, ["monitor", "x", "--interval", "0.1"])
    assert bad.exit_code == 2 and "--interval" in bad.output
