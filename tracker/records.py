"""The record model: run kinds, run states, namespaced tag keys and the schema version.

Every tag key tunetrack writes is defined here and nowhere else, so user params and
attributes can never collide with them and a query can rely on them.
"""

from __future__ import annotations

import enum

SCHEMA_VERSION = "1"


class Tag(str, enum.Enum):
    """Namespaced tag keys (`tt.*`)."""

    KIND = "tt.kind"
    STUDY = "tt.study"
    TRIAL = "tt.trial"
    SOLVER = "tt.solver"
    SCENARIO = "tt.scenario"
    SEED = "tt.seed"
    TIER = "tt.tier"
    BUNDLE = "tt.bundle"
    SCHEMA = "tt.schema"
    STATE = "tt.state"
    ERROR = "tt.error"
    PROMOTED = "tt.promoted"
    OBJECTIVE = "tt.objective"
    STEPS_ERROR = "tt.steps_error"
    WORKER = "tt.worker"
    HOST = "tt.host"
    PRUNED_BY = "tt.pruned_by"
    RACE_INSTANCES_SEEN = "tt.race.instances_seen"
    RACE_P_VALUE = "tt.race.p_value"
    RACE_INCUMBENT_TRIAL = "tt.race.incumbent_trial"
    RACE_MEAN = "tt.race.mean"
    RACE_INCUMBENT_MEAN = "tt.race.incumbent_mean"
    PLAN = "tt.plan"
    TUNER = "tt.tuner"
    CELL = "tt.cell"
    AGENT_CLIENT = "tt.agent.client"
    AGENT_SESSION = "tt.agent.session"
    ALERT = "tt.alert"  # prefix: one tag per alert rule, `tt.alert.<rule key>`
    GC = "tt.gc"  # what the last `tunetrack gc` dropped from a study
    PARETO = "tt.pareto"  # "true" on a trial run on its study's Pareto front, "false" once off it
    PARETO_REFERENCE = "tt.pareto.reference"  # the study run's hypervolume reference point
    TIERS = "tt.tiers"  # coordinate descent: a summary of the tier gates; `tt.tiers.<i>` one per tier

    def __str__(self) -> str:  # so f"{Tag.KIND}" gives the key
        return self.value


class RunKind(str, enum.Enum):
    """What an MLflow run stands for in the record model."""

    STUDY = "study"
    TRIAL = "trial"
    SOLVE = "solve"
    PROMOTION = "promotion"
    PLAN = "plan"
    AGENT_SESSION = "agent_session"

    def __str__(self) -> str:
        return self.value


class RunState(str, enum.Enum):
    """How a tracked run ended; mirrors Optuna's trial states so pruned work is never a success."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAIL = "FAIL"
    INTERRUPTED = "INTERRUPTED"

    @property
    def mlflow_status(self) -> str:
        """The MLflow run status this state is shown as."""
        return _MLFLOW_STATUS[self]

    def is_finished(self) -> bool:
        return self is not RunState.RUNNING

    def __str__(self) -> str:
        return self.value


_MLFLOW_STATUS = {
    RunState.RUNNING: "RUNNING",
    RunState.COMPLETE: "FINISHED",
    RunState.PRUNED: "KILLED",
    RunState.FAIL: "FAILED",
    RunState.INTERRUPTED: "KILLED",
}

# Parameter keys whose values are too long for MLflow are stored in this artefact and the
# param holds a pointer to it.
LONG_PARAMS_ARTIFACT = "params_long.json"
LONG_PARAM_POINTER = "@artifact:" + LONG_PARAMS_ARTIFACT

# MLflow's own tag keys that tunetrack sets.
RUN_NAME_TAG = "mlflow.runName"
NOTE_TAG = "mlflow.note.content"  # a run's Markdown description in the UI
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
EXPERIMENT_KIND_RUNS = "custom_model_development"  # MLflow 3 opens such experiments on the runs table

STEPS_ARTIFACT = "steps.parquet"
EVENTS_ARTIFACT = "events.json"
TRACEBACK_ARTIFACT = "traceback.txt"

# Reports are logged under this artefact directory of the plan (or study) run.
REPORT_DIR = "report"
# The growing table of agent tool calls on an agent session run.
AUDIT_ARTIFACT = "audit/calls.csv"
AGENTS_EXPERIMENT = "agents"
GC_ARTIFACT_DIR = "gc"  # `gc/dropped-<time>.json` on a study run: the ids `tunetrack gc` deleted
PARETO_ARTIFACT = "pareto.csv"  # a multi-objective study run's front: trial, run, values, params
PARETO_PLOT_ARTIFACT = "pareto.png"
