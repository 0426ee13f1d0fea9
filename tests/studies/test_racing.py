"""The racing test's exact p-value agrees with SciPy's exact / permutation Wilcoxon test."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from studies.pruners import RacingPruner
from studies.stats import signed_rank_p_value


@settings(max_examples=150, deadline=None)
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
