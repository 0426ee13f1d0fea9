"""Turning collected runs into the report's tables (pandas; the measures live in _convergence and _leaderboard)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from studies.reports import _leaderboard as lb
from studies.reports._collect import ReportData
from studies.reports._convergence import HARD_TARGET, SOFT_TARGET, fit_power_law, summarise

CONVERGENCE_COLUMNS = [
    "solver", "scenario", "runs", "reference", "ert_1pct", "ert_5pct", "success_1pct", "success_5pct", "ecdf_auc",
    "ert_1pct_s", "ert_5pct_s", "ecdf_auc_s", "ttt_mu", "ttt_lambda", "ttt_mu_s", "ttt_lambda_s",
    "powerlaw_a", "powerlaw_b", "powerlaw_r2", "powerlaw_range_a", "powerlaw_range_b", "final_gap", "final_gap_range",
    "iters_to_5pct", "iters_to_1pct", "budget_iterations", "note",
]


def convergence(data: ReportData) -> pd.DataFrame:
    """Per solver and scenario: ERT and success at 5 % and 1 % (iterations and seconds), ECDF AUC, TTT and
    power-law fits on both gap definitions. A scenario without a reference is NaN with note 'no reference'."""
    rows = []
    solves = data.solves[data.solves["run_id"].isin(data.traces)] if not data.solves.empty else data.solves
    for (solver, scenario), group in solves.groupby(["solver", "scenario"], sort=True):
        traces = [data.traces[r] for r in group["run_id"]]
        by_it = summarise([t[0] for t in traces])
        by_s = summarise([t[1] for t in traces])
        ranged = [t[2] for t in traces if np.isfinite(t[2].gap).all()]
        range_fit = fit_power_law(np.concatenate([t.time for t in ranged]), np.concatenate([t.gap for t in ranged])) \
            if ranged else None
        reference = group["reference"].dropna()
        has_reference = not reference.empty
        rows.append({
            "solver": solver, "scenario": scenario, "runs": len(traces),
            "reference": float(reference.iloc[0]) if has_reference else math.nan,
            "ert_1pct": by_it.ert_1pct, "ert_5pct": by_it.ert_5pct, "success_1pct": by_it.success_1pct,
            "success_5pct": by_it.success_5pct, "ecdf_auc": by_it.ecdf_auc,
            "ert_1pct_s": by_s.ert_1pct, "ert_5pct_s": by_s.ert_5pct, "ecdf_auc_s": by_s.ecdf_auc,
            "ttt_mu": by_it.ttt_mu, "ttt_lambda": by_it.ttt_lambda, "ttt_mu_s": by_s.ttt_mu, "ttt_lambda_s": by_s.ttt_lambda,
            "powerlaw_a": by_it.power_law.a, "powerlaw_b": by_it.power_law.b, "powerlaw_r2": by_it.power_law.r2,
            "powerlaw_range_a": range_fit.a if range_fit else math.nan,
            "powerlaw_range_b": range_fit.b if range_fit else math.nan,
            "final_gap": by_it.final_gap,
            "final_gap_range": float(np.mean([t.gap[-1] for t in ranged])) if ranged else math.nan,
            "iters_to_5pct": by_it.power_law.time_to(SOFT_TARGET), "iters_to_1pct": by_it.power_law.time_to(HARD_TARGET),
            "budget_iterations": by_it.budget,
            "note": "" if has_reference else "no reference",
        })
    return pd.DataFrame(rows, columns=CONVERGENCE_COLUMNS)


def recommended_budgets(conv: pd.DataFrame, tier_iterations: dict[str, int]) -> pd.DataFrame:
    """Per solver and tier: the gap the fits predict at the tier's iterations, and the iterations they
    need for 5 % and 1 % (medians over scenarios with a reference)."""
    rows = []
    fitted = conv[conv["note"] == ""].dropna(subset=["powerlaw_a", "powerlaw_b"])
    for solver, group in fitted.groupby("solver"):
        for tier, iterations in tier_iterations.items():
            predicted = [a * iterations ** -b for a, b in zip(group["powerlaw_a"], group["powerlaw_b"])]
            need_1 = float(np.nanmedian(group["iters_to_1pct"].replace(np.inf, np.nan))) if len(group) else math.nan
            need_5 = float(np.nanmedian(group["iters_to_5pct"].replace(np.inf, np.nan))) if len(group) else math.nan
            rows.append({"solver": solver, "tier": tier, "iterations": iterations,
                         "predicted_gap": float(np.median(predicted)),
                         "recommended_iterations_5pct": _rounded(need_5),
                         "recommended_iterations_1pct": _rounded(need_1),
                         "advice": _advice(iterations, need_1)})
    return pd.DataFrame(rows, columns=["solver", "tier", "iterations", "predicted_gap", "recommended_iterations_5pct",
                                       "recommended_iterations_1pct", "advice"])


def _rounded(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return value
    magnitude = 10 ** max(0, int(math.log10(value)) - 1)
    return float(math.ceil(value / magnitude) * magnitude)


def _advice(iterations: int, need: float) -> str:
    if not math.isfinite(need):
        return "1 % not reached by the fit"
    if need <= iterations:
        return "enough for 1 %"
    return f"raise to about {_rounded(need):,.0f} for 1 %"


def all_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of a report by file stem."""
    curves = lb.anytime(data.trials, data.direction)
    conv = convergence(data)
    tables = {
        "leaderboard": lb.leaderboard(data.cells, data.scores, data.direction) if not data.cells.empty else pd.DataFrame(),
        "cost_ranks": lb.cost_ranks(curves, data.direction),
        "anytime": curves,
        "budget": lb.budget_sensitivity(data.cells, data.tier_order, data.direction) if not data.cells.empty else pd.DataFrame(),
        "convergence": conv,
        "recommended_budgets": recommended_budgets(conv, data.tier_iterations),
        "difficulty": lb.difficulty(data.scores, data.direction),
        "scores": data.scores,
    }
    return tables
