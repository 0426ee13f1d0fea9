"""A study's spend: the cost each trial records in its user attrs, summed over every trial."""

from __future__ import annotations

import optuna

COST_ATTR = "tt_cost"


def study_spend(study: optuna.Study) -> float:
    """Cost units spent by all trials of the study so far, whatever their state or worker."""
    return float(sum(t.user_attrs.get(COST_ATTR, 0.0) for t in study.get_trials(deepcopy=False)))
