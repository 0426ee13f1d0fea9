"""The racing test's exact p-value agrees with SciPy's exact / permutation Wilcoxon test."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from studies.pruners import CostBudgetPruner, PaidEvaluationsGuard, RacingPruner, find
from studies.stats import signed_rank_p_value


@settings(max_examples=40, deadline=None)
@given(
    diffs=st.lists(st.integers(-4, 4), min_size=2, max_size=12),
    alternative=st.sampled_from(["greater", "less"]),
)
def test_matches_scipy_with_ties_and_zeros(diffs: list[int], alternative: str) -> None:
    d = np.array(diffs, dtype=float)
    if not np.any(d):
        assert signed_rank_p_value(d, alternative) == 1.0
        return
    expected = ss.wilcoxon(d, alternative=alternative, zero_method="zsplit",
                           method=ss.PermutationMethod(n_resamples=np.inf)).pvalue
    assert signed_rank_p_value(d, alternative) == pytest.approx(expected, abs=1e-12)


def test_no_ties_matches_the_exact_distribution() -> None:
    d = np.array([0.5, -0.2, 1.3, 2.2, 0.9, -0.1, 3.1, 1.7])
    assert signed_rank_p_value(d) == pytest.approx(ss.wilcoxon(d, alternative="greater", method="exact").pvalue)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="alternative"):
        signed_rank_p_value([1.0], "two-sided")
    with pytest.raises(ValueError, match="p_threshold"):
        RacingPruner(p_threshold=1.5)
    with pytest.raises(ValueError, match="n_startup_steps"):
        RacingPruner(n_startup_steps=-1)
    with pytest.raises(ValueError, match="n_steps"):
        PaidEvaluationsGuard(RacingPruner(), n_steps=0)


def _race(pruner, incumbent: list[float], challenger: list[float]) -> list[bool]:
    """Prune decisions for `challenger` after each of its reports, against a completed incumbent."""
    import optuna

    study = optuna.create_study(pruner=pruner)
    first = study.ask()
    for step, value in enumerate(incumbent):
        first.report(value, step)
    study.tell(first, sum(incumbent) / len(incumbent))
    trial = study.ask()
    decisions = []
    for step, value in enumerate(challenger):
        trial.report(value, step)
        decisions.append(trial.should_prune())
    return decisions


def test_a_clearly_worse_trial_is_raced_out_before_its_last_evaluation() -> None:
    incumbent = [0.01 * k for k in range(1, 9)]
    worse = [v + 0.5 for v in incumbent]
    decisions = _race(PaidEvaluationsGuard(RacingPruner(p_threshold=0.1, n_startup_steps=2), 8), incumbent, worse)
    assert any(decisions[:-1]), "the race drops a trial worse on every instance before the end"


def test_a_trial_that_paid_for_every_evaluation_is_never_pruned() -> None:
    incumbent = [0.01 * k for k in range(1, 9)]
    worse = [v + 0.5 for v in incumbent]
    racing = RacingPruner(p_threshold=0.1, n_startup_steps=2)
    assert _race(PaidEvaluationsGuard(racing, 8), incumbent, worse)[-1] is False
    assert _race(racing, incumbent, worse)[-1] is True, "unguarded, the same evidence prunes at the last step"
    spent = CostBudgetPruner(budget=1e-9, inner=racing)  # the shape make_pruner builds: guard > budget > race
    assert _race(PaidEvaluationsGuard(spent, 8), incumbent, worse)[-1] is False
    assert find(PaidEvaluationsGuard(spent, 8), RacingPruner) is racing
