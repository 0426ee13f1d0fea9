"""Multi-objective studies end to end on real stores: records, the front's tags, surfaces, promotion.

* `gap-vs-seconds`: SA on two Taillard instances, two worker processes, NSGA-II, gap against
  solver seconds (more neighbours per iteration: smaller gap, more time);
* `three-way`: a `module:function` objective returning a dict of three named values (one maximised);
* `random-start-mo`: SA that can only start from a random permutation, clearly worse in gap than
  the constructive start the constants hold, so promoting any of its points must be refused.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from studies.agent import compare_trials, get_best_params, get_study_status
from studies.cli import app
from studies.pareto import front_mask
from studies.queries import study_status
from studies.runner import start_study
from studies.storage import get_storage
from studies.vocabulary import Attr
from tests.conftest import REPO
from studies.settings import AgentSettings, Settings, StudySettings
from tracker import RunKind, Tag, Tracker
from tracker.settings import StepSettings, TrackingSettings

pytestmark = pytest.mark.slow

OBJECTIVES = "tests.studies.multiobjective._objectives"
SOLVER = {
    "name": "gap-vs-seconds",
    "objective": {"solver": "sa", "problem": "flowshop", "iterations": 2000},
    "instances": ["ta001", "ta002"],
    "seeds": [1],
    "metrics": ["gap", "seconds"],
    "directions": ["minimize", "minimize"],
    "space": {"neighbours": {"type": "int", "low": 1, "high": 8},
              "cooling_rate": {"type": "float", "low": 0.99, "high": 0.9995, "log": True}},
    "sampler": {"seed": 5, "population_size": 4},
    "budget": {"n_trials": 10},
    "workers": 2,
}
CALLABLE = {
    "name": "three-way",
    "objective": f"{OBJECTIVES}:three_way",
    "metrics": ["loss", "seconds", "accuracy"],
    "directions": ["minimize", "minimize", "maximize"],
    "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}, "y": {"type": "float", "low": 0.0, "high": 1.0}},
    "sampler": {"type": "nsga3", "seed": 2, "population_size": 3},
    "budget": {"n_trials": 6},
}
RANDOM_START = {
    "name": "random-start-mo",
    "objective": {"solver": "sa", "problem": "flowshop", "iterations": 30, "fixed": {"cooling_rate": 0.97}},
    "instances": ["ta001", "ta002"],
    "seeds": [1],
    "metrics": ["gap", "seconds"],
    "directions": ["minimize", "minimize"],
    "space": {"initial": {"type": "categorical", "choices": ["random"]}},
    "sampler": {"type": "random", "seed": 1},
    "budget": {"n_trials": 2},
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The three studies, run to completion on stores under a module tmp dir."""
    root = tmp_path_factory.mktemp("multiobjective-stores")
    settings = Settings(
        tracking=TrackingSettings(uri=f"sqlite:///{root}/mlflow.db", artifact_root=str(root / "artifacts")),
        studies=StudySettings(storage=f"sqlite:///{root}/studies.db"),
        steps=StepSettings(flush_interval_s=0.2),
    ).resolved()
    for spec in (SOLVER, CALLABLE, RANDOM_START):
        assert start_study(spec, settings, progress=False).state == "done"
    yield settings


def _study(name: str, settings: Settings) -> optuna.Study:
    return optuna.load_study(study_name=name, storage=get_storage(settings.studies.storage))


def _trial_runs(name: str, settings: Settings) -> pd.DataFrame:
    runs = Tracker(settings).runs(name, kind=RunKind.TRIAL)
    return runs.assign(trial=runs[f"tags.{Tag.TRIAL.value}"].astype(int)).set_index("trial").sort_index()


def _study_run_id(name: str, settings: Settings) -> str:
    return _study(name, settings).user_attrs[Attr.PARENT_RUN_ID]


