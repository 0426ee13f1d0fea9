"""What promotion needs to know about a finished study: its spec, its best trials, its MLflow ids."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from studies.promotion._errors import PromotionError
from tracker import Settings


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


def load_study_facts(name: str, settings: Settings, top_k: int = 1) -> StudyFacts:
    """The spec and the `top_k` best completed trials of study `name`, read from its Optuna storage."""
    import optuna

    from studies._recording import EXPERIMENT_ATTR, PARENT_RUN_ATTR, RUN_ID_ATTR
    from studies.queries import open_study

    study, spec = open_study(name, settings)
    attrs = study.user_attrs
    done = [t for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
            if t.value is not None and math.isfinite(t.value)]
    if not done:
        raise PromotionError(f"study {name!r} has no completed trial to promote")
    done.sort(key=lambda t: t.value if spec.direction == "minimize" else -t.value)
    candidates = [Candidate(number=t.number, params=dict(t.params), value=float(t.value),
                            run_id=t.user_attrs.get(RUN_ID_ATTR)) for t in done[:top_k]]
    return StudyFacts(name=name, spec=spec, candidates=candidates, experiment_id=attrs.get(EXPERIMENT_ATTR),
                      parent_run_id=attrs.get(PARENT_RUN_ATTR))
