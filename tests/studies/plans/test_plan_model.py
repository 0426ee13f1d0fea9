"""Bad plans are refused with the field and the allowed values, before anything is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from studies.cli import app
from studies.plans import PlanError, cell_specs, load_plan
from tests.conftest import REPO


def plan(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "mini", "solver": "sa", "problem": "flowshop",
        "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9999, "log": True}},
        "bundles": [{"name": "tiny", "instances": ["ta001"]}],
        "tuners": [{"name": "random", "sampler": "random"}],
        "tiers": {"short": {"iterations": 300, "trials": {"random": 2}}},
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("change", "field", "allowed"), [
    ({"tuners": [{"name": "annealer", "sampler": "simplex"}]}, "tuners.0.sampler", "'grid'"),
    ({"tiers": {"short": {"iterations": 300, "trials": {"hillclimb": 2}}}}, "tiers.short.trials.hillclimb", "random"),
    ({"tiers": {"short": {"iterations": 0}}}, "tiers.short.iterations", "greater than 0"),
    ({"tiers": {"short": {"iterations": 100, "trials": {"random": 0}}}}, "trials.random", "> 0"),
    ({"bundles": [{"name": "no-such-bundle"}]}, "bundles.0", "taillard-20x5"),
    ({"space": {"cooling_rate": {"type": "float", "low": 0.5, "high": 2.0}}}, "space.cooling_rate", "valid setting"),
    ({"overrides": {"space": {}}}, "overrides", "allowed"),
    ({"tierz": {}}, "tierz", "unknown field"),
])
def test_bad_plans_name_the_field(change: dict[str, Any], field: str, allowed: str) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(plan(**change))
    assert field in str(caught.value) and allowed in str(caught.value), str(caught.value)


def test_unknown_tier_on_the_command_line_lists_the_plans_tiers() -> None:
    with pytest.raises(PlanError, match="the plan's tiers: short"):
        cell_specs(load_plan(plan()), ["long"])


def test_cli_refuses_a_bad_plan_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(plan(tiers={"short": {"iterations": -5}})))
    result = CliRunner().invoke(app, ["plan", "run", str(path)])
    assert result.exit_code == 2
    assert "tiers.short.iterations" in result.output
    assert not (tmp_path / "mlruns").exists()  # no store, no plan run, no study


def test_shipped_plans_are_valid_and_smoke_is_small() -> None:
    for name in ("smoke", "baseline", "full-spectrum"):
        cells = cell_specs(load_plan(REPO / "configs" / "plans" / f"{name}.yaml"))
        assert cells, name
    smoke = cell_specs(load_plan(REPO / "configs" / "plans" / "smoke.yaml"))
    assert sum(c.solves for c in smoke) <= 200
    assert {c.tuner for c in smoke} == {"random", "grid", "tpe-racing"}
    assert all(c.study.startswith("smoke.") for c in smoke)


def test_dry_run_prints_the_matrix_and_its_cost(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "run", str(REPO / "configs" / "plans" / "smoke.yaml"), "--dry-run",
                                      "--json"])
    assert result.exit_code == 0, result.output
    import json

    shown = json.loads(result.output)
    assert len(shown["cells"]) == 12 and shown["estimated_s"] > 0
    assert not (tmp_path / "mlruns").exists()