def test_every_objective_on_every_trial_run_and_the_front_tagged_as_optuna_sees_it(stores: Settings) -> None:
    study = _study("gap-vs-seconds", stores)
    done = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(done) == 10
    runs = _trial_runs("gap-vs-seconds", stores)
    for trial in done:
        run = runs.loc[trial.number]
        assert run["status"] == "FINISHED"
        assert run["metrics.gap"] == pytest.approx(trial.values[0])
        assert run["metrics.seconds"] == pytest.approx(trial.values[1])
        assert run["metrics.cost"] == pytest.approx(trial.user_attrs[Attr.COST])
        evaluations = trial.user_attrs[Attr.EVALUATIONS]  # per (instance, seed), for compare and promote
        assert len(evaluations["gap"]) == 2 and np.mean(evaluations["gap"]) == pytest.approx(trial.values[0])

    front = {t.number for t in study.best_trials}
    assert 0 < len(front) < len(done)
    assert {n for n in runs.index if runs.loc[n, f"tags.{Tag.PARETO.value}"] == "true"} == front
    assert {n for n in runs.index if runs.loc[n, f"tags.{Tag.PARETO.value}"] == "false"} == \
        {t.number for t in done} - front


def test_study_run_holds_the_front_the_plot_and_a_non_decreasing_hypervolume(stores: Settings, tmp_path: Path) -> None:
    study = _study("gap-vs-seconds", stores)
    tracker = Tracker(stores)
    run_id = _study_run_id("gap-vs-seconds", stores)
    csv = pd.read_csv(tracker.client.download_artifacts(run_id, "pareto.csv", str(tmp_path)))
    assert set(csv["trial"]) == {t.number for t in study.best_trials}
    assert list(csv.columns[:4]) == ["trial", "run_id", "gap", "seconds"] and csv["gap"].is_monotonic_increasing
    png = Path(tracker.client.download_artifacts(run_id, "pareto.png", str(tmp_path)))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    history = sorted((m.step, m.timestamp, m.value) for m in tracker.client.get_metric_history(run_id, "hypervolume"))
    volumes = [v for _, _, v in history]
    assert len(volumes) >= 3 and volumes[-1] > 0
    assert all(b >= a for a, b in zip(volumes, volumes[1:])), volumes
    status = study_status("gap-vs-seconds", stores)
    assert volumes[-1] == pytest.approx(status.pareto.hypervolume)
    reference = [float(v) for v in tracker.client.get_run(run_id).data.tags[Tag.PARETO_REFERENCE.value].split(",")]
    assert reference == pytest.approx(status.pareto.reference_point, rel=1e-5)


def test_status_shows_the_front_and_best_pick_agrees_with_get_best_params(stores: Settings) -> None:
    study = _study("gap-vs-seconds", stores)
    front = sorted(study.best_trials, key=lambda t: t.values[0])
    limit = float(np.median([t.values[1] for t in front]))
    expected = next(t for t in front if t.values[1] <= limit)  # best gap among the front within the limit

    status = get_study_status(name="gap-vs-seconds", settings=stores)
    assert status.ok and f"Pareto front of {len(front)} trials over gap, seconds" in status.text
    assert status.result.pareto.extremes["gap"].trial == front[0].number
    assert status.result.pareto.extremes["seconds"].trial == min(front, key=lambda t: t.values[1]).number

    runner = CliRunner(env={"COLUMNS": "200"})
    env = {"TUNETRACK_STUDIES__STORAGE": stores.studies.storage, "TUNETRACK_TRACKING__URI": stores.tracking.uri}
    shown = runner.invoke(app, ["study", "status", "gap-vs-seconds"], env=env)
    assert shown.exit_code == 0 and f"Pareto front: {len(front)} trials over gap (minimize), seconds" in shown.output

    rule = f"seconds<={limit!r}"
    cli = runner.invoke(app, ["study", "best", "gap-vs-seconds", "--pick", rule, "--json"], env=env)
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(cli.output)
    tool = get_best_params(name="gap-vs-seconds", pick=rule, settings=stores)
    assert tool.ok and tool.result.model_dump(mode="json") == from_cli
    assert from_cli["trial"] == expected.number and from_cli["params"] == expected.params
    assert from_cli["values"] == {"gap": expected.values[0], "seconds": expected.values[1]}
    assert [p["trial"] for p in from_cli["front"]] == [t.number for t in front]

    bad = get_best_params(name="gap-vs-seconds", pick="secs<=1", settings=stores)
    assert not bad.ok and bad.error.kind == "invalid_input"
    assert "unknown metric 'secs'; allowed: gap, seconds" in bad.error.message
    refused = runner.invoke(app, ["study", "best", "gap-vs-seconds", "--pick", "secs<=1"], env=env)
    assert refused.exit_code == 2 and "allowed: gap, seconds" in refused.output


