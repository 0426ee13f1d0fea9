"""Errors promotion raises on purpose; each message says what was wrong and what to do."""

from __future__ import annotations

from tracker import TunetrackError


class PromotionError(TunetrackError, ValueError):
    """A promotion that cannot go ahead (no such study, nothing tuned, no held-out instances...)."""


class TargetError(PromotionError):
    """A target file or symbol that promotion refuses to rewrite (outside the project, unknown, not a literal)."""


class UnknownSymbolError(TargetError, LookupError):
    """The target defines no constant (or key path) of that name."""


class NothingToPromote(PromotionError):
    """The study has no completed trial: nothing to re-evaluate, a refusal rather than bad input."""
