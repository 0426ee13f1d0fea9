"""`PaidEvaluationsGuard`: a trial that has paid for every evaluation is never pruned.

Pruning decides whether a trial goes on. After its last evaluation there is nothing left to
save, and pruning it would throw away a value the study paid for (and may hide a better
configuration), so whatever pruner sits inside, the guard answers "no" at that point.
"""

from __future__ import annotations

import optuna
from optuna.pruners import BasePruner
from optuna.trial import FrozenTrial


class PaidEvaluationsGuard(BasePruner):
    """Defers to `inner` until a trial has reported `n_steps` values, then never prunes.

    Example:
        >>> guard = PaidEvaluationsGuard(optuna.pruners.MedianPruner(), n_steps=10)
        >>> guard.n_steps
        10

    Args:
        inner: the pruner that decides before the last evaluation.
        n_steps: evaluations (reported steps) a trial makes in all.
    """

    def __init__(self, inner: BasePruner, n_steps: int) -> None:
        if n_steps < 1:
            raise ValueError(f"n_steps must be >= 1 but got {n_steps}.")
        self.inner = inner
        self.n_steps = n_steps

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        if len(trial.intermediate_values) >= self.n_steps:
            return False
        return self.inner.prune(study, trial)
