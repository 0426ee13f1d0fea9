"""The Optuna layer: study specs, samplers, pruners, the runner, agent tools, promotion, the CLI."""

import warnings

# WilcoxonPruner, heartbeats and fail_stale_trials are marked experimental by Optuna; they are
# the documented way to race instances and recover from dead workers, so do not warn each trial.
# Matched by Optuna's wording rather than by `optuna.exceptions.ExperimentalWarning`, so that
# importing this package does not import Optuna (commands that never tune start faster).
warnings.filterwarnings("ignore", message=r"(?s).*(is experimental \(supported from v|is an experimental feature)")
# Workers ask for trials themselves (to keep the trial count exact) and beat the heartbeat
# themselves (studies/_trial.py), which Optuna warns about on every `ask`.
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")
