"""MLflow's store limits, named once; chunking and truncation read them from here."""

from __future__ import annotations

from mlflow.utils import validation as _v

MAX_METRICS_PER_BATCH: int = _v.MAX_METRICS_PER_BATCH
MAX_PARAMS_TAGS_PER_BATCH: int = _v.MAX_PARAMS_TAGS_PER_BATCH
MAX_ENTITIES_PER_BATCH: int = _v.MAX_ENTITIES_PER_BATCH
MAX_PARAM_VAL_LENGTH: int = _v.MAX_PARAM_VAL_LENGTH
MAX_TAG_VAL_LENGTH: int = _v.MAX_TAG_VAL_LENGTH
MAX_ENTITY_KEY_LENGTH: int = _v.MAX_ENTITY_KEY_LENGTH
