"""Errors of the monitor: a bad rule or target is the user's to fix, and says how."""

from __future__ import annotations

from tracker import TunetrackError


class RuleError(TunetrackError, ValueError):
    """An `--alert` rule (or a duration) that does not parse; the message lists the allowed forms."""
