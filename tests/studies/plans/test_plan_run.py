"""A small plan end to end on real stores: interrupted, resumed without redoing finished cells, long-leash
solves, then its report logged on the plan run and read back with plain MLflow."""

from __future__ import annotations

import math
from pathlib import Path

import mlflow
import optuna
import pandas as pd
import pytest

from studies.plans import load_plan, run_plan
from studies.reports import build_report
from studies.storage import get_storage
from studies.settings import Settings
from tracker import RunKind, Tag, Tracker
from tracker.records import NOTE_TAG

PLAN = {
    "name": "mini",
    "solver": "sa",
    "problem": "flowshop",
    "space": {"cooling_rate": {"type": "float", "low": 0.99, "high": 0.9995, "log": True}},
    "fixed": {"initial": "random"},
    "seeds": 1,
    "trace_points": 10,
    "bundles": [{"name": "mix", "instances": ["ta001", "flowshop:random:20x5:seed=5"]}],  # the second has no reference
    "tuners": [{"name": "random", "sampler": "random"}, {"name": "tpe", "sampler": "tpe"}],
    "tiers": {"short": {"iterations": 400, "trials": {"random": 2, "tpe": 2}}},
    "long_leash": {"factor": 2, "seeds": 1},
}


def _trials(name: str, settings: Settings) -> list[optuna.trial.FrozenTrial]:
    storage = get_storage(settings.studies.storage, heartbeat_interval=None, grace_period=None)
    return optuna.load_study(study_name=name, storage=storage).get_trials(deepcopy=False)


class Interrupt:
    """Ctrl+C right after the first cell has finished."""

    def __call__(self, index: int, total: int, outcome) -> None:
        if index == 0:
            raise KeyboardInterrupt


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_plan_resumes_without_redoing_cells_then_reports(study_settings: Settings, tmp_path: Path) -> None:
    plan = load_plan(PLAN)
    tracker = Tracker(study_settings)
    first, second = "mini.short.mix.random", "mini.short.mix.tpe"

    with pytest.raises(KeyboardInterrupt):
        run_plan(plan, study_settings, on_cell=Interrupt(), study_figures=False)
    plans = tracker.runs("plan-mini", kind=RunKind.PLAN)
    assert len(plans) == 1 and plans.iloc[0]["status"] == "KILLED"
    done_before = [(t.number, t.datetime_complete) for t in _trials(first, study_settings)]
    assert len(done_before) == 2
    trial_runs_before = set(tracker.runs("plan-mini", kind=RunKind.TRIAL)["run_id"])

    outcome = run_plan(plan, study_settings, long_leash=True)
    assert [c.status for c in outcome.cells] == ["skipped", "done"]
    assert outcome.long_leash_solves == 4  # 2 cells x 2 scenarios x 1 seed
    assert [(t.number, t.datetime_complete) for t in _trials(first, study_settings)] == done_before
    trial_runs = tracker.runs("plan-mini", kind=RunKind.TRIAL)
    assert set(trial_runs[trial_runs[f"tags.{Tag.STUDY.value}"] == first]["run_id"]) == trial_runs_before
    plans = tracker.runs("plan-mini", kind=RunKind.PLAN)
    assert len(plans) == 1 and plans.iloc[0]["status"] == "FINISHED" and plans.iloc[0]["run_id"] == outcome.run_id

    # The plan's studies are nested under the plan run and tagged with their cell.
    studies = tracker.runs("plan-mini", kind=RunKind.STUDY).set_index(f"tags.{Tag.STUDY.value}")
    assert set(studies.index) == {first, second}
    assert (studies["tags.mlflow.parentRunId"] == outcome.run_id).all()
    assert studies.loc[second, [f"tags.{t.value}" for t in (Tag.PLAN, Tag.TUNER, Tag.BUNDLE, Tag.TIER)]].tolist() == \
        ["mini", "tpe", "mix", "short"]
    assert "plots/optimization_history.png" in tracker.list_artifacts(studies.loc[second, "run_id"], "plots")

    again = run_plan(plan, study_settings, long_leash=True)  # nothing left to do
    assert [c.status for c in again.cells] == ["skipped", "skipped"] and again.long_leash_solves == 0

    report = build_report(["mini"], study_settings, out=tmp_path / "out", formats=("csv",))
    assert report.run_ids == [outcome.run_id]
    assert sorted(report.artefacts) == sorted(p.name for p in (tmp_path / "out").iterdir())
    local = Path(mlflow.artifacts.download_artifacts(run_id=outcome.run_id, artifact_path="report",
                                                     tracking_uri=study_settings.tracking.uri, dst_path=str(tmp_path / "dl")))
    board = pd.read_csv(local / "leaderboard.csv")
    assert {"tuner", "bundle", "tier", "best", "win_rate", "best_delta", "runtime_s", "cost"} <= set(board.columns)
    assert set(board["tuner"]) == {"random", "tpe"} and board[board["bundle"] == "mix"]["win_rate"].sum() == \
        pytest.approx(1.0)
    conv = pd.read_csv(local / "convergence.csv", keep_default_na=False, na_values=[""]).set_index("scenario")
    assert {"solver", "ert_1pct", "ert_5pct", "success_1pct", "success_5pct", "ecdf_auc"} <= set(conv.columns)
    assert conv.loc["ta001", "runs"] == 4 + 2  # one per trial (4 trials x 1 seed), 2 long-leash
    assert 0 <= conv.loc["ta001", "success_5pct"] <= 1 and 0 <= conv.loc["ta001", "ecdf_auc"] <= 1
    no_reference = conv.loc["random_20x5_seed5"]
    assert no_reference["note"] == "no reference"
    assert all(math.isnan(no_reference[c]) for c in ("success_1pct", "success_5pct", "ert_1pct", "ecdf_auc"))
    page = (local / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "Leaderboard" in page
    run = tracker.client.get_run(outcome.run_id)
    assert run.data.tags[NOTE_TAG].startswith("## plan mini") and "report.best" in run.data.metrics

    # The agent tools read the same records: the leaderboard with a paired test, and the logged report.
    from studies.agent import compare_studies, get_report

    compared = compare_studies(plan="mini", settings=study_settings)
    assert compared.ok, compared.text
    overall = [r for r in compared.result.rows if r.bundle == "all"]
    assert {r.tuner for r in overall} == {"random", "tpe"}
    assert compared.result.top_two is not None and compared.result.top_two.pairs == 1  # ta001 only has a reference
    got = get_report(plan="mini", settings=study_settings)
    assert got.ok and not got.result.computed and got.result.run_ids == [outcome.run_id]
    assert any(a.endswith("report/leaderboard.csv") for a in got.result.artefacts)
    assert got.result.headline["report.solves"] == 12

    # Studies by name: the report goes on each study run, with the study's own figures.
    by_name = build_report([first, second], study_settings, log=True)
    assert sorted(by_name.run_ids) == sorted(studies["run_id"])
    assert set(by_name.tables["leaderboard"]["tuner"]) == {first, second}
    assert "report/report.html" in tracker.list_artifacts(studies.loc[first, "run_id"], "report")
    assert "plots/optimization_history.png" in tracker.list_artifacts(studies.loc[first, "run_id"], "plots")
