"""Reports: leaderboards, anytime curves, budget sensitivity, convergence against known optima, figures.

The measures are pure functions on arrays and frames (`_convergence`, `_leaderboard`); `_collect`
reads the Optuna storage and MLflow (through `Tracker`); `build_report` writes CSV, Markdown, PNG
and one self-contained HTML page and logs them under `report/` on the plan or study run.

>>> from studies.reports import ert
>>> import numpy as np
>>> ert(np.array([100.0, np.inf]), np.array([1000.0, 1000.0]))   # one success at 100, one failure
1100.0
"""

from studies.reports._build import FORMATS, Report, build_report
from studies.reports._collect import UnknownTarget
from studies.reports._convergence import (
    PowerLaw,
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
from studies.reports._figures import solve_figure
from studies.reports._study_figures import log_study_figures, study_figures

__all__ = [
    "FORMATS",
    "PowerLaw",
    "Report",
    "Trace",
    "UnknownTarget",
    "build_report",
    "ecdf",
    "ecdf_auc",
    "ert",
    "first_hit",
    "fit_power_law",
    "fit_shifted_exponential",
    "log_study_figures",
    "range_gap",
    "relative_gap",
    "solve_figure",
    "study_figures",
    "success_rate",
    "summarise",
    "ttt_points",
]
