"""Durations as people write them on the command line and in settings: `0s`, `90s`, `10m`, `2h`, `14d`."""

from __future__ import annotations

import re

UNITS_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*")


def parse_duration(text: str) -> float:
    """`0s`, `90s`, `10m`, `14d`, `1.5h` in seconds (a bare number is seconds).

    >>> parse_duration("10m"), parse_duration("90")
    (600.0, 90.0)
    """
    match = _DURATION.fullmatch(text)
    if not match:
        raise ValueError(f"duration must look like 0s, 90s, 10m, 2h or 14d but got {text!r}")
    return float(match.group(1)) * UNITS_S[match.group(2) or "s"]
