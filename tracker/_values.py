"""Turning configs into MLflow params: flatten nesting to dotted keys, stringify, redact secrets."""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr

from tracker.redaction import MASK, is_secret_key, redact_text

REDACTED = MASK


def redact_url(text: str) -> str:
    """`text` with the password of every URL in it replaced, so a connection string can be shown.

    >>> redact_url("postgresql+psycopg://tt:s3cret@db:5432/studies")
    'postgresql+psycopg://tt:**********@db:5432/studies'
    """
    return redact_text(text)  # the one redaction function (tracker/redaction.py)


def flatten(config: Mapping[str, Any] | BaseModel | None, prefix: str = "") -> dict[str, Any]:
    """Nested mappings (and pydantic models) become one level with dotted keys.

    >>> flatten({"sa": {"cooling": {"rate": 0.99}}, "seed": 1})
    {'sa.cooling.rate': 0.99, 'seed': 1}
    """
    if config is None:
        return {}
    if isinstance(config, BaseModel):
        config = {name: getattr(config, name) for name in type(config).model_fields}
    flat: dict[str, Any] = {}
    for key, value in config.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, BaseModel | Mapping) and not isinstance(value, SecretStr | SecretBytes):
            nested = flatten(value, full)
            if nested:
                flat.update(nested)
            else:
                flat[full] = "{}"
        else:
            flat[full] = value
    return flat


def to_param_value(key: str, value: Any) -> str:
    """A param's string form; secrets are replaced, floats keep full precision."""
    if isinstance(value, SecretStr | SecretBytes) or (is_secret_key(key) and value is not None):
        return REDACTED
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple | set | frozenset):
        return redact_text(json.dumps(list(value), default=str, separators=(",", ":")))
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return to_param_value(key, value.item())
    return redact_text(str(value))


def safe_key(key: str) -> str:
    """Keep keys within MLflow's key length; a long key keeps its start plus a short hash."""
    from tracker.limits import MAX_ENTITY_KEY_LENGTH  # imports MLflow: settings and errors must not

    if len(key) <= MAX_ENTITY_KEY_LENGTH:
        return key
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return f"{key[: MAX_ENTITY_KEY_LENGTH - 10]}~{digest}"


def parse_param(text: str | None) -> Any:
    """Best-effort inverse of `to_param_value`: numbers, bools and None come back typed."""
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
