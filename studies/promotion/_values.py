"""Coercing a tuned value to the type of the constant it replaces, shared by every file format."""

from __future__ import annotations

import math
from typing import Any

from studies.promotion._errors import TargetError

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}

KEEP: Any = object()
"""Pass as the new value to look a constant up without changing it."""


def coerce_like(symbol: str, old: Any, new: Any, annotation: str | None = None) -> Any:
    """`new` as the type of `old` (or of the annotation, when given), refusing what does not fit.

    An int constant takes an integral float (Optuna reports 7.0 for some int spaces), a float
    constant takes an int; a bool takes only a bool; a str takes only a str.

    >>> coerce_like("SA_COOLING_RATE", 0.9995, 1)
    1.0
    """
    kind = _kind(old, annotation)
    if kind is None:
        raise TargetError(f"{symbol}: only bool, int, float and str constants can be promoted "
                          f"(current value {old!r} is {type(old).__name__})")
    if new is KEEP:
        return old
    if kind is bool:
        if isinstance(new, bool):
            return new
    elif kind is int:
        if isinstance(new, int) and not isinstance(new, bool):
            return new
        if isinstance(new, float) and new.is_integer():
            return int(new)
    elif kind is float:
        if isinstance(new, int | float) and not isinstance(new, bool) and math.isfinite(new):
            return float(new)
    elif isinstance(new, str):
        return new
    raise TargetError(f"{symbol}: the constant is {_TYPE_NAMES[kind]} but the tuned value is {new!r} "
                      f"({type(new).__name__}); pass --symbol to pick another constant")


def _kind(old: Any, annotation: str | None) -> type | None:
    by_annotation = {"bool": bool, "int": int, "float": float, "str": str}.get((annotation or "").strip())
    if by_annotation is not None:
        return by_annotation
    for kind in (bool, int, float, str):  # bool before int: True is an int
        if isinstance(old, kind):
            return kind
    return None
