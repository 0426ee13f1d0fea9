"""Racing across instances: drop configurations statistically worse than the best, with evidence."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
import scipy.stats as ss
from optuna.pruners import BasePruner, WilcoxonPruner
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial


class RacingPruner(BasePruner):
    """Optuna's `WilcoxonPruner` over per-instance results, remembering why it pruned.

    A trial reports one normalised result per instance (step = instance index). When it is
    pruned, `evidence[trial.number]` holds the instances seen, the one-sided Wilcoxon p-value
    against the incumbent and the incumbent's trial number, to be written on the trial's run.

    Args:
        p_threshold: p-value below which a trial is dropped.
        n_startup_steps: instances every trial sees before it can be dropped.
    """

    def __init__(self, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        self._wilcoxon = WilcoxonPruner(p_threshold=p_threshold, n_startup_steps=n_startup_steps)
        self.evidence: dict[int, dict[str, Any]] = {}

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        if not self._wilcoxon.prune(study, trial):
            return False
        self.evidence[trial.number] = racing_evidence(study, trial)
        return True


def racing_evidence(study: optuna.Study, trial: FrozenTrial) -> dict[str, Any]:
    """Instances seen, p-value and incumbent of a trial compared with the study's best trial."""
    best = study.best_trial
    common = sorted(set(trial.intermediate_values) & set(best.intermediate_values))
    diffs = np.array([trial.intermediate_values[s] - best.intermediate_values[s] for s in common])
    alternative = "less" if study.direction == StudyDirection.MAXIMIZE else "greater"
    p_value = float(ss.wilcoxon(diffs, alternative=alternative, zero_method="zsplit").pvalue) if len(diffs) else 1.0
    return {
        "instances_seen": len(trial.intermediate_values),
        "p_value": p_value,
        "incumbent_trial": best.number,
        "mean": float(np.mean([trial.intermediate_values[s] for s in common])) if common else float("nan"),
        "incumbent_mean": float(np.mean([best.intermediate_values[s] for s in common])) if common else float("nan"),
    }
