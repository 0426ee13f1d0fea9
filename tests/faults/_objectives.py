"""Objectives for the fault tests; importable by spawned worker processes."""

from __future__ import annotations

import os
import time


def with_secret(trial, auth: dict, fail_url: str = "") -> float:
    """Needs the secret its kwargs reference; trial 0 fails with a message holding a URL with a password."""
    assert auth["api_key"] == os.environ["TT_FAULTS_API_KEY"], "the ${ENV} reference was not expanded"
    x = trial.suggest_float("x", 0.0, 1.0)
    if trial.number == 0 and fail_url:
        raise ConnectionError(f"cannot reach {fail_url}")
    trial.report(x, 0)
    return x


def steady(trial, seconds: float = 0.5, steps: int = 2) -> float:
    """`steps` reports, `seconds` apart."""
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(steps):
        time.sleep(seconds)
        trial.report(x, step)
    return x
