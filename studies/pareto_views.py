"""What status, best, compare and promote show of a multi-objective study: its front and a picked point.

Read from the Optuna storage's trials; the arithmetic is `studies.pareto`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optuna.trial import FrozenTrial
from pydantic import BaseModel, Field

from studies.pareto import hypervolume, parse_pick, pick, reference_point
from studies.spec import StudySpec
from studies.vocabulary import Attr, completed, pareto_trials


class FrontPoint(BaseModel):
    """One trial on the Pareto front."""

    trial: int
    values: dict[str, float] = Field(description="Metric -> the trial's value.")
    params: dict[str, Any]
    run_id: str | None


class ParetoSummary(BaseModel):
    """The front of a multi-objective study: size, the best point on each objective, hypervolume."""

    metrics: list[str]
    directions: list[str]
    size: int
    extremes: dict[str, FrontPoint] = Field(description="Metric -> the front point best on that metric.")
    hypervolume: float
    reference_point: list[float] = Field(description="From the spec, else the worst observed values plus a margin.")


def front_point(trial: FrozenTrial, spec: StudySpec) -> FrontPoint:
    return FrontPoint(trial=trial.number, values=dict(zip(spec.objective_names, trial.values)),
                      params=dict(trial.params), run_id=trial.user_attrs.get(Attr.RUN_ID))


def front_of(trials: Sequence[FrozenTrial], spec: StudySpec) -> list[FrozenTrial]:
    """The front, best on the first objective first (then the other objectives, then trial number)."""
    front = pareto_trials(trials, spec.objective_directions)
    signs = [1.0 if d == "minimize" else -1.0 for d in spec.objective_directions]
    return sorted(front, key=lambda t: (*(s * v for s, v in zip(signs, t.values)), t.number))


def summarise(trials: Sequence[FrozenTrial], spec: StudySpec) -> ParetoSummary | None:
    """The front's summary, or None before any trial completed."""
    done = completed(trials)
    if not done:
        return None
    names, directions = spec.objective_names, spec.objective_directions
    front = front_of(done, spec)
    reference = list(spec.reference_point or reference_point([t.values for t in done], directions))
    extremes = {}
    for i, name in enumerate(names):
        sign = 1.0 if directions[i] == "minimize" else -1.0
        extremes[name] = front_point(min(front, key=lambda t: (sign * t.values[i], t.number)), spec)
    return ParetoSummary(
        metrics=names, directions=directions, size=len(front), extremes=extremes,
        hypervolume=hypervolume([t.values for t in front], directions, reference), reference_point=reference)


def picked_trial(trials: Sequence[FrozenTrial], spec: StudySpec, rule: str | None) -> FrozenTrial:
    """The front point a pick rule selects (no rule: the best on the first objective).

    Raises `studies.pareto.PickError` for a bad rule (naming the metrics allowed) or when no
    point of the front meets it.
    """
    constraints = parse_pick(rule, spec.objective_names)
    front = front_of(trials, spec)
    index = pick([t.values for t in front], spec.objective_names, spec.objective_directions, constraints)
    return front[index]
