"""Study queries and the `tunetrack study` / `tunetrack demo` commands on real stores."""

from __future__ import annotations

import json

import optuna
import pytest
from typer.testing import CliRunner

from studies.cli import app
from studies.queries import UnknownStudy, best_params, compare_trials, list_studies, study_status
from studies.runner import start_study
from studies.settings import Settings
from studies.storage import get_storage
from studies.vocabulary import Attr

from .conftest import callable_spec, solver_spec

runner = CliRunner()


@pytest.fixture
def done_study(study_settings: Settings) -> str:
    start_study(solver_spec("q", budget={"n_trials": 4}), study_settings, progress=False)
    return "q"


def test_status_best_list_compare(done_study: str, study_settings: Settings) -> None:
    status = study_status(done_study, study_settings)
    assert status.state == "done" and status.trials.complete == 4 and status.target_trials == 4
    assert status.experiment_id and status.parent_run_id and status.spend > 0
    best = best_params(done_study, study_settings)
    assert best.value == status.best_value and best.trial == status.best_trial
    assert best.command.startswith("tunetrack solve --problem flowshop:ta001 --solver sa --seed 1 --iterations 1500")
    assert f"cooling_rate={best.params['cooling_rate']}" in best.command
    assert [s.name for s in list_studies(study_settings)] == [done_study]
    comparison = compare_trials(done_study, 3, study_settings)
    assert [r.trial for r in comparison.rows][0] == best.trial
    assert len(comparison.rows) == 3
    assert all(len(r.per_instance) == 3 for r in comparison.rows)
    assert comparison.rows[0].p_value_vs_best is None
    assert all(r.p_value_vs_best is not None and 0 <= r.p_value_vs_best <= 1 for r in comparison.rows[1:])
    values = [r.value for r in comparison.rows]
    assert values == sorted(values)


def test_best_command_reproduces_the_first_evaluation(done_study: str, study_settings: Settings) -> None:
    best = best_params(done_study, study_settings)
    args = best.command.split()[1:] + ["--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    trial = optuna.load_study(study_name=done_study, storage=get_storage(study_settings.studies.storage)).trials[best.trial]
    assert json.loads(result.output.strip().splitlines()[-1])["gap"] == pytest.approx(trial.intermediate_values[0])


def test_cli_json_outputs(done_study: str) -> None:
    for args in (["study", "status", done_study, "--json"], ["study", "best", done_study, "--json"],
                 ["study", "list", "--json"], ["study", "compare", done_study, "--top", "2", "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)


def test_unknown_study_is_a_clear_error(study_settings: Settings) -> None:
    with pytest.raises(UnknownStudy, match="no study named 'nope'"):
        study_status("nope", study_settings)
    result = runner.invoke(app, ["study", "status", "nope"])
    assert result.exit_code == 2 and "no study named 'nope'" in result.output


def test_coordinate_descent_fixes_earlier_tiers(study_settings: Settings) -> None:
    spec = callable_spec(
        "tiers", "quadratic",
        space={"x": {"type": "float", "low": -1, "high": 1, "default": 0.9},
               "y": {"type": "float", "low": 0, "high": 1, "default": 0.5}},
        sampler={"type": "coordinate", "seed": 1, "inner": "random",
                 "tiers": [{"params": ["x"], "trials": 4}, {"params": ["y"], "trials": 3}]},
        budget={"n_trials": 7},
    )
    start_study(spec, study_settings, progress=False)
    trials = optuna.load_study(study_name="tiers", storage=get_storage(study_settings.studies.storage)).trials
    tier1, tier2 = trials[:4], trials[4:]
    assert [t.system_attrs[Attr.TIER] for t in trials] == [0] * 4 + [1] * 3
    assert all(t.params["y"] == 0.5 for t in tier1), "tier 2 parameters stay at their default during tier 1"
    best_x = min(tier1, key=lambda t: t.value).params["x"]
    assert all(t.params["x"] == best_x for t in tier2), "tier 1's best is fixed while tier 2 is tuned"
    assert len({t.params["y"] for t in tier2}) == 3


def test_demo_runs_end_to_end(tmp_path) -> None:
    result = runner.invoke(app, ["demo", "--workers", "1", "--n-trials", "3"])
    assert result.exit_code == 0, result.output
    assert "demo-sa-flowshop: done" in result.output
    assert "tunetrack solve --problem flowshop:ta011" in result.output
    assert "the defaults (trial 0):" in result.output and "improvement:" in result.output
    assert (tmp_path / "mlruns" / "mlflow.db").exists() and (tmp_path / "mlruns" / "studies.db").exists()