def test_compare_trials_compares_front_members_on_every_metric(stores: Settings) -> None:
    study = _study("gap-vs-seconds", stores)
    front = sorted(study.best_trials, key=lambda t: (t.values[0], t.values[1]))
    out = compare_trials(name="gap-vs-seconds", top_k=3, settings=stores)
    assert out.ok
    rows = out.result.rows
    assert [r.trial for r in rows] == [t.number for t in front[:3]]
    assert rows[0].p_values_vs_best is None
    for row in rows[1:]:
        assert set(row.p_values_vs_best) == {"gap", "seconds"} and len(row.per_instance) == 2


def test_a_three_objective_function_returning_named_values_completes(stores: Settings, tmp_path: Path) -> None:
    study = _study("three-way", stores)
    done = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(done) == 6 and [d.name for d in study.directions] == ["MINIMIZE", "MINIMIZE", "MAXIMIZE"]
    runs = _trial_runs("three-way", stores)
    tracker = Tracker(stores)
    for trial in done:
        run = runs.loc[trial.number]
        for name, value in zip(["loss", "seconds", "accuracy"], trial.values):
            assert run[f"metrics.{name}"] == pytest.approx(value)
        series = tracker.client.get_metric_history(run["run_id"], "intermediate")
        assert sorted(m.step for m in series) == [0, 1, 2]
    front = {t.number for t in study.best_trials}
    assert front == set(np.flatnonzero(front_mask([t.values for t in done], ["minimize", "minimize", "maximize"])))
    assert {n for n in runs.index if runs.loc[n, f"tags.{Tag.PARETO.value}"] == "true"} == front
    png = tracker.client.download_artifacts(_study_run_id("three-way", stores), "pareto.png", str(tmp_path))
    assert Path(png).stat().st_size > 10_000  # three pairwise panels


def test_promote_pick_refuses_a_point_significantly_worse_on_a_metric(stores: Settings, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "solvers", project / "solvers", copy_function=shutil.copy2)
    constants = project / "solvers" / "constants.py"
    before = constants.read_bytes()
    env = {"TUNETRACK_STUDIES__STORAGE": stores.studies.storage, "TUNETRACK_TRACKING__URI": stores.tracking.uri,
           "TUNETRACK_TRACKING__ARTIFACT_ROOT": stores.tracking.artifact_root,
           "TUNETRACK_AGENT__PROJECT_ROOT": str(project)}
    runner = CliRunner(env={"COLUMNS": "200"})

    bad = runner.invoke(app, ["promote", "random-start-mo", "--pick", "gaps<1"], env=env)
    assert bad.exit_code == 2 and "unknown metric 'gaps'; allowed: gap, seconds" in " ".join(bad.output.split())

    result = runner.invoke(app, ["promote", "random-start-mo", "--pick", "seconds<=1000", "--json"], env=env)
    assert result.exit_code == 1, result.output  # refused, at the default budget and gate settings
    report = json.loads(result.output)
    assert report["pick"] == "seconds<=1000" and not report["decision"]["accepted"] and not report["promoted"]
    checks = {c["metric"]: c for c in report["objectives"]}
    assert set(checks) == {"gap", "seconds"}
    assert checks["gap"]["worse"] and checks["gap"]["p_worse"] < 0.05, json.dumps(report, indent=1)[:6000]
    assert checks["gap"]["mean_candidate"] > checks["gap"]["mean_current"]
    assert report["decision"]["reason"].startswith("refused: gap significantly worse")
    assert constants.read_bytes() == before
    settings = stores.model_copy(update={"agent": AgentSettings(project_root=str(project))})
    run = Tracker(settings).client.get_run(report["promotion_run_id"])
    assert run.data.params["pick"] == "seconds<=1000" and run.data.metrics["accepted"] == 0.0
