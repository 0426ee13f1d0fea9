"""The runner against real stores and real worker processes: targets, failures, recovery (contract/: per backend)."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from studies.queries import open_study, study_status
from studies.runner import start_study
from studies.settings import Settings
from studies.storage import get_storage
from studies.vocabulary import Attr
from tests.conftest import REPO, wait_for
from tracker import Tag, Tracker

from .conftest import callable_spec, solver_spec


def _trials(settings: Settings, name: str) -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage))
    return study.get_trials(deepcopy=False)


def _runs(settings: Settings, name: str):
    return Tracker(settings).runs(name)


def _nothing_running(settings: Settings, name: str) -> None:
    assert not [t.number for t in _trials(settings, name) if t.state == TrialState.RUNNING]
    runs = _runs(settings, name)
    assert (runs["status"] != "RUNNING").all(), runs[runs["status"] == "RUNNING"][["run_name", "status"]]


def test_solver_study_is_recorded_as_nested_runs(study_settings: Settings) -> None:
    handle = start_study(solver_spec("rec"), study_settings, progress=False)
    assert handle.state == "done"
    runs = _runs(study_settings, "rec")
    kinds = runs["tags.tt.kind"].value_counts().to_dict()
    assert kinds == {"study": 1, "trial": 3, "solve": 9}
    study_run = runs[runs["tags.tt.kind"] == "study"].iloc[0]
    assert study_run["run_id"] == handle.parent_run_id
    assert study_run["params.tuner_meta.sampler.type"] == "random"
    assert "metrics.best_value" in runs.columns
    trials = runs[runs["tags.tt.kind"] == "trial"]
    assert (trials["tags.mlflow.parentRunId"] == handle.parent_run_id).all()
    assert set(runs[runs["tags.tt.kind"] == "solve"]["tags.mlflow.parentRunId"]) == set(trials["run_id"])
    by_run = {t.user_attrs[Attr.RUN_ID]: t for t in _trials(study_settings, "rec")}
    client = Tracker(study_settings).client
    for run_id, trial in by_run.items():
        series = client.get_metric_history(run_id, "gap")
        assert sorted(p.step for p in series) == [0, 1, 2]
        assert client.get_run(run_id).data.tags[Tag.TRIAL.value] == str(trial.number)
        assert client.get_run(run_id).data.metrics["value"] == pytest.approx(trial.value)
    _nothing_running(study_settings, "rec")


def test_two_workers_reach_the_exact_target(study_settings: Settings) -> None:
    spec = callable_spec("two", "slow", kwargs={"seconds": 0.05, "steps": 2}, budget={"n_trials": 12}, workers=2)
    handle = start_study(spec, study_settings, progress=False)
    trials = _trials(study_settings, "two")
    assert handle.state == "done"
    assert len(trials) == 12
    assert {t.state for t in trials} == {TrialState.COMPLETE}
    assert len({t.user_attrs[Attr.WORKER] for t in trials}) == 2, "both workers ran trials"
    _nothing_running(study_settings, "two")


def test_resume_with_another_objective_is_refused(study_settings: Settings) -> None:
    start_study(callable_spec("clash", "quadratic"), study_settings, n_trials=1, progress=False)
    with pytest.raises(ValueError, match="different objective"):
        start_study(callable_spec("clash", "slow"), study_settings, n_trials=2, progress=False)


def test_failed_trials_are_retried_with_the_same_params(study_settings: Settings, tmp_path: Path) -> None:
    spec = callable_spec("flaky", "fails_once", kwargs={"marker_dir": str(tmp_path / "markers")},
                         budget={"n_trials": 3}, retries=1)
    handle = start_study(spec, study_settings, progress=False)
    trials = _trials(study_settings, "flaky")
    failed = [t for t in trials if t.state == TrialState.FAIL]
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert handle.state == "done" and len(complete) == 3 and len(failed) == 3
    assert {t.params["x"] for t in failed} == {t.params["x"] for t in complete}
    assert all("transient failure" in t.user_attrs[Attr.ERROR] for t in failed)
    runs = _runs(study_settings, "flaky")
    failed_runs = runs[(runs["tags.tt.kind"] == "trial") & (runs["status"] == "FAILED")]
    assert len(failed_runs) == 3
    assert failed_runs["tags.tt.error"].str.contains("RuntimeError").all()


def test_an_objective_that_always_fails_stops_the_study(study_settings: Settings) -> None:
    spec = callable_spec("broken", "always_fails", budget={"n_trials": 4}, retries=1)
    handle = start_study(spec, study_settings, progress=False)
    trials = _trials(study_settings, "broken")
    assert handle.state == "failed"
    assert all(t.state == TrialState.FAIL for t in trials)
    assert len(trials) <= 4 * 2 + 1
    _nothing_running(study_settings, "broken")


def test_grid_covers_each_point_exactly_once_across_workers(study_settings: Settings) -> None:
    spec = callable_spec(
        "grid", "slow", kwargs={"seconds": 0.02, "steps": 1}, workers=2, budget={"n_trials": 100},
        sampler={"type": "grid"}, space={"x": {"type": "float", "low": 0.0, "high": 1.0, "step": 0.1}},
    )
    handle = start_study(spec, study_settings, progress=False)
    xs = sorted(round(t.params["x"], 6) for t in _trials(study_settings, "grid"))
    assert handle.target == 11
    assert xs == [round(0.1 * i, 6) for i in range(11)]


def test_kill_9_of_a_worker_loses_nothing(study_settings: Settings, tmp_path: Path) -> None:
    marker = tmp_path / "marker" / "victim"
    spec = callable_spec("kill", "hangs_once", kwargs={"marker_dir": str(marker.parent)},
                         workers=2, budget={"n_trials": 6}, retries=2)
    handle = start_study(spec, study_settings, detach=True)
    # the victim writes its pid only after its first report, then hangs: certainly mid-trial
    claimed = wait_for(lambda: marker.exists() and marker.read_text(), 120, "a trial to hang")
    victim_pid, victim_trial = (int(part) for part in claimed.split("-"))
    os.kill(victim_pid, signal.SIGKILL)
    wait_for(lambda: any(t.user_attrs.get(Attr.RETRY_OF) == victim_trial for t in _trials(study_settings, "kill")),
              120, "the killed trial to be queued again")
    (marker.parent / "release").touch()
    wait_for(lambda: study_status("kill", study_settings).state != "running", 240, "the study to end")
    trials = _trials(study_settings, "kill")
    killed = next(t for t in trials if t.number == victim_trial)
    assert killed.state == TrialState.FAIL
    retried = [t for t in trials if t.user_attrs.get(Attr.RETRY_OF) == victim_trial]
    assert retried and retried[0].params == killed.params and retried[0].state == TrialState.COMPLETE
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 6
    assert study_status("kill", study_settings).state == "done"
    killed_run = Tracker(study_settings).client.get_run(killed.user_attrs[Attr.RUN_ID])
    assert killed_run.info.status == "FAILED"
    _nothing_running(study_settings, "kill")
    assert handle.detached_pid is not None


def test_ctrl_c_stops_cleanly(study_settings: Settings, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    spec_path = tmp_path / "spec.yaml"
    import yaml

    spec_path.write_text(yaml.safe_dump(callable_spec(
        "ctrlc", "slow", kwargs={"seconds": 0.5, "steps": 20, "pid_dir": str(pids)}, workers=2,
        budget={"n_trials": 20})))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "studies.cli", "study", "start", str(spec_path)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(lambda: len(list(pids.glob("*"))) >= 2, 120, "both workers to start trials")
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert "stopped" in output, output
    study, _spec = open_study("ctrlc", study_settings)
    assert study_status("ctrlc", study_settings).state == "stopped"
    _nothing_running(study_settings, "ctrlc")
    runs = _runs(study_settings, "ctrlc")
    interrupted = runs[(runs["tags.tt.kind"] == "trial") & (runs["status"] == "KILLED")]
    assert len(interrupted) >= 1
    assert runs[runs["tags.tt.kind"] == "study"]["status"].item() == "KILLED"


def test_starting_a_running_study_raises_its_target_without_a_second_runner(study_settings: Settings, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    spec = callable_spec("twice", "slow", kwargs={"seconds": 0.3, "steps": 2, "pid_dir": str(pids)},
                         budget={"n_trials": 3})
    first = start_study(spec, study_settings, detach=True)
    wait_for(lambda: list(pids.glob("*")), 120, "a trial to start")
    second = start_study(spec, study_settings, n_trials=5, detach=True)
    assert second.detached_pid == first.detached_pid and second.target == 5
    wait_for(lambda: study_status("twice", study_settings).state != "running", 180, "the study to end")
    trials = _trials(study_settings, "twice")
    assert len(trials) == 5 and all(t.state == TrialState.COMPLETE for t in trials)
    log = Path(first.log_path).read_text()
    assert log.count("study twice: done") == 1, log


def test_no_replay_through_three_resumes_and_a_joined_worker(study_settings: Settings, tmp_path: Path) -> None:
    """Each process seeds its sampler from the study's seed, its index and the trials already stored,
    and never proposes a configuration the study has had: distinct configurations == trials."""
    from studies.runner import prepare_study
    from studies.spec import load_spec

    spec = callable_spec("noreplay", "quadratic", sampler={"type": "random", "seed": 11})
    for total in (3, 6, 9, 12):  # a start and three resumes, each a fresh sampler in this process
        assert start_study(spec, study_settings, n_trials=total, progress=False).stop_reason == "target"
    prepare_study(load_spec(spec), study_settings, n_trials=15)  # raise the target; a worker joins to run it
    env = {**os.environ, "PYTHONPATH": str(REPO), "TUNETRACK_STUDIES__STORAGE": study_settings.studies.storage,
           "TUNETRACK_TRACKING__URI": study_settings.tracking.uri,
           "TUNETRACK_TRACKING__ARTIFACT_ROOT": study_settings.tracking.artifact_root}
    joined = subprocess.run([sys.executable, "-m", "studies.cli", "study", "worker", "noreplay"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert joined.returncode == 0, joined.stdout + joined.stderr
    assert "worker ran 3 trials (target)" in joined.stdout
    trials = _trials(study_settings, "noreplay")
    assert len(trials) == 15 and {t.state for t in trials} == {TrialState.COMPLETE}
    assert len({t.params["x"] for t in trials}) == len(trials)


def test_cli_exits_non_zero_when_every_trial_fails(study_settings: Settings, tmp_path: Path) -> None:
    import yaml

    spec_path = tmp_path / "broken.yaml"
    spec_path.write_text(yaml.safe_dump(callable_spec("allfail", "always_fails", budget={"n_trials": 1}, retries=0)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "studies.cli", "study", "start", str(spec_path)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "failed" in done.stdout and "without reaching its goal: failed" in done.stderr
    assert study_status("allfail", study_settings).state == "failed"


def test_a_missing_warm_start_study_is_refused_and_nothing_is_created(study_settings: Settings) -> None:
    from studies.spec import SpecError

    spec = callable_spec("warm", "quadratic", warm_starts={"from_study": "ghost"})
    with pytest.raises(SpecError, match="warm_starts.from_study: no study named 'ghost'"):
        start_study(spec, study_settings, progress=False)
    start_study(callable_spec("other", "quadratic", budget={"n_trials": 1}), study_settings, progress=False)
    with pytest.raises(SpecError, match="known: other"):
        start_study(spec, study_settings, progress=False)
    storage = get_storage(study_settings.studies.storage)
    assert optuna.study.get_all_study_names(storage) == ["other"]
    assert Tracker(study_settings).client.get_experiment_by_name("warm") is None


def test_warm_start_from_constants_is_trial_0(study_settings: Settings) -> None:
    spec = solver_spec("fromconst", warm_starts={"from_constants": True}, budget={"n_trials": 2})
    start_study(spec, study_settings, progress=False)
    first = min(_trials(study_settings, "fromconst"), key=lambda t: t.number)
    assert first.params == {"cooling_rate": 0.9999}  # SA_COOLING_RATE


def test_cmaes_study_completes(study_settings: Settings) -> None:
    spec = callable_spec("cma", "quadratic", space={"x": {"type": "float", "low": 0.0, "high": 1.0},
                                                    "y": {"type": "float", "low": 0.0, "high": 1.0}},
                         sampler={"type": "cmaes", "seed": 2, "n_startup_trials": 2}, budget={"n_trials": 8})
    handle = start_study(spec, study_settings, progress=False)
    trials = _trials(study_settings, "cma")
    assert handle.stop_reason == "target" and len(trials) == 8
    assert {t.state for t in trials} == {TrialState.COMPLETE}
    assert any("cma:generation" in t.system_attrs or any(k.startswith("cma") for k in t.system_attrs)
               for t in trials), "CMA-ES proposed after its startup trials"


@pytest.mark.gp
def test_gp_study_completes_with_the_extra(study_settings: Settings) -> None:
    if importlib.util.find_spec("torch") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI installs the gp extra: torch must be importable")
        pytest.skip("torch is not installed (pip install -e '.[gp]')")
    spec = callable_spec("gp", "quadratic", sampler={"type": "gp", "seed": 2, "n_startup_trials": 2},
                         budget={"n_trials": 5})
    handle = start_study(spec, study_settings, progress=False)
    trials = _trials(study_settings, "gp")
    assert handle.stop_reason == "target" and len(trials) == 5
    assert {t.state for t in trials} == {TrialState.COMPLETE}


def test_coordinate_descent_records_its_tier_gates(study_settings: Settings) -> None:
    import json

    spec = callable_spec(
        "tiers", "quadratic",
        space={"x": {"type": "float", "low": 0.0, "high": 1.0, "default": 0.9},
               "y": {"type": "float", "low": 0.0, "high": 1.0, "default": 0.5}},
        sampler={"type": "coordinate", "seed": 4, "inner": "random", "tiers": [
            {"params": ["x"], "trials": 3}, {"params": ["y"], "trials": 2, "min_improvement": 0.5}]},
        budget={"n_trials": 5})
    handle = start_study(spec, study_settings, progress=False)
    client = Tracker(study_settings).client
    tags = client.get_run(handle.parent_run_id).data.tags
    assert tags[Tag.TIERS.value] == "0:kept, 1:not kept"
    assert tags[f"{Tag.TIERS.value}.0"] == "kept: first tier sets the incumbent"
    assert tags[f"{Tag.TIERS.value}.1"].startswith("not kept: gain 0 vs required")
    path = client.download_artifacts(handle.parent_run_id, "tiers.json")
    tiers = json.loads(Path(path).read_text())
    assert [(t["tier"], t["params"], t["trials"], t["kept"]) for t in tiers] == [(0, ["x"], 3, True), (1, ["y"], 2, False)]
    assert tiers[1]["incumbent"] == tiers[0]["best"] and tiers[1]["best"] == pytest.approx(tiers[0]["best"])


def test_a_worker_checks_stale_trials_with_the_grace_in_settings(study_settings: Settings) -> None:
    from studies.runner import prepare_study
    from studies.spec import load_spec
    from studies.worker import Worker

    prepare_study(load_spec(callable_spec("grace", "quadratic")), study_settings)
    patient = study_settings.model_copy(update={"studies": study_settings.studies.model_copy(
        update={"heartbeat_grace_s": 600})})
    for settings, grace in ((study_settings, 20), (patient, 600)):
        worker = Worker("grace", settings)
        assert worker.study._storage._backend.grace_period == grace  # the storage that fails stale trials
