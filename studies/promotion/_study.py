"""What promotion needs to know about a finished study: its spec, its best trials, its MLflow ids."""

from __future__ import annotations

import dataclasses
from typing import Any

from studies.promotion._errors import NothingToPromote, PromotionError
from studies.settings import Settings


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A completed trial that may be promoted."""

    number: int
    params: dict[str, Any]
    value: float
    run_id: str | None


@dataclasses.dataclass(frozen=True)
class StudyFacts:
    name: str
    spec: Any  # studies.spec.StudySpec
    candidates: list[Candidate]  # best first
    experiment_id: str | None
    parent_run_id: str | None


def load_study_facts(name: str, settings: Settings, top_k: int = 1, pick: str | None = None) -> StudyFacts:
    """The spec and the `top_k` best completed trials of study `name`, read from its Optuna storage.

    A multi-objective study has one candidate: the Pareto point `pick` selects.
    """
    from studies.pareto_views import picked_trial
    from studies.queries import open_study
    from studies.vocabulary import Attr, completed, ranked_trials

    study, spec = open_study(name, settings)
    attrs = study.user_attrs
    if spec.multi_objective and top_k != 1:
        raise PromotionError("top_k: a multi-objective study promotes the one point its pick rule selects")
    if pick and not spec.multi_objective:
        raise PromotionError(f"pick: applies to multi-objective studies; {name!r} optimises one metric")
    trials = study.get_trials(deepcopy=False)
    done = ranked_trials(trials, spec.direction)
    if spec.multi_objective and completed(trials):
        done = [picked_trial(trials, spec, pick)]
    if not done:
        raise NothingToPromote(f"study {name!r} has no completed trial to promote (every trial failed or was "
                               "pruned); nothing was re-evaluated")
    candidates = [Candidate(number=t.number, params=dict(t.params), value=float(t.values[0]),
                            run_id=t.user_attrs.get(Attr.RUN_ID)) for t in done[:top_k]]
    return StudyFacts(name=name, spec=spec, candidates=candidates, experiment_id=attrs.get(Attr.EXPERIMENT_ID),
                      parent_run_id=attrs.get(Attr.PARENT_RUN_ID))
