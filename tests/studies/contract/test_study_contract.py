"""What a study guarantees, on every backend: create, run, resume, stop, racing, cost budget.

Each test runs against the embedded stores and against the scaled-out topology (see
conftest.py). Studies stay tiny (a few trials, short solves) so the set stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from studies.queries import study_status
from studies.runner import start_study, stop_study
from studies.settings import Settings
from studies.storage import get_storage
from studies.vocabulary import Attr, StudyState
from tests.studies.conftest import callable_spec, solver_spec
from tracker import RunState, Tag, Tracker

pytestmark = pytest.mark.slow


def _trials(settings: Settings, name: str) -> list[optuna.trial.FrozenTrial]:
    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    return optuna.load_study(study_name=name, storage=storage).get_trials(deepcopy=False)


def _runs(settings: Settings, name: str):
    return Tracker(settings).runs(name)


def _kind(runs, kind: str):
    return runs[runs[f"tags.{Tag.KIND.value}"] == kind]


def _nothing_running(settings: Settings, name: str) -> None:
    assert not [t.number for t in _trials(settings, name) if t.state == TrialState.RUNNING]
    runs = _runs(settings, name)
    assert (runs["status"] != "RUNNING").all(), runs[runs["status"] == "RUNNING"][["run_name", "status"]]


def test_create_run_and_resume_a_solver_study(backend: Settings) -> None:
    spec = solver_spec("contract-solve", instances=["ta001"], seeds=[1], budget={"n_trials": 2},
                       objective={"solver": "sa", "problem": "flowshop", "iterations": 300})
    first = start_study(spec, backend, progress=False)
    assert first.state == StudyState.DONE
    runs = _runs(backend, "contract-solve")
    assert len(_kind(runs, "study")) == 1 and len(_kind(runs, "trial")) == 2
    solves = _kind(runs, "solve")
    assert set(solves[f"tags.{Tag.STUDY.value}"]) == {"contract-solve"}
    assert set(solves["tags.mlflow.parentRunId"]) == set(_kind(runs, "trial")["run_id"])
    steps = Tracker(backend).load_steps(solves["run_id"].iloc[0])  # the full trace, from the artefact store
    assert len(steps) >= 1 and {"iteration", "best"} <= set(steps.columns)

    again = start_study(spec, backend, n_trials=3, progress=False)
    assert again.parent_run_id == first.parent_run_id and again.state == StudyState.DONE
    trials = _trials(backend, "contract-solve")
    assert len(trials) == 3 and {t.state for t in trials} == {TrialState.COMPLETE}
    runs = _runs(backend, "contract-solve")
    assert len(_kind(runs, "study")) == 1 and len(_kind(runs, "trial")) == 3 and len(_kind(runs, "solve")) == 3
    assert _kind(runs, "study")["status"].item() == RunState.COMPLETE.mlflow_status
    _nothing_running(backend, "contract-solve")


def test_racing_prunes_a_clearly_worse_configuration(backend: Settings) -> None:
    spec = callable_spec(
        "contract-race", "per_instance", budget={"n_trials": 3}, pruners=[{"type": "racing", "n_startup_steps": 3}],
        warm_starts={"enqueue": [{"x": 0.1}, {"x": 0.9}, {"x": 0.12}]},
    )
    start_study(spec, backend, progress=False)
    trials = {round(t.params["x"], 2): t for t in _trials(backend, "contract-race")}
    assert trials[0.1].state == TrialState.COMPLETE and trials[0.9].state == TrialState.PRUNED
    runs = _runs(backend, "contract-race").set_index("run_id")
    pruned = runs.loc[trials[0.9].user_attrs[Attr.RUN_ID]]
    assert pruned["status"] == RunState.PRUNED.mlflow_status
    assert pruned[f"tags.{Tag.STATE.value}"] == RunState.PRUNED.value
    assert pruned[f"tags.{Tag.PRUNED_BY.value}"] == "racing"
    assert int(pruned[f"tags.{Tag.RACE_INCUMBENT_TRIAL.value}"]) == trials[0.1].number
    assert float(pruned[f"tags.{Tag.RACE_P_VALUE.value}"]) < 0.1
    seen = len(trials[0.9].intermediate_values)
    assert seen < 12 and int(pruned[f"tags.{Tag.RACE_INSTANCES_SEEN.value}"]) == seen


def test_cost_budget_stops_the_study(backend: Settings) -> None:
    spec = callable_spec("contract-budget", "slow", kwargs={"seconds": 0.05, "steps": 3},
                         budget={"n_trials": 200, "cost": 0.5}, pruners=[{"type": "cost_budget"}])
    handle = start_study(spec, backend, progress=False)
    trials = _trials(backend, "contract-budget")
    costs = [t.user_attrs.get(Attr.COST, 0.0) for t in trials]
    assert handle.state == StudyState.DONE
    assert 1 <= len(trials) < 200
    assert sum(costs) <= 0.5 + max(costs)
    assert study_status("contract-budget", backend).spend == pytest.approx(sum(costs))
    _nothing_running(backend, "contract-budget")


def test_stop_ends_a_detached_study_cleanly(backend: Settings, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    spec = callable_spec("contract-stop", "slow", kwargs={"seconds": 0.2, "steps": 500, "pid_dir": str(pids)},
                         budget={"n_trials": 5})
    start_study(spec, backend, detach=True)
    deadline = time.monotonic() + 120
    while not list(pids.glob("*")):  # a trial has started (its worker writes its pid first)
        assert time.monotonic() < deadline, "no trial started"
        time.sleep(0.1)
    assert stop_study("contract-stop", backend) == StudyState.STOPPED
    assert study_status("contract-stop", backend).state == StudyState.STOPPED
    runs = _runs(backend, "contract-stop")
    assert _kind(runs, "study")["status"].item() == RunState.INTERRUPTED.mlflow_status
    _nothing_running(backend, "contract-stop")
