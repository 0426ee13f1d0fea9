"""Convergence against a known optimum, from solve traces (IOHprofiler's definitions). numpy only.

Run i = 1..r of one solver on one scenario has a trace of (time, gap) points, time in
iterations or seconds, and a budget B_i (the time it ran). For a target gap v:

* t_i(v): the first time the trace's gap is <= v (infinity if never);
* success rate p_s(v) = #{i : t_i(v) < inf} / r;
* ERT(v) = sum_i min(t_i(v), B_i) / #{i : t_i(v) < inf} (infinite when no run succeeds): a
  failed run counts its whole budget (Auger & Hansen 2005);
* fixed-target ECDF over targets V (and instances): F(t) = mean over (run, target) of 1(t_i(v) <= t),
  its area over [0, B] normalised by B: (1 / (B N)) sum over hits (B - t_i(v));
* time-to-target points: sorted times t_(1..n) against p_i = (i - 1/2) / n, fitted by a shifted
  exponential F(t) = 1 - exp(-(t - mu) / lambda) (Aiex, Resende & Ribeiro 2002) by least squares
  of t_(i) on the exponential quantiles -ln(1 - p_i);
* a power law gap(t) = a t^-b fitted by least squares in log-log space.

Two gap definitions: relative to the best-known value, (f - f*) / f*, and range-normalised
against the initial solution, (f - f*) / (f_0 - f*). A scenario without a reference has no
gap: every measure is NaN, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SOFT_TARGET = 0.05
HARD_TARGET = 0.01
ECDF_TARGETS: tuple[float, ...] = (0.10, 0.05, 0.02, 0.01, 0.0)


@dataclass(frozen=True)
class Trace:
    """One run: times (ascending), the best-so-far gap at each time, and the time the run had."""

    time: np.ndarray
    gap: np.ndarray
    budget: float

    @classmethod
    def of(cls, time: Sequence[float], gap: Sequence[float], budget: float | None = None) -> "Trace":
        t = np.asarray(time, dtype=np.float64)
        g = np.asarray(gap, dtype=np.float64)
        if t.shape != g.shape:
            raise ValueError(f"time and gap differ in length: {t.size} and {g.size}")
        return cls(t, g, float(budget if budget is not None else (t[-1] if t.size else 0.0)))


def relative_gap(best: np.ndarray | float, reference: float | None) -> np.ndarray:
    """(best - f*) / f*; NaN everywhere without a (non-zero) reference."""
    values = np.asarray(best, dtype=np.float64)
    if reference is None or not math.isfinite(reference) or reference == 0:
        return np.full(values.shape, np.nan)
    return (values - reference) / abs(reference)


def range_gap(best: np.ndarray | float, reference: float | None, initial: float | None) -> np.ndarray:
    """(best - f*) / (f_0 - f*): 1 at the initial solution, 0 at the reference; NaN if undefined."""
    values = np.asarray(best, dtype=np.float64)
    if reference is None or initial is None or not math.isfinite(reference) or initial == reference:
        return np.full(values.shape, np.nan)
    return (values - reference) / (initial - reference)


def first_hit(trace: Trace, target: float) -> float:
    """t_i(v): the first time the gap is <= target, +inf if never (or if the gap is undefined)."""
    hit = np.flatnonzero(trace.gap <= target + 1e-12)
    return float(trace.time[hit[0]]) if hit.size else math.inf


def hitting_times(traces: Sequence[Trace], target: float) -> np.ndarray:
    return np.array([first_hit(t, target) for t in traces], dtype=np.float64)


def success_rate(hits: np.ndarray) -> float:
    """Share of runs that reached the target; NaN for no runs."""
    return float(np.isfinite(hits).mean()) if hits.size else math.nan


def ert(hits: np.ndarray, budgets: np.ndarray) -> float:
    """Expected running time: sum of min(t_i, B_i) over runs / successful runs; inf if none succeeds."""
    hits, budgets = np.asarray(hits, dtype=np.float64), np.asarray(budgets, dtype=np.float64)
    if hits.size == 0:
        return math.nan
    successes = int(np.isfinite(hits).sum())
    if successes == 0:
        return math.inf
    return float(np.minimum(hits, budgets).sum() / successes)


def ecdf(hits: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """F(t) at each grid time: the share of (run, target) pairs with t_i(v) <= t."""
    flat = np.asarray(hits, dtype=np.float64).ravel()
    if flat.size == 0:
        return np.full(np.shape(grid), np.nan)
    ordered = np.sort(flat)
    return np.searchsorted(ordered, np.asarray(grid, dtype=np.float64), side="right") / flat.size


def ecdf_auc(hits: np.ndarray, budget: float) -> float:
    """Area under the ECDF over [0, budget], normalised to [0, 1]: 1 = every target at time 0."""
    flat = np.asarray(hits, dtype=np.float64).ravel()
    if flat.size == 0 or not budget > 0:
        return math.nan
    inside = flat[flat <= budget]
    return float((budget - inside).sum() / (budget * flat.size))


def ttt_points(times: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Time-to-target plot points: the finite times sorted, against p_i = (i - 1/2) / n."""
    t = np.sort(np.asarray([x for x in times if math.isfinite(x)], dtype=np.float64))
    n = t.size
    return t, (np.arange(1, n + 1) - 0.5) / n if n else np.empty(0)


