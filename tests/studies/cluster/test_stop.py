"""`tunetrack study stop` on a study running on a LocalCluster: trials interrupted, runs closed, futures cancelled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from studies.runner import pid_alive, stop_study
from studies.storage import get_storage
from studies.vocabulary import Attr
from tests.conftest import REPO
from studies.settings import Settings
from tracker import Tracker

pytestmark = [pytest.mark.dask, pytest.mark.slow, pytest.mark.timeout(600)]


def test_stop_interrupts_the_dask_loops_and_leaves_nothing_running(study_settings: Settings, tmp_path: Path) -> None:
    name, pids = "dask-stop", tmp_path / "pids"
    spec = {
        "name": name, "objective": {"function": "tests.studies.cluster._objectives:sleepy_with_artefact",
                                    "kwargs": {"seconds": 2.0, "steps": 10, "pid_dir": str(pids)}},
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}}, "budget": {"n_trials": 20},
    }
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with open(tmp_path / "runner.log", "ab") as log:
        runner = subprocess.Popen([sys.executable, "-m", "studies.cli", "study", "start", "spec.yaml", "--cluster", "local:2"],
                                  cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while len(list(pids.glob("*"))) < 2 and time.monotonic() < deadline:  # both loops are inside a 20 s trial
            time.sleep(0.2)
        loops = {int(p.name.split("-")[0]) for p in pids.glob("*")}
        assert len(loops) == 2, (tmp_path / "runner.log").read_text()
        assert stop_study(name, study_settings, wait_s=120) == "stopped"
        assert runner.wait(60) == 130, (tmp_path / "runner.log").read_text()  # interrupted, not done
    finally:
        if runner.poll() is None:
            runner.kill()
    trials = optuna.load_study(study_name=name, storage=get_storage(study_settings.studies.storage)).get_trials()
    assert len(trials) == 2  # no trial started after the stop
    assert all(t.state == TrialState.FAIL and t.user_attrs[Attr.ERROR] == "interrupted" for t in trials)
    runs = {r.info.run_id: r for r in Tracker(study_settings).client.search_runs(
        [Tracker(study_settings).experiment_id(name)])}
    assert {runs[t.user_attrs[Attr.RUN_ID]].info.status for t in trials} == {"KILLED"}
    assert not [r for r in runs.values() if r.info.status == "RUNNING"]
    assert not [pid for pid in loops if pid_alive(pid)]  # the cluster's worker processes are gone
