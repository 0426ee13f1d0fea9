"""Alert rules and study snapshots as pure functions, on constructed observations and trials."""

from __future__ import annotations

import datetime as dt

import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from studies.monitor import AlertLatch, Observation, RuleError, check, parse_duration, parse_rule, summarize_study
from studies.spec import load_spec
from studies.vocabulary import Attr, StudyState


def _history(bests: list[float], *, dt_s: float = 10.0) -> list[Observation]:
    return [Observation(i + 1, 1000.0 + dt_s * i, {"best": b}) for i, b in enumerate(bests)]


@pytest.mark.parametrize("text, kind, key", [
    ("best<0.01", "threshold", "best_lt_0.01"),
    ("best < 1e9", "threshold", "best_lt_1e09"),
    ("failure_rate>=0.25", "threshold", "failure_rate_ge_0.25"),
    ("change(best,20)<1e-4", "change", "change_best_20_lt_0.0001"),
    ("stall(15)", "stall", "stall_15"),
    ("stall(10m)", "stall", "stall_600s"),
    ("worker_death", "worker_death", "worker_death"),
])
def test_rules_parse_to_a_kind_and_a_store_safe_key(text: str, kind: str, key: str) -> None:
    rule = parse_rule(text)
    assert (rule.kind, rule.key) == (kind, key)


@pytest.mark.parametrize("text, says", [
    ("best", "allowed forms"), ("best<<1", "allowed forms"), ("stall(0)", "at least 1"),
    ("stall(x)", "allowed forms"), ("best<1e999", "finite"), ("stall<3", "takes arguments"),
])
def test_bad_rules_name_the_problem(text: str, says: str) -> None:
    with pytest.raises(RuleError, match=says):
        parse_rule(text)


def test_durations() -> None:
    assert [parse_duration(t) for t in ("0s", "90", "10m", "14d")] == [0, 90, 600, 14 * 86400]
    with pytest.raises(RuleError, match="14d"):
        parse_duration("two weeks")


def test_threshold_change_and_stall_hold_only_when_they_should() -> None:
    improving, flat = _history([5, 4, 3, 2, 1]), _history([5, 3, 3, 3, 3])
    assert check(parse_rule("best<2"), improving).value == 1
    assert check(parse_rule("best<1"), improving) is None
    assert check(parse_rule("change(best,4)<0.5"), flat) is None  # 5 -> 3 over four trials
    assert check(parse_rule("change(best,3)<0.5"), flat).value == 0
    assert check(parse_rule("stall(3)"), flat).value == 3
    assert check(parse_rule("stall(4)"), flat) is None
    assert check(parse_rule("stall(3)"), improving) is None
    assert check(parse_rule("stall(30s)"), flat).value == 30
    assert check(parse_rule("stall(31s)"), flat) is None


def test_the_latch_fires_once_while_a_rule_holds_and_again_after_it_stopped() -> None:
    latch, rule = AlertLatch(), parse_rule("best<1")
    fired = [len(latch.update("s", [rule], _history(b))) for b in ([0.5], [0.5, 0.5], [2.0], [2.0, 0.5])]
    assert fired == [1, 0, 0, 1]


def test_worker_death_fires_on_each_new_death() -> None:
    latch, rule = AlertLatch(), parse_rule("worker_death")
    seen = [Observation(i, float(i), {"workers_lost": lost}) for i, lost in enumerate([0, 1, 1, 2])]
    assert [len(latch.update("s", [rule], [obs])) for obs in seen] == [0, 1, 0, 1]


def test_a_snapshot_counts_trials_like_optuna_and_tells_dead_workers_from_failures() -> None:
    spec = load_spec({"name": "s", "objective": {"function": "tests.studies._objectives:quadratic"}, "budget": {"n_trials": 10, "cost": 20},
                      "space": {"x": {"type": "float", "low": 0, "high": 1}}})
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def trial(state, value=None, minute=0, attrs=None):
        return create_trial(
            state=state, value=value, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)},
            user_attrs={Attr.COST: 2.0, **(attrs or {})},
        ) if state != TrialState.COMPLETE else create_trial(
            value=value, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, user_attrs={Attr.COST: 2.0})

    trials = [trial(TrialState.COMPLETE, 3.0), trial(TrialState.COMPLETE, 1.0), trial(TrialState.PRUNED),
              trial(TrialState.FAIL, attrs={Attr.ERROR: "ValueError: x"}), trial(TrialState.FAIL),
              trial(TrialState.RUNNING, attrs={Attr.WORKER: "h:1"})]
    for i, t in enumerate(trials):
        t.number = i
        t.datetime_start = t0 + dt.timedelta(minutes=i)
        t.datetime_complete = t0 + dt.timedelta(minutes=i, seconds=30) if t.state.is_finished() else None
    snap, history = summarize_study("s", spec, {Attr.TARGET: 10, Attr.STARTED_AT: t0.timestamp()}, trials,
                                    StudyState.RUNNING, now=t0.timestamp() + 600)
    assert (snap.trials.complete, snap.trials.pruned, snap.trials.failed, snap.trials.running) == (2, 1, 2, 1)
    assert (snap.best_value, snap.best_trial, snap.workers_lost, snap.workers_alive) == (1.0, 1, 1, 1)
    assert snap.spend == 12.0 and snap.budget_fraction == pytest.approx(0.6)
    assert snap.failure_rate == pytest.approx(2 / 5)
    assert [o.values.get("best") for o in history[:-1]] == [3.0, 1.0, 1.0, 1.0, 1.0]
    assert check(parse_rule("stall(3)"), history).value == 3  # three trials finished after trial 1 set the best
