"""`CostBudgetPruner`: stop spending once the study's budget would be passed."""

from __future__ import annotations

import optuna
from optuna.pruners import BasePruner, NopPruner
from optuna.trial import FrozenTrial

from studies.pruners._spend import spend_of
from studies.vocabulary import Attr


class CostBudgetPruner(BasePruner):
    """Prunes a running trial when the study's spend plus its next step's cost would pass `budget`.

    The next step's cost is estimated from the trial's own cost per reported step so far; the
    spend is read from the storage, so it is shared by every worker of the study. Otherwise
    the decision is left to `inner`.

    Example:
        pruner = CostBudgetPruner(budget=600.0, inner=optuna.pruners.WilcoxonPruner())

    Args:
        budget: cost units the whole study may spend.
        inner: the pruner consulted while the budget allows (default: never prune).
    """

    def __init__(self, budget: float, inner: BasePruner | None = None) -> None:
        if budget <= 0:
            raise ValueError(f"budget must be positive but got {budget}.")
        self.budget = budget
        self.inner = inner or NopPruner()
        self.last_reason: dict[int, str] = {}

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        spent = spend_of(study.get_trials(deepcopy=False))
        steps = max(1, len(trial.intermediate_values))
        next_step = float(trial.user_attrs.get(Attr.COST, 0.0)) / steps
        if spent + next_step > self.budget:
            self.last_reason[trial.number] = (
                f"cost budget: spend {spent:.3f} + next step {next_step:.3f} would pass {self.budget:.3f}")
            return True
        return self.inner.prune(study, trial)
