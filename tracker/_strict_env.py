"""Unknown `TUNETRACK_*` variables fail, naming the variable, instead of being silently ignored.

pydantic-settings reads only the variables that match a field and drops the rest, so a typo
(`TUNETRACK_TRACKNG__URI`, `TUNETRACK_STEPS__POINTS`) would quietly fall back to a default.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping

from pydantic import BaseModel

PREFIX = "TUNETRACK_"
DELIMITER = "__"
# Variables with the prefix that are not settings (read by the test suite, not by tunetrack).
NOT_SETTINGS = frozenset({"TUNETRACK_TEST_POSTGRES"})


def _model_of(annotation: object) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _path_known(model: type[BaseModel], parts: list[str]) -> bool:
    fields = {name.lower(): field for name, field in model.model_fields.items()}
    field = fields.get(parts[0])
    if field is None:
        return False
    if len(parts) == 1:
        return True
    inner = _model_of(field.annotation)
    if inner is None:  # a dict- or list-valued field: anything below it is its content
        return typing.get_origin(field.annotation) is dict
    return _path_known(inner, parts[1:])


def _roots(model: type[BaseModel]) -> list[type[BaseModel]]:
    """`model` and the settings roots that extend it (studies' root extends the tracker's)."""
    found = [model]
    for sub in model.__subclasses__():
        found.extend(_roots(sub))
    return found


def unknown_variables(model: type[BaseModel], environ: Mapping[str, str] | None = None) -> list[str]:
    """The `TUNETRACK_*` names in `environ` that name no setting of `model` or of a root extending it."""
    environ = os.environ if environ is None else environ
    roots = _roots(model)
    unknown = []
    for key in environ:
        if not key.upper().startswith(PREFIX) or key.upper() in NOT_SETTINGS:
            continue
        parts = key[len(PREFIX):].lower().split(DELIMITER)
        if not all(parts) or not any(_path_known(root, parts) for root in roots):
            unknown.append(key)
    return sorted(unknown)


def _field_at(model: type[BaseModel], parts: list[str]) -> object | None:
    fields = {name.lower(): field for name, field in model.model_fields.items()}
    field = fields.get(parts[0])
    if field is None or len(parts) == 1:
        return field
    inner = _model_of(field.annotation)
    return _field_at(inner, parts[1:]) if inner else None


def not_json(model: type[BaseModel], environ: Mapping[str, str] | None = None) -> list[str]:
    """`TUNETRACK_*` variables for list or dict settings whose value is not JSON (named in the error)."""
    import json

    environ = os.environ if environ is None else environ
    bad = []
    for key, value in environ.items():
        if not key.upper().startswith(PREFIX):
            continue
        parts = key[len(PREFIX):].lower().split(DELIMITER)
        field = next((f for root in _roots(model) if (f := _field_at(root, parts)) is not None), None)
        origin = typing.get_origin(getattr(field, "annotation", None))
        if origin in (list, dict):
            try:
                json.loads(value)
            except ValueError:
                bad.append(f"{key}: must be JSON ({origin.__name__}), e.g. {key}='[\"solver:*\"]' (got {value!r})")
    return bad


def describe_unknown(model: type[BaseModel], names: list[str]) -> str:
    sections = ", ".join(f"{PREFIX}{name.upper()}{DELIMITER}..." for name in model.model_fields)
    def dotted(name: str) -> str:
        return name[len(PREFIX):].lower().replace(DELIMITER, ".")

    return ("invalid settings:\n  " + "\n  ".join(f"{dotted(name)}: unknown field ({name})" for name in names)
            + f"\n  (settings are {sections}; see the README's Settings table)")
