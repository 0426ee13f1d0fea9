"""Configuration models: ranges, names in errors, defaults read from the constants module."""

from __future__ import annotations

import pytest

import solvers
from solvers import constants
from solvers.registry import make_config
from solvers.errors import ConfigError, UnknownSolverError


@pytest.mark.parametrize(
    ("solver", "bad", "expected"),
    [
        ("sa", {"cooling_rate": 1.5}, "cooling_rate: must be >= 0.5 and <= 0.99999 (got 1.5)"),
        ("sa", {"cooling": "fast"}, "cooling: must be one of geometric, linear, adaptive (got 'fast')"),
        ("sa", {"neighbours": 0}, "neighbours: must be >= 1 and <= 256 (got 0)"),
        ("ils", {"perturbation_strength": 0}, "perturbation_strength: must be >= 1 and <= 1000 (got 0)"),
        ("ils", {"local_search": "best"}, "local_search: must be one of none, single_pass, full (got 'best')"),
        ("tabu", {"tenure": -1}, "tenure: must be >= 0 and <= 10000 (got -1)"),
        ("tabu", {"initial": "greedy"}, "initial: must be one of random, constructive, multistart (got 'greedy')"),
    ],
)
def test_bad_value_names_parameter_and_range(solver, bad, expected) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(solver, bad)
    assert str(info.value) == expected
    assert isinstance(info.value, ValueError)


def test_unknown_parameter_lists_allowed_ones() -> None:
    with pytest.raises(ConfigError, match=r"colling_rate: unknown parameter .*allowed: .*cooling_rate"):
        make_config("sa", {"colling_rate": 0.9})


def test_unknown_solver() -> None:
    with pytest.raises(UnknownSolverError, match="solver: must be one of sa, ils, tabu"):
        solvers.config_class("ga")


def test_every_default_comes_from_constants() -> None:
    for solver in solvers.solver_names():
        model = solvers.config_class(solver)
        defaults = model().model_dump()
        for name in model.model_fields:
            if name == "operator_weights":
                continue
            # the convention promotion relies on: <SOLVER>_<PARAM>, else <PARAM>
            constant = next(c for c in (f"{solver}_{name}".upper(), name.upper()) if hasattr(constants, c))
            assert defaults[name] == getattr(constants, constant), (solver, name)


def test_a_rewritten_constant_is_the_new_default(monkeypatch) -> None:
    monkeypatch.setattr(constants, "SA_COOLING_RATE", 0.98)
    monkeypatch.setattr(constants, "TABU_TENURE", 11)
    assert solvers.SAConfig().cooling_rate == 0.98
    assert solvers.TabuConfig().tenure == 11


def test_constants_are_simple_one_line_assignments() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(constants.__file__).read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign):
            assert isinstance(node.value, ast.Constant) and node.lineno == node.end_lineno


def test_unknown_operator_weight_is_refused() -> None:
    inst = solvers.load_instance("flowshop:ta001")
    with pytest.raises(ConfigError, match="operator_weights: unknown operator 'kick'.*insert, swap, adjacent"):
        solvers.solve(inst, "sa", {"operator_weights": {"kick": 1.0}}, iterations=1)


def test_explicit_operator_weights_steer_proposals() -> None:
    inst = solvers.load_instance("flowshop:ta001")
    steps = []
    solvers.solve(inst, "sa", {"operator_weights": {"swap": 1.0}, "chunk_size": 100}, iterations=100,
                  on_step=steps.append)
    assert steps[0]["op.swap.proposals"] == 100 and steps[0]["op.insert.proposals"] == 0


def test_describe_solvers_lists_params_ranges_defaults() -> None:
    described = {d["solver"]: d for d in solvers.describe_solvers()}
    assert set(described) == set(solvers.solver_names())
    cooling = next(p for p in described["sa"]["params"] if p["name"] == "cooling_rate")
    assert cooling["default"] == constants.SA_COOLING_RATE and "0.99999" in cooling["range"]
    assert described["sa"]["families"]["flowshop"]["operators"] == ["insert", "swap", "adjacent"]
    assert "intensify" in described["sa"]["families"]["flowshop"]["presets"]
