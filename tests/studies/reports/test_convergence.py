"""Each convergence measure against a hand computation on small synthetic traces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studies.reports import (
    Trace,
    ecdf,
    ecdf_auc,
    ert,
    first_hit,
    fit_power_law,
    fit_shifted_exponential,
    range_gap,
    relative_gap,
    success_rate,
    summarise,
    ttt_points,
)

INF = math.inf


def test_first_hit_is_the_first_time_at_or_below_the_target() -> None:
    trace = Trace.of([0, 10, 20, 30], [0.2, 0.06, 0.04, 0.005])
    assert first_hit(trace, 0.05) == 20
    assert first_hit(trace, 0.01) == 30
    assert first_hit(trace, 0.06) == 10  # "<= v", not "< v"
    assert first_hit(trace, 0.001) == INF


def test_ert_counts_the_whole_budget_of_failed_runs() -> None:
    # Runs 1 and 3 reach the target at 100 and 300; run 2 never does within its 800 iterations.
    hits, budgets = np.array([100.0, INF, 300.0]), np.array([1000.0, 800.0, 1000.0])
    assert ert(hits, budgets) == pytest.approx((100 + 800 + 300) / 2)
    assert success_rate(hits) == pytest.approx(2 / 3)


def test_ert_is_infinite_when_no_run_succeeds_and_nan_without_runs() -> None:
    assert ert(np.array([INF, INF]), np.array([500.0, 500.0])) == INF
    assert success_rate(np.array([INF, INF])) == 0.0
    assert math.isnan(ert(np.array([]), np.array([])))


def test_ecdf_over_several_targets_and_its_normalised_area() -> None:
    # Run A reaches 5 % at 20 and 1 % at 30; run B reaches 5 % at 50 and never 1 %.
    a = Trace.of([0, 20, 30], [0.5, 0.04, 0.01], budget=100)
    b = Trace.of([0, 50, 100], [0.5, 0.05, 0.02], budget=100)
    hits = np.array([[first_hit(t, v) for t in (a, b)] for v in (0.05, 0.01)])
    assert hits.tolist() == [[20, 50], [30, INF]]
    assert ecdf(hits, np.array([10, 20, 29, 30, 60, 1000])).tolist() == [0, 0.25, 0.25, 0.5, 0.75, 0.75]
    # (1 / (B N)) * sum over hits of (B - t): (80 + 70 + 50) / (100 * 4)
    assert ecdf_auc(hits, 100) == pytest.approx(0.5)
    assert ecdf_auc(np.array([0.0, 0.0]), 100) == 1.0 and ecdf_auc(np.array([INF]), 100) == 0.0


def test_ttt_points_use_p_i_equal_i_minus_half_over_n() -> None:
    times, p = ttt_points([3.0, 1.0, INF, 2.0])  # the failed run is not a point
    assert times.tolist() == [1.0, 2.0, 3.0]
    assert p.tolist() == pytest.approx([0.5 / 3, 1.5 / 3, 2.5 / 3])


def test_shifted_exponential_fit_recovers_mu_and_lambda() -> None:
    mu, lam, n = 40.0, 120.0, 25
    p = (np.arange(1, n + 1) - 0.5) / n
    times = mu - lam * np.log(1 - p)  # the exact quantiles of the shifted exponential
    fitted_mu, fitted_lam = fit_shifted_exponential(np.random.default_rng(1).permutation(times))
    assert fitted_mu == pytest.approx(mu) and fitted_lam == pytest.approx(lam)
    assert all(math.isnan(v) for v in fit_shifted_exponential([5.0]))


def test_power_law_fit_recovers_a_and_b_and_ignores_zero_gaps() -> None:
    t = np.geomspace(10, 1e5, 30)
    gap = 2.5 * t ** -0.7
    fit = fit_power_law(np.concatenate([[0.0], t, [2e5]]), np.concatenate([[1.0], gap, [0.0]]))
    assert fit.a == pytest.approx(2.5) and fit.b == pytest.approx(0.7) and fit.r2 == pytest.approx(1.0)
    assert fit.points == 30
    assert fit.time_to(0.01) == pytest.approx((2.5 / 0.01) ** (1 / 0.7))
    assert fit.gap_at(1000) == pytest.approx(2.5 * 1000 ** -0.7)


def test_power_law_on_noisy_data_from_known_a_and_b() -> None:
    rng = np.random.default_rng(7)
    t = np.tile(np.geomspace(1, 1e4, 40), 5)
    gap = 0.8 * t ** -0.4 * np.exp(rng.normal(0, 0.05, t.size))
    fit = fit_power_law(t, gap)
    assert fit.a == pytest.approx(0.8, rel=0.05) and fit.b == pytest.approx(0.4, abs=0.01)


def test_both_gap_definitions() -> None:
    best = np.array([200.0, 150.0, 100.0])
    assert relative_gap(best, 100.0).tolist() == [1.0, 0.5, 0.0]
    assert range_gap(best, 100.0, initial=200.0).tolist() == [1.0, 0.5, 0.0]
    assert range_gap(np.array([180.0]), 100.0, initial=260.0).tolist() == [0.5]


def test_a_scenario_without_reference_is_nan_never_zero() -> None:
    gaps = relative_gap(np.array([1300.0, 1250.0]), None)
    assert np.isnan(gaps).all()
    assert np.isnan(range_gap(np.array([1.0]), None, 2.0)).all()
    summary = summarise([Trace.of([0, 100], gaps, budget=100), Trace.of([0, 100], gaps, budget=100)])
    measures = [summary.ert_1pct, summary.ert_5pct, summary.success_1pct, summary.success_5pct, summary.ecdf_auc,
                summary.final_gap]
    assert all(math.isnan(m) for m in measures), measures
    assert summary.runs == 2


def test_summarise_on_runs_with_a_failure() -> None:
    runs = [Trace.of([0, 50, 100], [0.3, 0.04, 0.008], budget=100),  # 5 % at 50, 1 % at 100
            Trace.of([0, 50, 200], [0.3, 0.2, 0.06], budget=200)]    # never 5 %
    s = summarise(runs, targets=(0.05, 0.01))
    assert s.ert_5pct == pytest.approx((50 + 200) / 1) and s.ert_1pct == pytest.approx((100 + 200) / 1)
    assert s.success_5pct == 0.5 and s.success_1pct == 0.5
    assert s.ecdf_auc == pytest.approx(((200 - 50) + (200 - 100)) / (200 * 4))
    assert s.final_gap == pytest.approx((0.008 + 0.06) / 2)
