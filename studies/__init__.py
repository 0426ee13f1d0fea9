"""The Optuna layer: study specs, samplers, pruners, the runner, agent tools, promotion, the CLI."""
