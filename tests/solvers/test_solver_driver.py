"""The chunk driver: limits, step records, events, determinism, feasibility."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import solvers
from solvers import records
from solvers.errors import SolverError

SMALL = {"sa": {"chunk_size": 500}, "ils": {"chunk_size": 5}, "tabu": {"chunk_size": 20}}
ITERS = {"sa": 3000, "ils": 30, "tabu": 100}


@pytest.fixture(scope="module")
def ta011() -> solvers.Instance:
    return solvers.load_instance("flowshop:ta011")


def _run(instance, solver, seed=1, **extra):
    steps, events = [], []
    config = {**SMALL[solver], **extra}
    res = solvers.solve(instance, solver, config, seed=seed, iterations=ITERS[solver],
                        on_step=steps.append, on_event=events.append)
    return res, steps, events


@pytest.mark.parametrize("solver", solvers.solver_names())
@pytest.mark.parametrize("initial", ["random", "constructive", "multistart"])
def test_result_is_feasible_and_objective_recomputes(ta011, solver, initial) -> None:
    res, steps, _ = _run(ta011, solver, initial=initial)
    perm = np.asarray(res.solution)
    assert sorted(res.solution) == list(range(20)) and res.feasible
    assert res.objective == solvers.get_family("flowshop").evaluate(ta011, perm)[0]
    assert res.objective >= ta011.reference
    assert res.gap == pytest.approx((res.objective - ta011.reference) / ta011.reference)
    assert res.iterations == ITERS[solver] and res.stop_reason == "iterations"
    assert res.config["initial"] == initial and res.seed == 1
    assert steps[-1][records.BEST] == res.objective


@pytest.mark.parametrize("solver", solvers.solver_names())
def test_same_seed_same_result_and_trace(ta011, solver) -> None:
    a, steps_a, _ = _run(ta011, solver, seed=7)
    b, steps_b, _ = _run(ta011, solver, seed=7)
    assert a.solution == b.solution and a.objective == b.objective
    strip = [{k: v for k, v in s.items() if k != records.ELAPSED_S} for s in steps_a]
    assert strip == [{k: v for k, v in s.items() if k != records.ELAPSED_S} for s in steps_b]


def test_different_seeds_explore_differently(ta011) -> None:
    traces = {tuple(s[records.CURRENT] for s in _run(ta011, "sa", seed=s, initial="random")[1]) for s in range(3)}
    assert len(traces) > 1


@pytest.mark.parametrize("solver", solvers.solver_names())
def test_one_step_record_per_chunk_with_all_keys(ta011, solver) -> None:
    res, steps, events = _run(ta011, solver)
    chunk = SMALL[solver]["chunk_size"]
    assert len(steps) == math.ceil(ITERS[solver] / chunk)
    assert [s[records.ITERATION] for s in steps] == [min((i + 1) * chunk, ITERS[solver]) for i in range(len(steps))]
    family = solvers.get_family("flowshop")
    for s in steps:
        assert set(records.STEP_KEYS) <= set(s)
        for op in family.operators()[solver]:
            assert s[records.op_proposals(op)] >= s[records.op_accepts(op)] >= 0
        assert s[records.BEST_DELTA] <= 0 and s[records.BEST] <= s[records.CURRENT]
    assert sum(s[records.BEST_DELTA] for s in steps) == res.objective - events[0][records.EVENT_DETAIL]["objective"]
    assert events[0][records.EVENT] == records.EVENT_START and events[-1][records.EVENT] == records.EVENT_STOP
    assert list(res.events) == events


def test_sa_temperature_follows_the_schedule(ta011) -> None:
    _, steps, events = _run(ta011, "sa", cooling="geometric", cooling_rate=0.999, initial_temperature=50.0,
                            min_temperature=0.0)
    assert events[0][records.EVENT_DETAIL]["initial_temperature"] == 50.0
    assert steps[0][records.TEMPERATURE] == pytest.approx(50.0 * 0.999**500)
    _, steps, _ = _run(ta011, "sa", cooling="linear", cooling_rate=0.999, initial_temperature=50.0,
                       min_temperature=1.0)
    assert steps[0][records.TEMPERATURE] == pytest.approx(50.0 - 500 * 0.001 * 50.0)
    assert steps[-1][records.TEMPERATURE] == pytest.approx(1.0)


def test_sa_estimates_initial_temperature(ta011) -> None:
    _, _, events = _run(ta011, "sa", initial_acceptance=0.5)
    t_half = events[0][records.EVENT_DETAIL]["initial_temperature"]
    _, _, events = _run(ta011, "sa", initial_acceptance=0.9)
    assert events[0][records.EVENT_DETAIL]["initial_temperature"] > t_half > 0


def test_stalled_sa_is_reheated(ta011) -> None:
    _, steps, events = _run(ta011, "sa", stall_limit=500, reheat_factor=0.5, cooling_rate=0.99)
    reheats = [e for e in events if e[records.EVENT] == records.EVENT_REHEAT]
    assert reheats, "a fast-cooled SA must stall and be reheated"
    assert reheats[0][records.EVENT_DETAIL]["temperature"] > 1.0


def test_stalled_tabu_raises_tenure(ta011) -> None:
    _, _, events = _run(ta011, "tabu", stall_limit=20, adaptive_tenure=True, tenure=4)
    tenures = [e[records.EVENT_DETAIL]["tenure"] for e in events if e[records.EVENT] == records.EVENT_TENURE]
    assert tenures and tenures[0] == 6


def test_stalled_ils_restarts_from_best(ta011) -> None:
    res, _, events = _run(ta011, "ils", stall_limit=5)
    restarts = [e for e in events if e[records.EVENT] == records.EVENT_RESTART]
    assert restarts and all(e[records.EVENT_DETAIL]["objective"] >= res.objective for e in restarts)


def test_restart_passes_split_the_budget(ta011) -> None:
    res, steps, events = _run(ta011, "sa", restarts=2, chunk_size=700)
    passes = [e for e in events if e[records.EVENT] == records.EVENT_RESTART]
    assert [e[records.EVENT_ITERATION] for e in passes] == [1000, 2000]
    assert res.iterations == 3000


def test_time_limit_stops_the_run(ta011) -> None:
    res = solvers.solve(ta011, "ils", {"chunk_size": 1000}, seed=1, time_limit=0.3)
    assert res.stop_reason == "time_limit" and res.iterations > 0 and res.feasible


def test_zero_iterations_returns_the_initial_solution(ta011) -> None:
    res = solvers.solve(ta011, "tabu", seed=1, iterations=0)
    assert res.iterations == 0 and res.objective == res.events[0][records.EVENT_DETAIL]["objective"]


def test_one_job_instance(tmp_path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("1 3\n4\n5\n6\n")
    for solver in solvers.solver_names():
        res = solvers.solve(str(path), solver, seed=0, iterations=3)
        assert res.objective == 15 and res.solution == (0,) and res.reference is None and res.gap is None


@pytest.mark.parametrize("bad", [{"iterations": -1}, {"time_limit": 0}])
def test_bad_limits_are_refused(ta011, bad) -> None:
    with pytest.raises(SolverError):
        solvers.solve(ta011, "sa", **bad)


def test_importing_solvers_imports_neither_mlflow_nor_optuna() -> None:
    code = "import sys, solvers, solvers.flowshop; solvers.load_instance('flowshop:ta001'); " \
           "print('mlflow' in sys.modules, 'optuna' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
