"""An ML objective: a linear classifier on scikit-learn's digits, trained epoch by epoch.

Each epoch reports the validation error (step = epoch), so Median or Hyperband pruning can
stop a poor configuration early; the study records it like any solver study.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def _data(seed: int):
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.3, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_valid), y_train, y_valid


def objective(trial, epochs: int = 15, seed: int = 0) -> float:
    """Validation error after `epochs` epochs of SGD; `trial` samples alpha, eta0 and the loss."""
    alpha = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
    eta0 = trial.suggest_float("eta0", 1e-4, 1.0, log=True)
    loss = trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"])
    x_train, x_valid, y_train, y_valid = _data(seed)
    model = SGDClassifier(alpha=alpha, eta0=eta0, learning_rate="constant", loss=loss, random_state=seed)
    classes = np.unique(y_train)
    error = 1.0
    for epoch in range(epochs):
        model.partial_fit(x_train, y_train, classes=classes)
        error = 1.0 - float(model.score(x_valid, y_valid))
        trial.report(error, epoch)
        if trial.should_prune():
            import optuna

            raise optuna.TrialPruned(f"validation error {error:.4f} at epoch {epoch}")
    return error
