"""The scale-out topology on one machine: PostgreSQL, `mlflow server` on PostgreSQL over moto S3, Dask.

`tunetrack study start --cluster local:2` runs a study on a LocalCluster of two worker
processes while a second client joins the study by name; a Dask worker process is killed
mid-trial. A scheduler address runs a study on an existing cluster.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from studies.queries import study_status
from studies.runner import start_study
from studies.storage import get_storage
from studies.vocabulary import Attr
from tracker import Tag, Tracker

from .conftest import Topology
from tests.conftest import wait_for

pytestmark = [pytest.mark.dask, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(600)]

OBJECTIVE = "tests.studies.cluster._objectives:sleepy_with_artefact"


def _spec(name: str, n_trials: int, **kwargs) -> dict:
    return {
        "name": name, "objective": {"function": OBJECTIVE, "kwargs": kwargs},
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}}, "sampler": {"type": "random", "seed": 5},
        "budget": {"n_trials": n_trials}, "retries": 2,
    }


def _study_exists(topology: Topology, name: str) -> bool:
    storage = get_storage(topology.storage, heartbeat_interval=None, grace_period=None)
    return name in optuna.get_all_study_names(storage)


def _trials(topology: Topology, name: str) -> list:
    return optuna.load_study(study_name=name, storage=get_storage(topology.storage)).get_trials(deepcopy=False)


def _cli(*args: str, topology: Topology, log: Path, cwd: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "studies.cli", *args], env=topology.env(), cwd=cwd,
                                stdout=out, stderr=subprocess.STDOUT)


def test_local_cluster_on_the_full_topology_survives_a_killed_worker(topology: Topology, tmp_path: Path) -> None:
    name, target, pids = "dask-topology", 12, tmp_path / "pids"
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(_spec(name, target, seconds=0.25, steps=4, pid_dir=str(pids))))
    runner_log, joiner_log = tmp_path / "runner.log", tmp_path / "joiner.log"
    runner = _cli("study", "start", str(spec_path), "--cluster", "local:2", topology=topology, log=runner_log, cwd=tmp_path)
    joiner = None
    try:
        wait_for(lambda: _study_exists(topology, name), 120, "the study to be created")
        joiner = _cli("study", "worker", name, topology=topology, log=joiner_log, cwd=tmp_path)  # a second client, by name
        victim = wait_for(lambda: [p for p in sorted(pids.glob("*")) if int(p.name.split("-")[0]) != joiner.pid],
                           180, "a trial on a Dask worker")[0]
        victim_pid, victim_trial = (int(part) for part in victim.name.split("-"))
        time.sleep(0.3)  # mid-trial: the trial sleeps 4 x 0.25 s
        os.kill(victim_pid, signal.SIGKILL)
        assert runner.wait(240) == 0, runner_log.read_text()
        assert joiner.wait(120) == 0, joiner_log.read_text()
    finally:
        for process in (runner, joiner):
            if process is not None and process.poll() is None:
                process.kill()

    trials = _trials(topology, name)
    assert sum(t.state == TrialState.COMPLETE for t in trials) == target  # exact
    assert not [t for t in trials if t.state in (TrialState.RUNNING, TrialState.WAITING)]
    killed = next(t for t in trials if t.number == victim_trial)
    assert killed.state == TrialState.FAIL
    assert killed.user_attrs[Attr.WORKER] == f"{socket.gethostname()}:{victim_pid}"
    retried = [t for t in trials if t.user_attrs.get(Attr.RETRY_OF) == victim_trial]
    assert retried and retried[0].params == killed.params and retried[0].state == TrialState.COMPLETE
    on_dask = [t for t in trials if Attr.WORKER in t.user_attrs]
    assert len({t.user_attrs[Attr.WORKER] for t in on_dask}) >= 2
    assert {t.user_attrs[Attr.HOST] for t in on_dask} == {socket.gethostname()}
    assert any(p.name.startswith(f"{joiner.pid}-") for p in pids.glob("*"))  # the second client ran trials too
    assert study_status(name, topology.settings()).state == "done"

    tracker = Tracker(topology.settings())  # no S3 endpoint or keys here: artefacts come through the server
    experiment = tracker.client.get_experiment_by_name(name)
    runs = tracker.client.search_runs([experiment.experiment_id], max_results=1000)
    assert not [r for r in runs if r.info.status == "RUNNING"]
    by_id = {r.info.run_id: r for r in runs}
    assert by_id[killed.user_attrs[Attr.RUN_ID]].info.status == "FAILED"
    assert by_id[retried[0].user_attrs[Attr.RUN_ID]].info.status == "FINISHED"
    done_on_dask = next(t for t in on_dask if t.state == TrialState.COMPLETE)
    finished = by_id[done_on_dask.user_attrs[Attr.RUN_ID]]
    assert finished.info.status == "FINISHED" and finished.info.artifact_uri.startswith("mlflow-artifacts:")
    assert finished.data.tags[Tag.WORKER.value] == done_on_dask.user_attrs[Attr.WORKER]
    assert finished.data.tags[Tag.HOST.value] == socket.gethostname()
    where = Path(tracker.client.download_artifacts(finished.info.run_id, "where.txt", str(tmp_path)))
    assert where.read_text() == f"trial {done_on_dask.number} ran in process {done_on_dask.user_attrs[Attr.WORKER].split(':')[1]}\n"


def test_a_scheduler_address_runs_the_study_on_that_cluster(topology: Topology) -> None:
    from distributed import LocalCluster

    name = "dask-scheduler"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        handle = start_study(_spec(name, 6, seconds=0.05, steps=2), topology.settings(),
                             cluster=cluster.scheduler_address, progress=False)
    trials = _trials(topology, name)
    assert handle.state == "done"
    assert len(trials) == 6 and all(t.state == TrialState.COMPLETE for t in trials)
    assert {t.user_attrs[Attr.WORKER] for t in trials} == {f"{socket.gethostname()}:{os.getpid()}"}
