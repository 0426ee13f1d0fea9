"""Racing across instances: drop configurations statistically worse than the best, with evidence.

The test is Optuna's `WilcoxonPruner`'s — a one-sided Wilcoxon signed-rank test of the trial's
per-instance results against the best trial's on the instances both have seen, with the same
safety rule — computed by `studies.stats.paired_test`, the test `compare_trials` and promotion
use too. The race only decides whether a trial goes on: `make_pruner` wraps it in
`PaidEvaluationsGuard`, so a trial that reported every evaluation completes with its value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
from optuna.pruners import BasePruner
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial

from studies.stats import paired_test
from studies.vocabulary import best_trial

class RacingPruner(BasePruner):
    """Prunes a trial whose per-instance results are significantly worse than the best trial's.

    A trial reports one normalised result per instance (step = instance index). When it is
    pruned, `evidence[trial.number]` holds the instances seen, the p-value and the
    incumbent's trial number, to be written on the trial's run.

    Example:
        pruner = RacingPruner(p_threshold=0.1, n_startup_steps=3)

    Args:
        p_threshold: p-value below which a trial is dropped.
        n_startup_steps: instances every trial sees before it can be dropped.
    """

    def __init__(self, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        if not 0.0 < p_threshold < 1.0:
            raise ValueError(f"p_threshold must be in (0, 1) but got {p_threshold}.")
        if n_startup_steps < 0:
            raise ValueError(f"n_startup_steps cannot be negative but got {n_startup_steps}.")
        self.p_threshold = p_threshold
        self.n_startup_steps = n_startup_steps
        self.evidence: dict[int, dict[str, Any]] = {}

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        if not trial.intermediate_values:
            return False
        best = best_trial(study.get_trials(deepcopy=False), _direction(study))
        if best is None:  # no completed trial yet
            return False
        found = racing_evidence(study, trial, best)
        if found is None or found["compared"] < max(2, self.n_startup_steps) or found["average_is_best"]:
            return False
        if found["p_value"] < self.p_threshold:
            self.evidence[trial.number] = found
            return True
        return False


def racing_evidence(study: optuna.Study, trial: FrozenTrial, best: FrozenTrial | None = None) -> dict[str, Any] | None:
    """Instances seen and compared, p-value and incumbent of `trial` against the best trial."""
    best = best or best_trial(study.get_trials(deepcopy=False), _direction(study))
    if best is None:
        return None
    mine, theirs = trial.intermediate_values, best.intermediate_values
    common = sorted(set(mine) & set(theirs))
    values = np.array([mine[s] for s in common]) if common else np.empty(0)
    reference = np.array([theirs[s] for s in common]) if common else np.empty(0)
    if not theirs or not np.all(np.isfinite(values)) or not np.all(np.isfinite(reference)):
        return None
    maximize = study.direction == StudyDirection.MAXIMIZE
    test = paired_test(reference, values, _direction(study))  # p that the incumbent is better
    own_mean = float(np.mean(list(mine.values())))
    best_mean = float(np.mean(list(theirs.values())))
    return {
        "instances_seen": len(mine),
        "compared": len(common),
        "p_value": test.p_value if test else 1.0,
        "incumbent_trial": best.number,
        "mean": float(values.mean()) if common else float("nan"),
        "incumbent_mean": float(reference.mean()) if common else float("nan"),
        # Optuna's safety rule: never drop a trial whose own average is at least as good as the best's.
        "average_is_best": own_mean >= best_mean if maximize else own_mean <= best_mean,
    }


def _direction(study: optuna.Study) -> str:
    return "maximize" if study.direction == StudyDirection.MAXIMIZE else "minimize"
