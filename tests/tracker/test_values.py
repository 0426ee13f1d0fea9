"""Flattening configs into params, typed parsing back, key limits and secret redaction."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr

from tracker._values import REDACTED, flatten, parse_param, safe_key, to_param_value
from tracker.limits import MAX_ENTITY_KEY_LENGTH


class Inner(BaseModel):
    rate: float = 0.5
    token: SecretStr = SecretStr("s3cr3t")


class Outer(BaseModel):
    inner: Inner = Inner()
    name: str = "sa"


def test_flatten_nested_mappings_and_models() -> None:
    flat = flatten({"a": {"b": {"c": 1}}, "m": Outer(), "empty": {}})
    assert flat["a.b.c"] == 1
    assert flat["m.inner.rate"] == 0.5
    assert flat["m.name"] == "sa"
    assert flat["empty"] == "{}"


def test_secret_values_and_secret_looking_keys_are_redacted() -> None:
    flat = flatten({"m": Outer(), "db": {"password": "pw"}, "api_key": "k"})
    assert to_param_value("m.inner.token", flat["m.inner.token"]) == REDACTED
    assert to_param_value("db.password", "pw") == REDACTED
    assert to_param_value("api_key", "k") == REDACTED
    assert to_param_value("seed", 3) == "3"


def test_param_values_round_trip() -> None:
    for value in (0.1, 1e-12, 3, True, False, None, "geometric", 2.5e300):
        assert parse_param(to_param_value("k", value)) == value
    assert to_param_value("k", [1, 2]) == "[1,2]"


def test_long_keys_are_shortened_uniquely() -> None:
    a, b = "x" * 300 + "a", "x" * 300 + "b"
    assert len(safe_key(a)) <= MAX_ENTITY_KEY_LENGTH
    assert safe_key(a) != safe_key(b)
    assert safe_key("short") == "short"
