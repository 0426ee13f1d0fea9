"""Win rates, best deltas, anytime curves, equal-cost ranks, budget sensitivity and difficulty on hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from studies.reports._leaderboard import anytime, budget_sensitivity, cost_ranks, difficulty, leaderboard, wins


def _scores(rows: list[tuple[str, str, float]], bundle: str = "b", tier: str = "short", reference: bool = True):
    return pd.DataFrame([{"tuner": t, "bundle": bundle, "tier": tier, "scenario": s, "score": v,
                          "has_reference": reference} for t, s, v in rows])


SCORES = _scores([("A", "s1", 0.1), ("B", "s1", 0.1), ("C", "s1", 0.2),
                  ("A", "s2", 0.3), ("B", "s2", 0.2), ("C", "s2", 0.2)])


def test_wins_split_ties_and_best_delta_is_the_mean_excess() -> None:
    out = wins(SCORES).set_index("tuner")
    assert out.loc[["A", "B", "C"], "win_rate"].tolist() == pytest.approx([0.25, 0.5, 0.25])
    assert out.loc[["A", "B", "C"], "best_delta"].tolist() == pytest.approx([0.05, 0.0, 0.05])
    assert out["wins"].sum() == pytest.approx(2)  # one win per scenario, however split


def test_maximize_flips_who_wins() -> None:
    out = wins(SCORES, "maximize").set_index("tuner")
    assert out.loc[["A", "B", "C"], "win_rate"].tolist() == pytest.approx([0.5, 0.0, 0.5])


def _cells(rows: list[tuple[str, str, float, float]], bundle: str = "b", reference: bool = True) -> pd.DataFrame:
    return pd.DataFrame([{"tuner": t, "bundle": bundle, "tier": tier, "study": f"{t}-{tier}", "iterations": 100,
                          "best": best, "mean": best, "median": best, "trials": 4, "pruned": 0, "runtime_s": runtime,
                          "cost": runtime, "trials_to_best": 2, "has_reference": reference}
                         for t, tier, best, runtime in rows])


def test_leaderboard_ranks_per_group_and_overall() -> None:
    cells = _cells([("A", "short", 0.2, 10.0), ("B", "short", 0.15, 12.0), ("C", "short", 0.25, 8.0)])
    board = leaderboard(cells, SCORES)
    group = board[board["bundle"] == "b"].set_index("tuner")
    assert group.loc[["B", "A", "C"], "rank"].tolist() == [1, 2, 3]
    overall = board[board["bundle"] == "all"]
    assert overall["tuner"].tolist() == ["B", "A", "C"]
    assert set(board.columns) >= {"tuner", "bundle", "tier", "best", "win_rate", "best_delta", "runtime_s", "cost"}


def test_overall_best_leaves_out_bundles_without_reference() -> None:
    cells = pd.concat([_cells([("A", "short", 0.2, 1.0)]),
                       _cells([("A", "short", 1246.0, 1.0)], bundle="synthetic", reference=False)])
    board = leaderboard(cells, SCORES[SCORES["tuner"] == "A"])
    overall = board[board["bundle"] == "all"].iloc[0]
    assert overall["best"] == pytest.approx(0.2)
    assert "no reference" in board[board["bundle"] == "synthetic"].iloc[0]["note"]


def test_anytime_is_best_so_far_against_cumulative_cost_and_pruned_trials_cost() -> None:
    trials = pd.DataFrame({"tuner": "A", "bundle": "b", "tier": "short", "trial": [0, 1, 2, 3],
                           "value": [3.0, math.nan, 1.0, 2.0], "cost": [1.0, 0.5, 1.0, 1.0]})
    curve = anytime(trials)
    assert curve["cost_cum"].tolist() == [1.0, 1.5, 2.5, 3.5]
    assert curve["best_so_far"].tolist() == [3.0, 3.0, 1.0, 1.0]


def test_cost_ranks_compare_at_the_cheapest_tuners_total() -> None:
    trials = pd.DataFrame({
        "tuner": ["X"] * 4 + ["Y"] * 2, "bundle": "b", "tier": "short", "trial": [0, 1, 2, 3, 0, 1],
        "value": [3.0, 2.5, 1.0, 0.5, 2.0, 1.5], "cost": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    ranks = cost_ranks(anytime(trials)).set_index("tuner")
    assert ranks.loc["X", "common_cost"] == 2.0
    assert ranks.loc["X", "best_at_common_cost"] == 2.5 and ranks.loc["Y", "best_at_common_cost"] == 1.5
    assert ranks.loc["Y", "cost_rank"] == 1 and ranks.loc["X", "cost_rank"] == 2


def test_budget_sensitivity_gain_per_tier() -> None:
    cells = _cells([("A", "short", 0.2, 10.0), ("A", "medium", 0.15, 30.0), ("A", "long", 0.14, 130.0)])
    out = budget_sensitivity(cells, ["short", "medium", "long"]).set_index("tier")
    assert math.isnan(out.loc["short", "marginal_gain"])
    assert out.loc["medium", "marginal_gain"] == pytest.approx(0.05)
    assert out.loc["medium", "gain_per_s"] == pytest.approx(0.05 / 20)
    assert out.loc["long", "gain_per_s"] == pytest.approx(0.01 / 100)


def test_difficulty_ranks_hardest_first_and_marks_missing_reference() -> None:
    scores = pd.concat([SCORES, _scores([("A", "r1", 1300.0), ("B", "r1", 1250.0)], reference=False)])
    out = difficulty(scores).set_index("scenario")
    assert out.loc["s2", "best_gap"] == pytest.approx(0.2) and out.loc["s2", "spread"] == pytest.approx(0.1)
    assert out.loc["s2", "difficulty_rank"] == 1 and out.loc["s1", "difficulty_rank"] == 2
    assert math.isnan(out.loc["r1", "best_gap"]) and out.loc["r1", "note"] == "no reference"
    assert out.loc["r1", "wins"] == "B: 1"


def test_best_delta_leaves_out_scenarios_without_reference() -> None:
    scores = pd.concat([SCORES, _scores([("A", "r1", 1300.0), ("B", "r1", 1250.0), ("C", "r1", 1250.0)],
                                        reference=False)])
    out = wins(scores).set_index("tuner")
    assert out.loc[["A", "B", "C"], "best_delta"].tolist() == pytest.approx([0.05, 0.0, 0.05])
    assert out.loc["A", "scenarios"] == 3 and out.loc["B", "win_rate"] == pytest.approx((0.5 + 0.5 + 0.5) / 3)  # s1, s2 and r1: each a tie
