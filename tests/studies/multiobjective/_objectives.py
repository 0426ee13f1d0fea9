"""Multi-objective objectives for the tests; importable by spawned worker processes."""

from __future__ import annotations


def tradeoff(trial) -> tuple[float, float]:
    """Two conflicting objectives over x, y in [0, 1]: x + y/10 against (1 - x)^2 + y/10 (front: y = 0)."""
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    return x + y / 10, (1 - x) ** 2 + y / 10


def three_way(trial) -> dict[str, float]:
    """Three objectives by name (loss, seconds, accuracy to maximise); reports a series per 'epoch'."""
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    for epoch in range(3):
        trial.report(x * (3 - epoch), epoch)
    return {"accuracy": 1.0 - (x - y) ** 2, "loss": x * y, "seconds": 1.0 + 2 * (1 - x), "unused": 0.0}


def wrong_arity(trial) -> tuple[float, ...]:
    trial.suggest_float("x", 0.0, 1.0)
    return (1.0, 2.0, 3.0)
