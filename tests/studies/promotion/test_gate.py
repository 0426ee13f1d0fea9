"""The decision gate: a paired one-sided Wilcoxon test plus a strict majority of seeds."""

from __future__ import annotations

import pytest

from studies.promotion import Pair, PromotionError, decide

INSTANCES = [f"ta00{k}" for k in range(2, 6)]
SEEDS = [101, 102, 103]


def _pairs(current: float, candidate: float, jitter: float = 0.001) -> list[Pair]:
    """Paired values: per-instance difficulty shared by both, a small deterministic wobble."""
    out = []
    for i, inst in enumerate(INSTANCES):
        for j, seed in enumerate(SEEDS):
            base = 0.01 * (i + 1)
            wobble = jitter * ((i * 3 + j * 5) % 7 - 3) / 3
            out.append(Pair(instance=inst, seed=seed, current=base + current + wobble,
                            candidate=base + candidate - wobble / 2))
    return out


def test_clearly_better_candidate_is_accepted() -> None:
    decision = decide(_pairs(current=0.02, candidate=0.01), alpha=0.05)
    assert decision.accepted and decision.passed and not decision.forced
    assert decision.p_value < 0.001 and decision.n_pairs == 12
    assert decision.seeds_better == decision.seeds_total == 3
    assert decision.mean_candidate < decision.mean_current
    assert decision.relative_change == pytest.approx(
        (decision.mean_candidate - decision.mean_current) / decision.mean_current) and decision.relative_change < 0
    assert decision.reason.startswith("candidate wins")


def test_worse_candidate_is_refused_with_reason_and_figures() -> None:
    decision = decide(_pairs(current=0.01, candidate=0.02), alpha=0.05)
    assert not decision.accepted and not decision.passed
    assert decision.p_value > 0.5 and decision.seeds_better == 0
    assert "refused: not significantly better" in decision.reason
    assert "does not hold across seeds (better on 0 of 3" in decision.reason
    assert f"p={decision.p_value:.4g}" in decision.reason
    assert f"mean {decision.mean_current:.6g} -> {decision.mean_candidate:.6g}" in decision.reason


def test_maximize_direction_flips_the_test() -> None:
    assert decide(_pairs(current=0.01, candidate=0.02), direction="maximize").accepted
    assert not decide(_pairs(current=0.02, candidate=0.01), direction="maximize").accepted


def test_a_gain_carried_by_one_seed_does_not_hold_across_seeds() -> None:
    pairs = []
    for inst in INSTANCES:
        pairs.append(Pair(instance=inst, seed=1, current=1.0, candidate=0.5))  # big win on seed 1
        pairs += [Pair(instance=inst, seed=s, current=1.0, candidate=1.01) for s in (2, 3)]  # small losses
    decision = decide(pairs, alpha=0.5)
    assert decision.p_value < 0.5  # the paired test alone would pass at this alpha
    assert not decision.accepted
    assert "better on 1 of 3" in decision.reason


def test_identical_results_are_not_better() -> None:
    decision = decide(_pairs(current=0.01, candidate=0.01, jitter=0.0))
    assert decision.p_value == 1.0 and not decision.accepted


def test_force_accepts_and_is_recorded_as_forced() -> None:
    decision = decide(_pairs(current=0.01, candidate=0.02), force=True)
    assert decision.accepted and decision.forced and not decision.passed
    assert decision.reason.startswith("forced despite: not significantly better")


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(PromotionError, match="alpha: must be in"):
        decide(_pairs(0.02, 0.01), alpha=1.5)
    with pytest.raises(PromotionError, match="at least one"):
        decide([])
    with pytest.raises(PromotionError, match="non-finite"):
        decide([Pair(instance="a", seed=1, current=float("nan"), candidate=1.0)])
