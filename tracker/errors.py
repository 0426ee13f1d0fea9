"""The error types tunetrack raises, so callers can catch one base class."""

from __future__ import annotations

from pydantic import ValidationError

from tracker._values import redact_url


class TunetrackError(Exception):
    """Base class of every error tunetrack raises on purpose."""


class SettingsError(TunetrackError, ValueError):
    """Settings that cannot be used; the message names each field and what it accepts."""

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "SettingsError":
        return cls(describe_validation_error(exc, "settings"))


class RecordError(TunetrackError, ValueError):
    """A record (param, tag, metric, step) that cannot be stored as given."""


def describe_validation_error(exc: ValidationError, what: str) -> str:
    """`invalid <what>:` then one line per problem: `field.path: reason (got value)`."""
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "<root>"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {redact_url(repr(got))})"
        if err["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown field{shown}")
        else:
            lines.append(f"{path}: {err['msg']}{shown}")
    from tracker.redaction import redact_text

    return redact_text(f"invalid {what}:\n  " + "\n  ".join(lines))  # a refused URL may hold a password


class StoreUnavailable(TunetrackError, RuntimeError):
    """A store (tracking, artefacts, studies) that cannot be opened or does not answer; the message names the setting."""
