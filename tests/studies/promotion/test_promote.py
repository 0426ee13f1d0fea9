"""promote(): re-evaluation on fresh seeds and held-out instances, the gate, the rewrite, the record.

Two small finished studies (run once for the module, real SQLite and MLflow stores):
* `tuned-cooling` tunes SA's cooling rate in [0.95, 0.99]; the project copy's constant is made
  very hot (0.99999), so the candidate is clearly better;
* `random-start` can only try `initial=random`, clearly worse than the constructive (NEH) start
  the constants hold.
Every rewrite goes into a copy of the project under tmp_path, never the real checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from studies.cli import app
from studies.promotion import PROVENANCE_MARK, PromotionError, promote, read_constant, rewrite_constants
from studies.queries import study_status
from studies.runner import start_study
from studies.settings import Settings
from studies.settings import AgentSettings, StudySettings
from tests.conftest import REPO
from tracker import RunKind, Tag, Tracker
from tracker.settings import TrackingSettings

HOT = 0.99999


def _spec(name: str, space: dict, iterations: int, n_trials: int, fixed: dict | None = None) -> dict:
    return {
        "name": name,
        "objective": {"solver": "sa", "problem": "flowshop", "iterations": iterations, "fixed": fixed or {}},
        "instances": ["flowshop:ta001", "flowshop:ta002"],
        "seeds": [1],
        "space": space,
        "sampler": {"type": "random", "seed": 3},
        "budget": {"n_trials": n_trials},
    }


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings on stores under a module tmp dir, with both studies run to completion in them."""
    root = tmp_path_factory.mktemp("promotion-stores")
    settings = Settings(
        tracking=TrackingSettings(uri=f"sqlite:///{root}/mlflow.db", artifact_root=str(root / "artifacts")),
        studies=StudySettings(storage=f"sqlite:///{root}/studies.db"),
    )
    specs = (
        _spec("tuned-cooling", {"cooling_rate": {"type": "float", "low": 0.95, "high": 0.99}}, 3000, 3),
        _spec("random-start", {"initial": {"type": "categorical", "choices": ["random"]}}, 300, 1,
              fixed={"cooling_rate": 0.97}),
        _spec("tuned-wide", {"cooling_rate": {"type": "float", "low": 0.95, "high": 0.99},
                             "operator_preset": {"type": "categorical", "choices": ["default", "intensify"]}}, 3000, 2),
    )
    for spec in specs:  # both at once, in the background
        start_study(spec, settings, workers=1, detach=True)
    deadline = time.monotonic() + 120
    while any(study_status(s["name"], settings).state == "running" for s in specs):
        assert time.monotonic() < deadline, "the studies did not finish"
        time.sleep(0.3)
    assert [study_status(s["name"], settings).state for s in specs] == ["done"] * len(specs)
    yield settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project copy with the solvers package (kernels' numba caches included) and a very hot cooling rate."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "solvers", root / "solvers", copy_function=shutil.copy2)
    rewrite_constants(root / "solvers" / "constants.py", {"SA_COOLING_RATE": HOT}, project_root=root,
                      dry_run=False)
    return root


@pytest.fixture
def settings(stores: Settings, project: Path) -> Settings:
    return stores.model_copy(update={"agent": AgentSettings(project_root=str(project))})


def _constants(project: Path) -> Path:
    return project / "solvers" / "constants.py"


def test_dry_run_decides_and_diffs_but_writes_nothing(settings: Settings, project: Path) -> None:
    before = _constants(project).read_bytes()
    report = promote("tuned-cooling", settings=settings)  # dry run is the default
    assert report.dry_run and report.decision.accepted and not report.promoted
    assert report.rewrite is not None and not report.rewrite.written
    assert f"-SA_COOLING_RATE: float = {HOT}  #" in report.rewrite.diff
    assert _constants(project).read_bytes() == before
    assert report.text.startswith("dry run: would promote trial")

    top = promote("tuned-cooling", top_k=2, seeds=2, settings=settings)  # the best of 2, gated at alpha / 2
    assert [e.label for e in top.evaluations][0] == "current" and len(top.evaluations) == 3
    assert top.decision.alpha == pytest.approx(0.025) and top.seeds == [2, 3]
    assert _constants(project).read_bytes() == before


def test_better_candidate_rewrites_only_its_constant_with_provenance_and_the_next_solve_uses_it(
    settings: Settings, project: Path, tmp_path: Path
) -> None:
    path = _constants(project)
    before = path.read_text()
    report = promote("tuned-cooling", dry_run=False, settings=settings)

    # The gate: fresh seeds, held-out instances of the same size class, a clear paired win.
    assert report.seeds == [2, 3, 4] and report.instances == ["flowshop:ta003", "flowshop:ta004", "flowshop:ta005"]
    decision = report.decision
    assert decision.accepted and decision.passed and not decision.forced
    assert decision.p_value < 0.05 and decision.seeds_better == 3 and decision.n_pairs == 9
    assert decision.mean_candidate < decision.mean_current

    # The write: one constant's line plus its provenance line; every other byte as it was.
    assert report.promoted and report.symbols == {"cooling_rate": "SA_COOLING_RATE"}
    value = report.candidate["SA_COOLING_RATE"]
    assert 0.95 <= value <= 0.99 and report.current == {"SA_COOLING_RATE": HOT}
    after = path.read_text()
    new_lines, old_lines = after.splitlines(), before.splitlines()
    line = report.rewrite.changes[0].line
    assert new_lines[line - 1].startswith(f"SA_COOLING_RATE: float = {value!r}  # geometric factor")
    provenance = new_lines[line - 2]
    assert provenance.startswith(f"{PROVENANCE_MARK} study tuned-cooling, trial {report.trial}, "
                                 f"run {report.trial_run_id}, ")
    assert f"gap {decision.mean_current:.6g} -> {decision.mean_candidate:.6g}" in provenance
    kept = new_lines[: line - 2] + new_lines[line:]
    old_index = old_lines.index(f"SA_COOLING_RATE: float = {HOT}  # geometric factor per iteration "
                                "(linear: 1 - rate of T0 per iteration)")
    assert kept == old_lines[:old_index] + old_lines[old_index + 1:]

    # The record: a promotion run with the comparison table, and the winning trial tagged.
    tracker = Tracker(settings)
    run = tracker.client.get_run(report.promotion_run_id)
    assert run.data.tags[Tag.KIND.value] == RunKind.PROMOTION.value
    assert run.data.metrics["promoted"] == 1.0 and run.data.metrics["forced"] == 0.0
    assert run.data.metrics["p_value"] == pytest.approx(decision.p_value)
    assert run.data.metrics["before"] == pytest.approx(decision.mean_current)
    assert run.data.params["forced"] == "False"
    artifacts = {a.path for a in tracker.client.list_artifacts(report.promotion_run_id)}
    assert {"comparison.csv", "promotion.diff", "promotion.json"} <= artifacts
    assert tracker.client.get_run(report.trial_run_id).data.tags[Tag.PROMOTED.value] == "true"

    # The next `tunetrack solve` without --set, in the promoted checkout, uses the new default.
    env = {**os.environ, "PYTHONPATH": str(project), "TUNETRACK_TRACKING__URI": settings.tracking.uri,
           "TUNETRACK_TRACKING__ARTIFACT_ROOT": settings.tracking.artifact_root}
    done = subprocess.run(
        [sys.executable, "-m", "studies.cli", "solve", "--problem", "flowshop:ta001", "--solver", "sa",
         "--iterations", "200", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    solve_run = tracker.client.get_run(json.loads(done.stdout.strip().splitlines()[-1])["run_id"])
    assert float(solve_run.data.params["cooling_rate"]) == value


def test_worse_candidate_is_refused_with_reason_and_figures(settings: Settings, project: Path) -> None:
    before = _constants(project).read_bytes()
    report = promote("random-start", dry_run=False, budget="300", settings=settings)  # where random starts hurt
    decision = report.decision
    assert not decision.accepted and not report.promoted and report.rewrite is None
    assert decision.mean_candidate > decision.mean_current  # random start is worse than NEH
    assert report.symbols == {"initial": "INITIAL"} and report.current == {"INITIAL": "constructive"}
    assert decision.reason.startswith("refused: not significantly better")
    assert f"p={decision.p_value:.4g}" in report.text and "better on 0/3 seeds" in report.text
    assert _constants(project).read_bytes() == before
    tracker = Tracker(settings)
    run = tracker.client.get_run(report.promotion_run_id)
    assert run.data.metrics["accepted"] == 0.0 and run.data.metrics["promoted"] == 0.0
    assert Tag.PROMOTED.value not in tracker.client.get_run(report.trial_run_id).data.tags


def test_force_writes_a_refused_candidate_and_records_it_as_forced(settings: Settings, project: Path) -> None:
    report = promote("random-start", dry_run=False, force=True, seeds=2, holdout_instances=["ta006"],
                     budget="300", settings=settings)
    assert report.promoted and report.decision.forced and not report.decision.passed
    assert read_constant(_constants(project), "INITIAL", project_root=project) == "random"
    assert "forced)" in _constants(project).read_text()
    assert report.text.startswith("promoted trial") and "[forced]" in report.text
    run = Tracker(settings).client.get_run(report.promotion_run_id)
    assert run.data.metrics["forced"] == 1.0 and run.data.params["forced"] == "True"


def test_refusals_before_any_evaluation(settings: Settings, project: Path) -> None:
    cases = [
        (dict(study="nope"), "no study named 'nope'"),
        (dict(study="tuned-cooling", seeds=[1, 2]), "seeds [1] were used by the study"),
        (dict(study="tuned-cooling", holdout_instances=["ta002"]), "were used by the study"),
        (dict(study="tuned-cooling", symbol="SA_COOLING_RAT"), "unknown symbol 'SA_COOLING_RAT'"),
        (dict(study="tuned-cooling", target=str(project.parent / "elsewhere.py")), "outside the project"),
        (dict(study="tuned-cooling", params=["tenure"]), "params ['tenure'] were not tuned"),
    ]
    for kwargs, message in cases:
        with pytest.raises((PromotionError, LookupError), match=message.replace("[", r"\[").replace("]", r"\]")):
            promote(**kwargs, settings=settings)


def test_cli_prints_the_figures_and_exits_1_when_refused(
    settings: Settings, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in (("TRACKING__URI", settings.tracking.uri), ("STUDIES__STORAGE", settings.studies.storage),
                       ("TRACKING__ARTIFACT_ROOT", settings.tracking.artifact_root),
                       ("AGENT__PROJECT_ROOT", str(project))):
        monkeypatch.setenv(f"TUNETRACK_{key}", value)
    runner = CliRunner()
    refused = runner.invoke(app, ["promote", "random-start", "--to", "solvers/constants.py", "--seeds", "2",
                                  "--budget", "300"])
    assert refused.exit_code == 1, refused.output
    assert "not promoted" in refused.output and "refused" in refused.output
    assert "held-out set: 3 instances of the study's classes" in refused.output and "budget 300 iterations" in refused.output
    dry = runner.invoke(app, ["promote", "tuned-cooling", "--dry-run", "--symbol", "SA_COOLING_RATE", "--json"])
    assert dry.exit_code == 0, dry.output
    payload = json.loads(dry.output)
    assert payload["dry_run"] and payload["rewrite"]["diff"] and not payload["promoted"]
    assert read_constant(_constants(project), "SA_COOLING_RATE", project_root=project) == HOT
    outside = runner.invoke(app, ["promote", "tuned-cooling", "--to", "/etc/hosts"])
    assert outside.exit_code == 2 and "outside the project directory" in outside.output


def test_a_candidate_that_wins_only_at_the_study_budget_is_refused_with_both_figures(
    settings: Settings, project: Path
) -> None:
    """Fast cooling wins at the study's 3,000 iterations; at the default 200,000 the shipped 0.9999 holds."""
    rewrite_constants(_constants(project), {"SA_COOLING_RATE": 0.9999}, project_root=project, dry_run=False)
    report = promote("tuned-cooling", settings=settings)
    default, tuned_at = report.budgets
    assert default.budget.role == "default" and default.budget.iterations == 200000
    assert tuned_at.budget.role == "study" and tuned_at.budget.iterations == 3000
    assert tuned_at.decision.passed and tuned_at.decision.p_value < 0.05
    assert not default.decision.passed
    assert not report.decision.accepted and report.rewrite is None
    assert report.decision.reason.startswith("refused: wins only at a budget where the constant does not act")
    assert "study budget (3,000 iterations)" in report.decision.reason
    assert f"{tuned_at.decision.mean_current:.6g} -> {tuned_at.decision.mean_candidate:.6g}" in report.decision.reason
    assert f"{default.decision.mean_current:.6g} -> {default.decision.mean_candidate:.6g}" in report.decision.reason
    assert report.budget.startswith("default budget (200,000 iterations")


def test_unchanged_parameters_are_left_out_and_several_studies_are_compared(
    settings: Settings, project: Path
) -> None:
    preset = promote("tuned-wide", seeds=2, settings=settings)
    best = preset.evaluations[1].config
    if best["operator_preset"] == "default":  # equal to the constant: reported, never written
        assert preset.unchanged == {"SA_OPERATOR_PRESET": "default"} and "SA_OPERATOR_PRESET" not in preset.candidate
    else:
        assert preset.candidate["SA_OPERATOR_PRESET"] == best["operator_preset"] and not preset.unchanged

    plan = promote(["tuned-cooling", "tuned-wide"], seeds=2, settings=settings)
    assert [w.study for w in plan.winners] == ["tuned-cooling", "tuned-wide"]
    assert sum(w.chosen for w in plan.winners) == 1 and plan.study in {"tuned-cooling", "tuned-wide"}
    assert plan.agree == all(w.beats_current for w in plan.winners)
    assert [e.label for e in plan.evaluations][0] == "current" and len(plan.evaluations) == 3
    assert plan.decision.alpha == pytest.approx(0.025)  # the best of two candidates
    chosen = next(w for w in plan.winners if w.chosen)
    other = next(w for w in plan.winners if not w.chosen)
    if len(chosen.space) > len(other.space):  # the larger space won only by being significantly better
        from studies.stats import paired_test
        values = {e.label.split(" trial")[0]: e.values for e in plan.evaluations[1:]}
        assert paired_test(values[chosen.study], values[other.study], "minimize").p_value < 0.05

    with pytest.raises(PromotionError, match="do not tune the same solver"):
        promote(["tuned-cooling", "random-start"], settings=settings)


def test_held_out_instances_always_exist() -> None:
    from studies.bundles import bundle_instances
    from studies.promotion import choose_holdout

    whole = choose_holdout(list(bundle_instances("taillard-20x10")), "flowshop", None, 3)
    assert whole.kind == "fresh"
    assert whole.instances == [f"flowshop:random:20x10:seed={s}" for s in (1001, 1002, 1003)]
    assert "Taillard's generator" in whole.description
    graphs = choose_holdout(list(bundle_instances("queens")), "coloring", None, 3)
    assert graphs.kind == "fresh" and len(graphs.instances) == 4  # one per size at least
    assert graphs.instances[0] == "coloring:gnp:25:0.5333:seed=1001"
    part = choose_holdout(["flowshop:ta001", "flowshop:ta002"], "flowshop", None, 3)
    assert part.kind == "unused" and part.instances == ["flowshop:ta003", "flowshop:ta004", "flowshop:ta005"]
    import solvers
    assert solvers.load_instance(whole.instances[0]).descriptor["jobs"] == 20
