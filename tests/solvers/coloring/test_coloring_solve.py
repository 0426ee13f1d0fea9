"""The colouring family through `solvers.load_instance` / `solvers.solve`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import solvers
from solvers import records
from solvers.coloring import conflict_count, queen, write_col
from solvers.errors import ConfigError, ProblemError


def test_load_named_instance_with_descriptor() -> None:
    inst = solvers.load_instance("coloring:queen8_8")
    assert (inst.family, inst.name, inst.reference, inst.lower_bound) == ("coloring", "queen8_8", 9, 9)
    assert inst.descriptor["vertices"] == 64 and inst.descriptor["edges"] == 728
    assert inst.descriptor["max_degree"] == 27
    assert all(isinstance(v, (int, float, str, bool)) for v in inst.descriptor.values())


def test_load_col_file(tmp_path: Path) -> None:
    path = write_col(queen(6, 6), tmp_path / "queen6_6.col")
    inst = solvers.load_instance(str(path))
    assert (inst.family, inst.name, inst.reference, inst.data.n) == ("coloring", "queen6_6", 7, 36)
    other = tmp_path / "graph.dat"  # no .col suffix: found by its 'p edge' line
    other.write_text(path.read_text())
    assert solvers.load_instance(str(other)).data.n_edges == 290


def test_unknown_spec_is_refused() -> None:
    with pytest.raises(ProblemError, match="queenR_C"):
        solvers.load_instance("coloring:petersen")


@pytest.mark.parametrize("solver", ["tabu", "sa", "ils"])
@pytest.mark.parametrize("name", ["queen6_6", "queen8_8"])
def test_reaches_chromatic_number_from_a_random_start(solver: str, name: str) -> None:
    inst = solvers.load_instance(f"coloring:{name}")
    steps: list[dict] = []
    res = solvers.solve(inst, solver, {"initial": "random"}, seed=3, iterations=2_000_000, on_step=steps.append)
    assert res.objective == inst.reference and res.stop_reason == "optimal"
    assert res.gap == 0.0
    colors = np.asarray(res.solution, dtype=np.int32)
    assert conflict_count(inst.data.indptr, inst.data.indices, colors) == 0
    assert len(np.unique(colors)) == res.objective and colors.min() == 0
    start = res.events[0]
    assert start[records.EVENT] == records.EVENT_START and start[records.EVENT_DETAIL]["objective"] > res.objective
    assert steps and steps[-1][records.BEST] == res.objective
    assert all(s[records.CURRENT] >= s[records.BEST] for s in steps)
    assert all(f"op.{op}.proposals" in steps[-1] for op in solvers.get_family("coloring").operators()[solver])


@pytest.mark.parametrize("solver", ["tabu", "sa", "ils"])
def test_same_seed_same_result(solver: str) -> None:
    inst = solvers.load_instance("coloring:gnp:60:0.5:seed=1")
    runs = [solvers.solve(inst, solver, {"initial": "random", "chunk_size": 97}, seed=s, iterations=3000)
            for s in (11, 11, 12)]
    assert runs[0].solution == runs[1].solution and runs[0].iterations == runs[1].iterations == 3000
    assert runs[0].stop_reason == "iterations"
    assert runs[0].solution != runs[2].solution
    for r in runs:
        assert r.objective == len(set(r.solution)) and r.feasible and r.gap is None


def test_chunking_does_not_change_an_iteration_limited_run() -> None:
    inst = solvers.load_instance("coloring:planted:80:8:0.6:seed=2")
    a = solvers.solve(inst, "tabu", {"chunk_size": 50}, seed=4, iterations=4000)
    b = solvers.solve(inst, "tabu", {"chunk_size": 1000}, seed=4, iterations=4000)
    assert a.solution == b.solution


def test_multistart_keeps_the_best_construction() -> None:
    inst = solvers.load_instance("coloring:gnp:120:0.3:seed=5")
    single = solvers.solve(inst, "tabu", {"initial": "constructive"}, seed=1, iterations=0)
    multi = solvers.solve(inst, "tabu", {"initial": "multistart", "multistart_k": 8}, seed=1, iterations=0)
    assert multi.objective <= single.objective
    assert multi.events[0][records.EVENT_DETAIL]["strategy"] == "multistart"


def test_planted_graph_reaches_its_k() -> None:
    inst = solvers.load_instance("coloring:planted:120:6:0.5:seed=1")
    assert inst.reference == 6
    res = solvers.solve(inst, "tabu", seed=1, iterations=2_000_000)
    assert res.objective <= 6


def test_edgeless_graph_is_optimal_at_once() -> None:
    res = solvers.solve("coloring:gnp:5:0.0", "tabu", seed=0, iterations=100)
    assert (res.objective, res.iterations, res.stop_reason) == (1.0, 0, "optimal")


def test_colouring_config_errors_name_the_parameter() -> None:
    with pytest.raises(ConfigError, match="tenure_conflict_factor"):
        solvers.solve("coloring:queen5_5", "tabu", {"tenure_conflict_factor": -1}, iterations=10)
    with pytest.raises(ConfigError, match="operator_weights.*swap"):
        solvers.solve("coloring:queen6_6", "sa", {"operator_weights": {"swap": 1.0}}, iterations=10)
    with pytest.raises(ConfigError, match="operator_weights"):
        solvers.solve("coloring:queen6_6", "sa", {"operator_weights": {"recolor": 0.0}}, iterations=10)


def test_sa_reports_temperature_and_reheats_on_stall() -> None:
    events: list[dict] = []
    steps: list[dict] = []
    res = solvers.solve("coloring:gnp:80:0.5:seed=1", "sa", {"stall_limit": 3000, "reheat_factor": 0.5,
                                                            "chunk_size": 500},
                        seed=2, iterations=30000, on_step=steps.append, on_event=events.append)
    assert res.stop_reason == "iterations" and len(steps) == 60
    assert all(s[records.TEMPERATURE] > 0 for s in steps)
    reheats = [e for e in events if e[records.EVENT] == records.EVENT_REHEAT]
    assert reheats and all(e[records.EVENT_DETAIL]["temperature"] > 0 for e in reheats)


def test_tabu_adaptive_tenure_and_restarts_are_recorded() -> None:
    res = solvers.solve("coloring:gnp:80:0.5:seed=1", "tabu",
                        {"stall_limit": 2000, "adaptive_tenure": True, "restarts": 2, "chunk_size": 500},
                        seed=2, iterations=12000)
    names = [e[records.EVENT] for e in res.events]
    assert records.EVENT_TENURE in names and names.count(records.EVENT_RESTART) >= 2
    tenures = [e[records.EVENT_DETAIL]["tenure"] for e in res.events if e[records.EVENT] == records.EVENT_TENURE]
    assert tenures[0] > solvers.TabuConfig().tenure
