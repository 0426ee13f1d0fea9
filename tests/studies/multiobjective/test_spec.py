"""Multi-objective specs: metrics with directions, NSGA-II by default, refusals that name the field."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
import yaml
from typer.testing import CliRunner

from studies.cli import app
from studies.spec import SpecError, load_spec
from studies.storage import get_storage
from tests.conftest import REPO
from tests.studies.conftest import solver_spec

TWO = {"metrics": ["gap", "seconds"], "directions": ["minimize", "minimize"]}
OBJECTIVES = "tests.studies.multiobjective._objectives"


def _unsampled(name: str, **fields) -> dict:
    """A solver spec that names no sampler."""
    spec = solver_spec(name, **fields)
    del spec["sampler"]
    return spec


def test_two_metrics_default_to_nsga2_and_one_metric_stays_the_short_form() -> None:
    spec = load_spec(_unsampled("mo", **TWO))
    assert spec.multi_objective and spec.sampler.type == "nsga2"
    assert spec.objective_names == ["gap", "seconds"] and spec.objective_directions == ["minimize", "minimize"]
    assert load_spec(spec).objective_names == ["gap", "seconds"]  # round trip through the stored form
    assert load_spec(_unsampled("seeded", sampler={"seed": 4}, **TWO)).sampler.type == "nsga2"

    one = load_spec(_unsampled("one", metrics=["gap"], directions=["maximize"]))
    assert not one.multi_objective and (one.metric, one.direction, one.metrics) == ("gap", "maximize", [])
    assert one.sampler.type == "tpe"

    chosen = load_spec(solver_spec("tpe", sampler={"type": "tpe", "seed": 1}, **TWO))
    assert chosen.sampler.type == "tpe"


def test_shipped_tradeoff_spec() -> None:
    spec = load_spec(REPO / "configs" / "studies" / "sa-flowshop-tradeoff.yaml")
    assert spec.objective_names == ["gap", "seconds"] and spec.sampler.type == "nsga2"
    assert spec.evaluation_instances() == [f"flowshop:ta{i:03d}" for i in range(11, 21)]
    assert [p.type for p in spec.pruners] == ["cost_budget"] and spec.budget.cost


@pytest.mark.parametrize(("change", "expected"), [
    ({"metrics": ["gap", "seconds"], "directions": ["minimize"]},
     "directions: give one direction (minimize | maximize) per metric; got 1 for 2 metrics"),
    ({"metrics": ["gap", "seconds"]}, "directions: give one direction"),
    ({"directions": ["minimize", "minimize"]}, "directions: needs 'metrics'"),
    ({**TWO, "directions": ["minimize", "faster"]}, "directions.1: Input should be 'minimize' or 'maximize'"),
    ({"metrics": ["gap", "secs"], "directions": ["minimize", "minimize"]},
     "metrics.1: 'secs' is not reported by the built-in solver objective; allowed: gap, objective, seconds, "
     "iterations, cost"),
    ({"metrics": ["gap", "gap"], "directions": ["minimize", "minimize"]}, "metrics: each metric may appear once"),
    ({**TWO, "metric": "objective"}, "give either metric/direction (one objective) or metrics/directions"),
    ({**TWO, "sampler": {"type": "cmaes"}}, "sampler.type: 'cmaes' optimises one objective; a multi-objective "
     "study uses one of nsga2, nsga3, tpe, random, grid"),
    ({**TWO, "pruners": [{"type": "median"}]}, "pruners.0: 'median' is refused for a multi-objective study"),
    ({**TWO, "pruners": [{"type": "cost_budget"}, {"type": "hyperband"}], "budget": {"cost": 5}},
     "pruners.1: 'hyperband' is refused"),
    ({**TWO, "reference_point": [1.0]}, "reference_point: give one value per metric (2), got 1"),
    ({"reference_point": [1.0, 2.0]}, "reference_point: only a multi-objective study"),
    ({"sampler": {"type": "tpe", "population_size": 8}}, "sampler.population_size only applies to the nsga2"),
])
def test_bad_multi_objective_specs_name_the_field(change: dict, expected: str) -> None:
    with pytest.raises(SpecError) as err:
        load_spec(solver_spec("bad", **change))
    assert expected in str(err.value)


def test_a_callable_objective_cannot_name_a_metric_tunetrack_records_itself() -> None:
    spec = {"name": "c", "objective": f"{OBJECTIVES}:tradeoff", "metrics": ["loss", "cost"],
            "directions": ["minimize", "minimize"]}
    with pytest.raises(SpecError, match="metrics.1: 'cost' is a metric tunetrack records on every trial run"):
        load_spec(spec)


def test_racing_with_two_objectives_is_refused_at_the_spec_check_and_nothing_is_created(tmp_path: Path) -> None:
    path = tmp_path / "race.yaml"
    path.write_text(yaml.safe_dump(solver_spec("race-two", pruners=[{"type": "racing"}], **TWO)))
    result = CliRunner().invoke(app, ["study", "start", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "pruners.0: 'racing' is refused for a multi-objective study: it races trials on one reported value " \
           "per evaluation, and a multi-objective trial has 2 (gap, seconds); use cost_budget or none" in message
    storage = tmp_path / "mlruns" / "studies.db"
    if storage.exists():  # nothing half-written: no study of that name
        names = [s.study_name for s in optuna.get_all_study_summaries(get_storage(f"sqlite:///{storage}"))]
        assert "race-two" not in names
