"""The study vocabulary: Optuna attribute keys, study states, stop reasons, metric names, the best trial.

What `tracker/records.py` is for MLflow, this module is for Optuna: every key tunetrack writes
into a study's or a trial's user attrs, every state a study can be in and every reason a
worker stops is defined here once, so the runner, the workers, the queries, the agent tools,
reports and monitors all read the same words.

Example:
    >>> StudyState.RUNNING.is_finished()
    False
    >>> str(Attr.TARGET)
    'tt_target'
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence

from optuna.trial import FrozenTrial, TrialState


class Attr(str, enum.Enum):
    """Keys of tunetrack's Optuna user attrs (`tt_*`). Study attrs first, then trial attrs."""

    # study attrs
    SPEC = "tt_spec"
    TARGET = "tt_target"
    DEADLINE = "tt_deadline"
    STOP = "tt_stop"
    STATE = "tt_state"
    RUNNER = "tt_runner"
    STARTED_AT = "tt_started_at"
    FINISHED_AT = "tt_finished_at"
    PARENT_RUN_ID = "tt_parent_run_id"
    EXPERIMENT_ID = "tt_experiment_id"
    # trial attrs
    RUN_ID = "tt_run_id"
    COST = "tt_cost"
    WORKER = "tt_worker"
    HOST = "tt_host"
    RETRY_OF = "tt_retry_of"
    RETRIES = "tt_retries"
    ERROR = "tt_error"
    TIER = "tt_tier"
    EVALUATIONS = "tt_evaluations"  # multi-objective: each objective's value per evaluation

    def __str__(self) -> str:  # so f"{Attr.TARGET}" gives the key
        return self.value


class StudyState(str, enum.Enum):
    """Where a study stands, as recorded in `Attr.STATE` and shown by status, list and monitor."""

    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"

    def is_finished(self) -> bool:
        return self is not StudyState.RUNNING

    def __str__(self) -> str:
        return self.value


class StopReason(str, enum.Enum):
    """Why a worker starts no further trial."""

    TARGET = "target"
    BUDGET = "budget"
    TIMEOUT = "timeout"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def reached_goal(self) -> bool:
        """True when the study ended because it got what it was asked for (target, budget, deadline)."""
        return self in (StopReason.TARGET, StopReason.BUDGET, StopReason.TIMEOUT)

    def __str__(self) -> str:
        return self.value


class Metric(str, enum.Enum):
    """Metric names tunetrack logs on trial and study runs."""

    VALUE = "value"
    COST = "cost"
    SPEND = "spend"
    BEST_VALUE = "best_value"
    TRIALS_COMPLETE = "trials_complete"
    TRIALS_PRUNED = "trials_pruned"
    TRIALS_FAILED = "trials_failed"
    HYPERVOLUME = "hypervolume"
    PARETO_SIZE = "pareto_size"
    INTERMEDIATE = "intermediate"  # a multi-objective trial's reported series (Optuna keeps none)

    def __str__(self) -> str:
        return self.value


COUNTED_STATES = (TrialState.COMPLETE, TrialState.PRUNED)
"""Trial states that count towards a study's target (a failed trial is retried, not counted)."""


def completed(trials: Iterable[FrozenTrial]) -> list[FrozenTrial]:
    """Trials that completed with finite values: the only ones that can be best (or on a front)."""
    return [t for t in trials
            if t.state == TrialState.COMPLETE and t.values and all(math.isfinite(v) for v in t.values)]


def ranked_trials(trials: Iterable[FrozenTrial], direction: str) -> list[FrozenTrial]:
    """Completed single-objective trials, best first (ties by trial number, so the earliest wins).

    Multi-objective trials have no single best: see `pareto_trials`.

    Example:
        >>> from optuna.trial import create_trial
        >>> ts = [create_trial(value=v) for v in (3.0, 1.0, 2.0)]
        >>> [t.value for t in ranked_trials(ts, "minimize")]
        [1.0, 2.0, 3.0]
    """
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize' but got {direction!r}.")
    sign = 1.0 if direction == "minimize" else -1.0
    single = [t for t in completed(trials) if len(t.values) == 1]  # a multi-objective trial has no one value
    return sorted(single, key=lambda t: (sign * t.values[0], t.number))


def best_trial(trials: Iterable[FrozenTrial], direction: str) -> FrozenTrial | None:
    """The best completed trial, or None when no trial has completed with a finite value."""
    ranked = ranked_trials(trials, direction)
    return ranked[0] if ranked else None


def pareto_trials(trials: Iterable[FrozenTrial], directions: Sequence[str]) -> list[FrozenTrial]:
    """Completed trials no other completed trial dominates, in trial order (`optuna.Study.best_trials`).

    Example:
        >>> from optuna.trial import create_trial
        >>> ts = [create_trial(values=v) for v in ([1.0, 3.0], [2.0, 2.0], [2.0, 4.0])]
        >>> [t.values for t in pareto_trials(ts, ["minimize", "minimize"])]
        [[1.0, 3.0], [2.0, 2.0]]
    """
    from studies.pareto import front_mask

    done = sorted(completed(trials), key=lambda t: t.number)
    if not done:
        return []
    mask = front_mask([t.values for t in done], directions)
    return [t for t, on_front in zip(done, mask) if on_front]


def best_value(values: Sequence[float], direction: str) -> float:
    """The best of `values` in `direction`."""
    return min(values) if direction == "minimize" else max(values)
