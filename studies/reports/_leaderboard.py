"""Comparing tuners under equal budgets: leaderboards, win rates, anytime curves, budget sensitivity,
difficulty. pandas only, on plain frames (the collector builds them from MLflow and Optuna).

Inputs:
* `cells`: one row per study: tuner, bundle, tier, study, iterations, best, mean, median,
  trials, pruned, runtime_s, cost, trials_to_best;
* `scores`: one row per (cell, scenario): tuner, bundle, tier, scenario, score (the best
  trial's value on that scenario, averaged over seeds), has_reference;
* `trials`: one row per finished trial in completion order: tuner, bundle, tier, trial, value, cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CELL = ["tuner", "bundle", "tier"]
GROUP = ["bundle", "tier"]


def _sign(direction: str) -> float:
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize' but got {direction!r}.")
    return 1.0 if direction == "minimize" else -1.0


def wins(scores: pd.DataFrame, direction: str = "minimize") -> pd.DataFrame:
    """Per cell: wins over its group's scenarios (ties split), win_rate, best_delta (mean excess over the
    scenario's best tuner, >= 0, over scenarios with a reference), and the number of scenarios."""
    sign = _sign(direction)
    if scores.empty:
        return pd.DataFrame(columns=[*CELL, "wins", "win_rate", "best_delta", "scenarios"])
    frame = scores.dropna(subset=["score"]).copy()
    frame["signed"] = sign * frame["score"]
    best = frame.groupby([*GROUP, "scenario"])["signed"].transform("min")
    frame["is_best"] = np.isclose(frame["signed"], best, rtol=1e-12, atol=1e-12)
    ties = frame.groupby([*GROUP, "scenario"])["is_best"].transform("sum")
    frame["win"] = frame["is_best"] / ties
    # Deltas are gaps: a scenario without a reference (objective values, another unit) adds none.
    referenced = frame["has_reference"].astype(bool) if "has_reference" in frame else True
    frame["delta"] = (frame["signed"] - best).where(referenced)
    out = frame.groupby(CELL, as_index=False).agg(wins=("win", "sum"), best_delta=("delta", "mean"),
                                                  scenarios=("scenario", "nunique"))
    out["win_rate"] = out["wins"] / out["scenarios"]
    return out[[*CELL, "wins", "win_rate", "best_delta", "scenarios"]]


def leaderboard(cells: pd.DataFrame, scores: pd.DataFrame, direction: str = "minimize") -> pd.DataFrame:
    """Per bundle and tier, then overall per tuner (bundle = tier = 'all'), ranked by best (1 = best)."""
    sign = _sign(direction)
    board = cells.merge(wins(scores, direction), on=CELL, how="left")
    board["rank"] = board.groupby(GROUP)["best"].rank(method="min", ascending=sign > 0)
    if "has_reference" not in board:
        board["has_reference"] = True
    board["note"] = np.where(board["has_reference"].astype(bool), "",
                             "some scenarios have no reference: the value mixes gaps and objectives")
    # Overall values are gaps only: per-scenario scores of scenarios with a reference, averaged per tuner.
    comparable = board["has_reference"].astype(bool)
    board["_mean"], board["_median"] = board["mean"].where(comparable), board["median"].where(comparable)
    overall = board.groupby("tuner", as_index=False).agg(
        mean=("_mean", "mean"), median=("_median", "median"), trials=("trials", "sum"),
        pruned=("pruned", "sum"), runtime_s=("runtime_s", "sum"), cost=("cost", "sum"),
        trials_to_best=("trials_to_best", "mean"), wins=("wins", "sum"), scenarios=("scenarios", "sum"),
        best_delta=("best_delta", "mean"))
    gaps = scores[scores["has_reference"].astype(bool)] if not scores.empty else scores
    per_tuner = gaps.groupby("tuner")["score"].mean() if not gaps.empty else pd.Series(dtype=float)
    overall["best"] = overall["tuner"].map(per_tuner)
    overall["win_rate"] = overall["wins"] / overall["scenarios"].where(overall["scenarios"] > 0)
    overall["bundle"], overall["tier"], overall["study"] = "all", "all", ""
    overall["note"] = np.where(overall["best"].isna(), "no scenario with a reference",
                               "best: mean gap of its best configurations over scenarios with a reference")
    overall["rank"] = overall["best"].rank(method="min", ascending=sign > 0)
    columns = ["tuner", "bundle", "tier", "rank", "best", "mean", "median", "win_rate", "wins", "best_delta",
               "runtime_s", "cost", "trials", "pruned", "trials_to_best", "scenarios", "study", "note"]
    both = pd.concat([board.reindex(columns=columns), overall.reindex(columns=columns)], ignore_index=True)
    return both.sort_values(["bundle", "tier", "rank", "tuner"], key=_all_last).reset_index(drop=True)


def _all_last(column: pd.Series) -> pd.Series:
    if column.dtype == object:
        return column.map(lambda v: (v == "all", v))
    return column


