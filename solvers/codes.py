"""Integer codes of the categorical parameters, shared by every family's kernels.

A kernel reads a categorical knob from its float64 params array as an integer; the same value
has the same code in every family (`codes.LOCAL_SEARCH.index("full")` is `LS_FULL` everywhere),
and the config models take their allowed values from these tuples.

>>> code(COOLING, "adaptive") == ADAPTIVE
True
"""

from __future__ import annotations

INITIAL: tuple[str, ...] = ("random", "constructive", "multistart")
RANDOM, CONSTRUCTIVE, MULTISTART = 0, 1, 2

COOLING: tuple[str, ...] = ("geometric", "linear", "adaptive")
GEOMETRIC, LINEAR, ADAPTIVE = 0, 1, 2

LOCAL_SEARCH: tuple[str, ...] = ("none", "single_pass", "full")
LS_NONE, LS_SINGLE_PASS, LS_FULL = 0, 1, 2


def code(values: tuple[str, ...], value: str) -> int:
    """The integer code of `value` among `values` (the order of the tuple is the code)."""
    try:
        return values.index(value)
    except ValueError:
        raise ValueError(f"must be one of {', '.join(values)} (got {value!r})") from None
