"""The front, hypervolume, reference point, pick rules and the every-metric gate, on constructed data."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.trial import create_trial

from studies.pareto import PickError, front_mask, hypervolume, parse_pick, pick, reference_point
from studies.pareto_gate import gate_every_objective, objective_checks
from studies.promotion import Pair, decide
from studies.vocabulary import pareto_trials

MINMIN = ["minimize", "minimize"]


@pytest.mark.parametrize("directions", [MINMIN, ["minimize", "maximize"], ["maximize", "minimize", "maximize"]])
def test_front_matches_optuna_best_trials(directions: list[str]) -> None:
    rng = np.random.default_rng(7)
    points = np.round(rng.random((60, len(directions))), 1)  # coarse: ties and duplicates on the front
    study = optuna.create_study(directions=directions)
    study.add_trials([create_trial(values=list(p)) for p in points])
    expected = sorted(t.number for t in study.best_trials)
    assert np.flatnonzero(front_mask(points, directions)).tolist() == expected
    assert [t.number for t in pareto_trials(study.trials, directions)] == expected


def test_hypervolume_of_a_known_front_and_points_beyond_the_reference() -> None:
    # Two points dominate [0,1]x[0,2] minus nothing extra: 1x2 (first) + ... computed by hand.
    points = [[0.0, 1.0], [1.0, 0.0]]
    assert hypervolume(points, MINMIN, [2.0, 2.0]) == pytest.approx(2 * 1 + 1 * 1)  # 3
    assert hypervolume([[3.0, 0.0]], MINMIN, [2.0, 2.0]) == 0.0  # outside the reference: adds nothing
    # maximising the second objective: values negated before computing
    assert hypervolume([[0.0, 1.0]], ["minimize", "maximize"], [1.0, 0.0]) == pytest.approx(1.0)


def test_derived_reference_only_moves_outwards_so_hypervolume_never_decreases() -> None:
    rng = np.random.default_rng(3)
    points = rng.random((40, 2))
    volumes, references = [], []
    for n in range(1, len(points) + 1):
        ref = reference_point(points[:n], MINMIN)
        front = points[:n][front_mask(points[:n], MINMIN)]
        references.append(ref)
        volumes.append(hypervolume(front, MINMIN, ref))
    assert all(b >= a for a, b in zip(volumes, volumes[1:]))
    assert all(np.all(np.array(b) >= np.array(a)) for a, b in zip(references, references[1:]))
    assert volumes[-1] > 0


def test_pick_rule_best_first_metric_among_points_meeting_every_constraint() -> None:
    names = ["gap", "seconds", "iterations"]
    directions = ["minimize", "minimize", "maximize"]
    points = [[0.01, 5.0, 10], [0.02, 1.5, 10], [0.02, 1.5, 20], [0.05, 0.5, 10]]
    assert pick(points, names, directions, parse_pick(None, names)) == 0
    assert pick(points, names, directions, parse_pick("seconds<=2", names)) == 2  # tie on gap: more iterations
    assert pick(points, names, directions, parse_pick("seconds < 1.5 and iterations>=10", names)) == 3
    assert pick(points, names, directions, parse_pick("seconds<=2, iterations<15", names)) == 1
    with pytest.raises(PickError, match=r"no point of the front meets 'seconds<=0.1' \(on the front: seconds from 0.5 to 5\)"):
        pick(points, names, directions, parse_pick("seconds<=0.1", names))


@pytest.mark.parametrize(("rule", "message"), [
    ("secs<=2", "unknown metric 'secs'; allowed: gap, seconds"),
    ("seconds=<2", "cannot read 'seconds=<2'; write NAME OP NUMBER"),
    ("seconds<=fast", "metric names: gap, seconds"),
])
def test_bad_pick_rules_name_the_metrics_allowed(rule: str, message: str) -> None:
    with pytest.raises(PickError, match=message.replace("(", r"\(")):
        parse_pick(rule, ["gap", "seconds"])


def _decision(current: list[float], candidate: list[float], *, force: bool = False):
    pairs = [Pair(instance=f"i{k}", seed=s, current=c, candidate=d)
             for (k, s), c, d in zip([(k, s) for s in (1, 2, 3) for k in range(3)], current, candidate)]
    return decide(pairs, force=force)


def test_a_first_metric_win_is_refused_when_another_metric_gets_significantly_worse() -> None:
    gap_now, gap_new = [0.05 + k / 100 for k in range(9)], [0.02 + k / 100 for k in range(9)]
    fast, slow = [1.0] * 9, [2.0 + k / 10 for k in range(9)]
    decision = _decision(gap_now, gap_new)
    assert decision.accepted  # the usual gate alone would promote it

    checks = objective_checks({"gap": gap_now, "seconds": fast}, {"gap": gap_new, "seconds": slow},
                              ["gap", "seconds"], MINMIN, alpha=0.05)
    assert [(c.metric, c.worse) for c in checks] == [("gap", False), ("seconds", True)]
    refused = gate_every_objective(decision, checks)
    assert not refused.accepted and not refused.passed
    assert refused.reason.startswith("refused: seconds significantly worse (mean 1 -> 2.4, one-sided p=")

    same = objective_checks({"gap": gap_now, "seconds": fast}, {"gap": gap_new, "seconds": fast},
                            ["gap", "seconds"], MINMIN, alpha=0.05)
    assert gate_every_objective(decision, same) == decision  # nothing worse: the usual decision stands

    noisy = [1.0 + k / 200 for k in range(9)]  # up to 4 % slower on every pair: timing noise, not a loss
    assert not objective_checks({"seconds": fast}, {"seconds": noisy}, ["seconds"], ["minimize"], alpha=0.05)[0].worse
    assert objective_checks({"seconds": fast}, {"seconds": noisy}, ["seconds"], ["minimize"], alpha=0.05,
                            tolerance=0.0)[0].worse
    accuracy_now, accuracy_new = [0.9] * 9, [0.7 + k / 100 for k in range(9)]  # maximised: lower is worse
    (lower,) = objective_checks({"accuracy": accuracy_now}, {"accuracy": accuracy_new}, ["accuracy"], ["maximize"],
                                alpha=0.05)
    assert lower.worse and lower.p_worse < 0.01
    with pytest.raises(ValueError, match="tolerance"):
        objective_checks({"seconds": fast}, {"seconds": noisy}, ["seconds"], ["minimize"], alpha=0.05, tolerance=1.5)

    forced = gate_every_objective(_decision(gap_now, gap_new, force=True), checks)
    assert forced.accepted and forced.forced and not forced.passed
    assert forced.reason.startswith("forced despite: seconds significantly worse")


def test_retention_keeps_the_front_and_the_monitor_reads_a_multi_objective_study() -> None:
    from studies.monitor._observe import summarize_study
    from studies.retention import kept_trials
    from studies.spec import load_spec
    from studies.vocabulary import StudyState

    study = optuna.create_study(directions=MINMIN)
    study.add_trials([create_trial(values=v) for v in ([1.0, 3.0], [2.0, 2.0], [2.0, 4.0], [3.0, 1.0], [4.0, 4.0])])
    front = {t.number for t in study.best_trials}
    assert kept_trials(study.trials, MINMIN, keep_top=1, promoted=[4]) == front | {4}

    spec = load_spec({"name": "mo", "objective": "tests.studies.multiobjective._objectives:tradeoff",
                      "metrics": ["a", "b"], "directions": MINMIN})
    snapshot, history = summarize_study("mo", spec, {}, study.trials, StudyState.DONE)
    assert snapshot.trials.complete == 5 and snapshot.best_value is None
