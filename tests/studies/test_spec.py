"""Study specs: shipped examples load; bad specs are refused with the field and nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from studies.cli import app
from studies.spec import SpecError, load_spec
from tests.conftest import REPO

from .conftest import callable_spec, solver_spec

SHIPPED = sorted((REPO / "configs" / "studies").glob("*.yaml"))


def test_there_are_shipped_specs() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"sa-flowshop", "tabu-coloring", "coordinate-ils-flowshop", "digits-sgd"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_specs_load(path: Path) -> None:
    spec = load_spec(path)
    assert spec.name == path.stem


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "bad name!"}, "name:"),
        ({"space": {"cooling_rat": {"type": "float", "low": 0.9, "high": 0.99}}},
         "space.cooling_rat: not a parameter of solver 'sa'"),
        ({"space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9}}}, "'low' must be below 'high'"),
        ({"space": {"cooling_rate": {"type": "float", "low": 0.0, "high": 0.9, "log": True}}}, "needs low > 0"),
        ({"space": {"cooling": {"type": "categorical"}}}, "needs a non-empty 'choices'"),
        ({"instances": ["ta999"]}, "instances:"),
        ({"instances": [], "bundle": "nope"}, "unknown bundle 'nope'"),
        ({"sampler": {"type": "annealing"}}, "sampler.type"),
        ({"sampler": {"type": "coordinate"}}, "needs 'tiers'"),
        ({"pruners": [{"type": "cost_budget"}]}, "needs budget.cost"),
        ({"budget": {"n_trials": 0}}, "budget.n_trials"),
        ({"objective": {"solver": "sa", "problem": "flowshop"}}, "give 'time_limit' or 'iterations'"),
        ({"objective": {"solver": "sa", "problem": "flowshop", "iterations": 10, "fixed": {"cooling_rate": 3}}},
         "objective.fixed"),
        ({"workers": 0}, "workers"),
        ({"unknown": 1}, "unknown: unknown field"),
        ({"warm_starts": {"enqueue": [{"cooling_rate": 0.5}]}}, "warm_starts.enqueue[0].cooling_rate: 0.5 is outside"),
        ({"warm_starts": {"enqueue": [{"tenure": 3}]}}, "warm_starts.enqueue[0].tenure: not a parameter of the space"),
        ({"warm_starts": {"from_constants": True},
          "space": {"cooling_rate": {"type": "float", "low": 0.9, "high": 0.99}}},
         "warm_starts.from_constants: the current default of cooling_rate cannot be proposed"),
    ],
)
def test_bad_specs_name_the_field(change: dict, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec({**solver_spec("s"), **change})
    assert expected in str(info.value)


def test_conditions_and_tiers_are_checked() -> None:
    with pytest.raises(SpecError, match="condition names 'y'"):
        load_spec(callable_spec("c", "quadratic", space={"x": {"type": "float", "low": 0, "high": 1,
                                                               "condition": {"y": [1]}}}))
    with pytest.raises(SpecError, match="need a 'default'"):
        load_spec(callable_spec("c", "quadratic", space={
            "x": {"type": "float", "low": 0, "high": 1}, "z": {"type": "int", "low": 0, "high": 3}},
            sampler={"type": "coordinate", "tiers": [{"params": ["x"], "trials": 2}]}))


def test_grid_needs_steps_for_floats() -> None:
    with pytest.raises(SpecError, match="needs 'step'"):
        load_spec(callable_spec("g", "quadratic", sampler={"type": "grid"}))
    spec = load_spec(callable_spec("g", "quadratic", sampler={"type": "grid"},
                                   space={"x": {"type": "float", "low": 0, "high": 1, "step": 0.25}}))
    assert [p["x"] for p in spec.grid()] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_cli_refuses_a_bad_spec_and_creates_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: s\nobjective: {solver: sa, problem: flowshop, iterations: 10}\ninstances: [ta001]\n"
                   "space:\n  cooling_rate: {type: float, low: 2, high: 3}\n")
    result = CliRunner().invoke(app, ["study", "start", str(bad)])
    assert result.exit_code == 2
    assert "space.cooling_rate" in result.output
    assert not (tmp_path / "mlruns" / "studies.db").exists()
    assert not (tmp_path / "mlruns" / "mlflow.db").exists()


def test_an_objective_that_cannot_be_imported_is_refused() -> None:
    with pytest.raises(SpecError, match="objective.function: cannot import module 'no_such_module'"):
        load_spec(callable_spec("c", "quadratic", objective={"function": "no_such_module:f"}))
    with pytest.raises(SpecError, match="has no callable 'nope'"):
        load_spec(callable_spec("c", "quadratic", objective={"function": "tests.studies._objectives:nope"}))
    with pytest.raises(SpecError, match="from_constants needs a built-in solver objective"):
        load_spec(callable_spec("c", "quadratic", warm_starts={"from_constants": True}))


def test_gp_without_torch_is_refused_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed: `import torch` fails
    with pytest.raises(SpecError, match=r"sampler.type: 'gp' needs PyTorch.*pip install -e \"\.\[gp\]\""):
        load_spec(callable_spec("c", "quadratic", sampler={"type": "gp"}))
    load_spec(callable_spec("c", "quadratic", sampler={"type": "cmaes"}))  # a dependency: always there
