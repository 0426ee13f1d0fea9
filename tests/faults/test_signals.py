"""SIGTERM (what systemd, Docker, Kubernetes and CI send) ends every long-running command cleanly.

Each test runs the real command in its own processes, signals it while it works, then checks
the exit code (128 + 15), that none of its processes is left, that no MLflow run is left
RUNNING and that the study's state says what happened.
"""

from __future__ import annotations

import os
import re
import signal
import socket
from pathlib import Path

import pytest
from optuna.trial import TrialState

from tests.faults.conftest import Cli, mlflow_runs, study_of, wait_for, write_spec

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SIGTERM_EXIT = 128 + signal.SIGTERM


def _running(frame) -> list[str]:
    return [] if frame.empty else list(frame.loc[frame["status"] == "RUNNING", "run_id"])


def _trial_started(pid_dir: Path) -> bool:
    return pid_dir.is_dir() and any(pid_dir.iterdir())


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_study_start_cleanly(cli: Cli, tmp_path: Path, workers: int) -> None:
    pids = tmp_path / "pids"
    spec = write_spec(tmp_path / "spec.yaml", "term", workers=workers, seconds=0.5, pid_dir=str(pids))
    process = cli.start("study", "start", str(spec))
    wait_for(lambda: _trial_started(pids), 90, "a trial to start")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == SIGTERM_EXIT, err
    assert "Traceback" not in err
    assert cli.processes() == []  # no orphan worker
    assert _running(mlflow_runs(tmp_path, "term")) == []
    study = study_of(tmp_path, "term")
    assert study.user_attrs["tt_state"] == "stopped"
    assert not study.get_trials(states=(TrialState.RUNNING,))


def test_sigterm_stops_a_joined_worker(cli: Cli, tmp_path: Path) -> None:
    from studies.runner import prepare_study
    from studies.spec import load_spec
    from studies.settings import load_settings

    pids = tmp_path / "pids"
    spec = load_spec(write_spec(tmp_path / "spec.yaml", "joined", seconds=0.5, pid_dir=str(pids)))
    prepare_study(spec, load_settings().resolved())
    process = cli.start("study", "worker", "joined")
    wait_for(lambda: _trial_started(pids), 90, "a trial to start")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == SIGTERM_EXIT, err
    assert "Traceback" not in err and cli.processes() == []
    runs = mlflow_runs(tmp_path, "joined")
    trial_runs = runs[runs["tags.tt.kind"] == "trial"]
    assert len(trial_runs) >= 1 and _running(trial_runs) == []
    assert "KILLED" in set(trial_runs["status"])  # the interrupted trial's run
    assert not study_of(tmp_path, "joined").get_trials(states=(TrialState.RUNNING,))


def test_sigterm_stops_solve_with_its_run_closed_and_steps_kept(cli: Cli, tmp_path: Path) -> None:
    process = cli.start("solve", "--problem", "flowshop:ta021", "--solver", "sa", "--time-limit", "120")

    def running_solve():
        runs = mlflow_runs(tmp_path) if (tmp_path / "mlruns" / "mlflow.db").exists() else None
        return runs is not None and not runs.empty and _running(runs)

    wait_for(running_solve, 90, "the solve run")

    def steps_flowing():  # the step pipeline has sent points: the solver is past compilation
        runs = mlflow_runs(tmp_path)
        return any(c.startswith("metrics.") for c in runs.columns)

    wait_for(steps_flowing, 120, "the first step metrics")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == SIGTERM_EXIT, err
    assert "Traceback" not in err and cli.processes() == []
    runs = mlflow_runs(tmp_path)
    assert list(runs["status"]) == ["KILLED"]
    from studies.settings import load_settings
    from tracker import Tracker

    tracker = Tracker(load_settings(tracking={"uri": f"sqlite:///{tmp_path}/mlruns/mlflow.db",
                                              "artifact_root": str(tmp_path / "mlruns" / "artifacts")}))
    assert len(tracker.load_steps(runs["run_id"][0])) > 0  # steps.parquet was written


def test_sigterm_stops_ui_and_frees_its_port(cli: Cli, tmp_path: Path) -> None:
    process = cli.start("ui", "--port", "0")
    line = wait_for(lambda: process.stdout.readline(), 120, "the UI's URL")
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == SIGTERM_EXIT, err
    assert cli.processes() == []  # the MLflow server and its workers are gone
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_kill_9_of_a_detached_runner_then_start_again_recovers(cli: Cli, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    spec = write_spec(tmp_path / "spec.yaml", "detached", n_trials=8, workers=2, seconds=0.25, pid_dir=str(pids))
    started = cli.run("study", "start", str(spec), "--detach")
    assert started.returncode == 0, started.stderr
    runner = int(re.search(r"pid (\d+)", started.stdout).group(1))
    wait_for(lambda: _trial_started(pids), 90, "a trial to start")
    os.kill(runner, signal.SIGKILL)
    wait_for(lambda: cli.processes() == [], 60, "the killed runner's workers to stop")
    again = cli.run("study", "start", "--name", "detached")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    study = study_of(tmp_path, "detached")
    assert study.user_attrs["tt_state"] == "done"
    assert sum(t.state == TrialState.COMPLETE for t in study.get_trials()) == 8
    assert not study.get_trials(states=(TrialState.RUNNING,))
    assert _running(mlflow_runs(tmp_path, "detached")) == []
    assert cli.processes() == []


@pytest.fixture
def stop_handlers():
    """tunetrack's stop handlers in this process for one test, then the previous ones back."""
    from studies import signals

    previous = {sig: signal.getsignal(sig) for sig in signals.HANDLED}
    signals.reset()
    signals.install()
    yield signals
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    signals.reset()


def test_a_signal_inside_a_deferred_step_is_raised_when_the_step_ends(stop_handlers) -> None:
    """A stop landing while a worker creates a trial waits for the step to finish, then interrupts."""
    finished = []
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        with stop_handlers.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs between these bytecodes, and must not raise here
                finished.append(len(finished))
            finished.append("end of step")
    assert finished[-1] == "end of step"
    assert stop_handlers.received() == signal.SIGTERM


def test_a_signal_outside_a_deferred_step_interrupts_at_once(stop_handlers) -> None:
    with pytest.raises(KeyboardInterrupt, match="SIGINT"):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    with stop_handlers.deferred():  # the signal was raised: nothing is held for a later step
        pass
