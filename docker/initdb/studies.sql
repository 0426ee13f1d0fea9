-- The Optuna study storage lives beside the MLflow backend store.
CREATE DATABASE studies OWNER tunetrack;
