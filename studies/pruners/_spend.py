"""A study's spend: the cost each trial records in its user attrs, summed over every trial."""

from __future__ import annotations

from collections.abc import Iterable

import optuna
from optuna.trial import FrozenTrial

from studies.vocabulary import Attr



def spend_of(trials: Iterable[FrozenTrial]) -> float:
    """Cost units recorded by `trials`, whatever their state or worker."""
    return float(sum(t.user_attrs.get(Attr.COST, 0.0) for t in trials))


def study_spend(study: optuna.Study) -> float:
    """Cost units spent by all trials of the study so far."""
    return spend_of(study.get_trials(deepcopy=False))