def fit_shifted_exponential(times: Sequence[float]) -> tuple[float, float]:
    """(mu, lambda) of F(t) = 1 - exp(-(t - mu)/lambda), fitted to the TTT points; NaN below 2 points."""
    t, p = ttt_points(times)
    if t.size < 2:
        return math.nan, math.nan
    quantiles = -np.log1p(-p)
    slope, intercept = np.polyfit(quantiles, t, 1)
    return float(intercept), float(slope)


@dataclass(frozen=True)
class PowerLaw:
    a: float
    b: float
    r2: float
    points: int

    def gap_at(self, t: float) -> float:
        return self.a * t ** -self.b if t > 0 and math.isfinite(self.a) else math.nan

    def time_to(self, gap: float) -> float:
        """The time the fit needs to reach `gap` (inf if it never does: b <= 0)."""
        if not (math.isfinite(self.a) and math.isfinite(self.b)) or gap <= 0:
            return math.nan
        if self.b <= 0:
            return math.inf if self.a > gap else 0.0
        return float((self.a / gap) ** (1.0 / self.b))


NO_FIT = PowerLaw(math.nan, math.nan, math.nan, 0)


def fit_power_law(time: np.ndarray, gap: np.ndarray) -> PowerLaw:
    """gap(t) = a t^-b by least squares of log gap on log t over points with t > 0 and gap > 0."""
    t, g = np.asarray(time, dtype=np.float64), np.asarray(gap, dtype=np.float64)
    keep = (t > 0) & (g > 0) & np.isfinite(t) & np.isfinite(g)
    if keep.sum() < 2 or np.unique(t[keep]).size < 2:
        return NO_FIT
    x, y = np.log(t[keep]), np.log(g[keep])
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    total = ((y - y.mean()) ** 2).sum()
    r2 = 1.0 - ((y - fitted) ** 2).sum() / total if total > 0 else 1.0
    return PowerLaw(float(math.exp(intercept)), float(-slope), float(r2), int(keep.sum()))


@dataclass(frozen=True)
class Summary:
    """The measures of one (solver, scenario) group of runs on one time axis."""

    runs: int
    ert_1pct: float
    ert_5pct: float
    success_1pct: float
    success_5pct: float
    ecdf_auc: float
    ttt_mu: float
    ttt_lambda: float
    power_law: PowerLaw
    final_gap: float
    budget: float


def summarise(traces: Sequence[Trace], targets: Sequence[float] = ECDF_TARGETS) -> Summary:
    """ERT and success at 5 % and 1 %, ECDF AUC over `targets`, TTT fit at 5 %, the power law, the final gap.

    Traces whose gap is undefined (no reference) give NaN throughout.
    """
    usable = [t for t in traces if t.gap.size and np.isfinite(t.gap).all()]
    if not usable:
        return Summary(len(traces), *(math.nan,) * 7, NO_FIT, math.nan, math.nan)
    budgets = np.array([t.budget for t in usable])
    hard, soft = hitting_times(usable, HARD_TARGET), hitting_times(usable, SOFT_TARGET)
    all_hits = np.stack([hitting_times(usable, v) for v in targets])
    budget = float(budgets.max())
    mu, lam = fit_shifted_exponential(soft)
    fit = fit_power_law(np.concatenate([t.time for t in usable]), np.concatenate([t.gap for t in usable]))
    return Summary(
        runs=len(usable), ert_1pct=ert(hard, budgets), ert_5pct=ert(soft, budgets),
        success_1pct=success_rate(hard), success_5pct=success_rate(soft), ecdf_auc=ecdf_auc(all_hits, budget),
        ttt_mu=mu, ttt_lambda=lam, power_law=fit, final_gap=float(np.mean([t.gap[-1] for t in usable])),
        budget=budget,
    )