def anytime(trials: pd.DataFrame, direction: str = "minimize") -> pd.DataFrame:
    """Best-so-far value against cumulative cost, per cell, in completion order."""
    sign = _sign(direction)
    if trials.empty:
        return pd.DataFrame(columns=[*CELL, "trial", "cost_cum", "best_so_far"])
    rows = []
    for key, group in trials.groupby(CELL, sort=False):
        cost = group["cost"].fillna(0.0).cumsum()
        value = (sign * group["value"]).cummin().ffill() * sign  # a pruned trial keeps the best so far
        rows.append(pd.DataFrame({"tuner": key[0], "bundle": key[1], "tier": key[2], "trial": group["trial"].values,
                                  "cost_cum": cost.values, "best_so_far": value.values}))
    return pd.concat(rows, ignore_index=True)


def best_at_cost(curve: pd.DataFrame, cost: float) -> float:
    """The best-so-far value of one anytime curve once it has spent `cost` (NaN before its first value)."""
    reached = curve[curve["cost_cum"] <= cost + 1e-9]["best_so_far"].dropna()
    return float(reached.iloc[-1]) if not reached.empty else float("nan")


def cost_ranks(curves: pd.DataFrame, direction: str = "minimize") -> pd.DataFrame:
    """Ranks at equal spend: in each bundle and tier, every tuner's best once it had spent what the
    cheapest tuner spent in all (so a tuner that ran longer gains nothing from it)."""
    sign = _sign(direction)
    rows = []
    for (bundle, tier), group in curves.groupby(GROUP, sort=False):
        spend = group.groupby("tuner")["cost_cum"].max()
        common = float(spend.min())
        for tuner, curve in group.groupby("tuner", sort=False):
            rows.append({"bundle": bundle, "tier": tier, "tuner": tuner, "common_cost": common,
                         "best_at_common_cost": best_at_cost(curve, common), "total_cost": float(spend[tuner])})
    out = pd.DataFrame(rows, columns=["bundle", "tier", "tuner", "common_cost", "best_at_common_cost", "total_cost"])
    if not out.empty:
        out["cost_rank"] = (sign * out["best_at_common_cost"]).groupby([out["bundle"], out["tier"]]).rank(method="min")
    return out


def budget_sensitivity(cells: pd.DataFrame, tier_order: list[str], direction: str = "minimize") -> pd.DataFrame:
    """Per tuner and bundle, tier by tier: best, runtime, the gain over the previous tier and the gain per second."""
    sign = _sign(direction)
    order = {t: i for i, t in enumerate(tier_order)}
    rows = []
    for (tuner, bundle), group in cells.groupby(["tuner", "bundle"], sort=False):
        group = group.sort_values("tier", key=lambda s: s.map(order))
        previous_best = previous_runtime = None
        for _, row in group.iterrows():
            gain = sign * (previous_best - row["best"]) if previous_best is not None else np.nan
            extra = row["runtime_s"] - previous_runtime if previous_runtime is not None else np.nan
            rows.append({"tuner": tuner, "bundle": bundle, "tier": row["tier"], "iterations": row.get("iterations"),
                         "best": row["best"], "runtime_s": row["runtime_s"], "marginal_gain": gain,
                         "extra_runtime_s": extra,
                         "gain_per_s": gain / extra if extra and np.isfinite(extra) and extra > 0 else np.nan})
            previous_best, previous_runtime = row["best"], row["runtime_s"]
    return pd.DataFrame(rows, columns=["tuner", "bundle", "tier", "iterations", "best", "runtime_s", "marginal_gain",
                                       "extra_runtime_s", "gain_per_s"])


def difficulty(scores: pd.DataFrame, direction: str = "minimize") -> pd.DataFrame:
    """Per scenario: the best tuner's gap, the spread across tuners, who won how often; hardest first.

    A scenario without a reference has no gap: `best_gap` is NaN and `note` says "no reference".
    """
    sign = _sign(direction)
    rows = []
    for (bundle, scenario), group in scores.groupby(["bundle", "scenario"], sort=False):
        has_reference = bool(group["has_reference"].all())
        signed = sign * group["score"]
        best_per_tier = group.loc[signed.groupby(group["tier"]).idxmin().dropna()]
        winners = best_per_tier["tuner"].value_counts()
        rows.append({
            "bundle": bundle, "scenario": scenario,
            "best_gap": float(sign * signed.min()) if has_reference else np.nan,
            "spread": float(signed.max() - signed.min()) if has_reference else np.nan,
            "wins": ", ".join(f"{t}: {n}" for t, n in winners.items()),
            "note": "" if has_reference else "no reference",
        })
    out = pd.DataFrame(rows, columns=["bundle", "scenario", "best_gap", "spread", "wins", "note"])
    out["difficulty_rank"] = out["best_gap"].rank(method="min", ascending=False)
    return out.sort_values(["difficulty_rank", "scenario"], na_position="last").reset_index(drop=True)
