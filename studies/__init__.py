"""The Optuna layer: study specs, samplers, pruners, the runner, agent tools, promotion, the CLI."""

import warnings

from optuna.exceptions import ExperimentalWarning

# WilcoxonPruner, heartbeats and fail_stale_trials are marked experimental by Optuna; they are
# the documented way to race instances and recover from dead workers, so do not warn each trial.
warnings.filterwarnings("ignore", category=ExperimentalWarning)
