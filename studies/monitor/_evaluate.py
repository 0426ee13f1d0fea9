"""Evaluating alert rules on a history of observations: pure functions and one small latch.

An observation is what a target (a study, a solve run) looked like at one step: for a study,
one per finished trial (step = trials finished) plus the current snapshot; for a solve run,
one per point of its live series. `check` answers "does the rule hold now, and with what
value"; `AlertLatch` turns that into alerts that fire once when a rule starts to hold.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from studies.monitor._rules import Rule, Window


@dataclass(frozen=True)
class Observation:
    """Values of a target at one step (`at` in epoch seconds)."""

    step: int
    at: float
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A rule that holds: the value it saw and a sentence saying so."""

    value: float
    message: str


@dataclass(frozen=True)
class Alert:
    """A rule that started to hold on a target."""

    target: str
    rule: str
    key: str
    value: float
    message: str
    step: int
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict:
        return {"target": self.target, "rule": self.rule, "key": self.key, "value": self.value,
                "message": self.message, "step": self.step, "at": self.at}


def _then(history: Sequence[Observation], window: Window, metric: str) -> Observation | None:
    """The latest observation carrying `metric` that is at least `window` before the last one."""
    last = history[-1]
    for obs in reversed(history[:-1]):
        if metric not in obs.values:
            continue
        if window.count is not None and last.step - obs.step >= window.count:
            return obs
        if window.seconds is not None and last.at - obs.at >= window.seconds:
            return obs
    return None


def _last_change(history: Sequence[Observation], metric: str) -> Observation | None:
    """The observation where `metric` last took a new value (the first one that has it, if none changed)."""
    found: Observation | None = None
    previous: float | None = None
    for obs in history:
        if metric not in obs.values:
            continue
        value = obs.values[metric]
        if previous is None or value != previous:
            found = obs
        previous = value
    return found


def check(rule: Rule, history: Sequence[Observation], *, since_previous: Observation | None = None) -> Finding | None:
    """The finding if `rule` holds on `history` (oldest first, the last one is now), else None.

    `since_previous` is the last observation of the previous evaluation; event rules
    (worker_death) hold only when their count grew since then.
    """
    if not history:
        return None
    now = history[-1]
    if rule.kind == "threshold":
        value = now.values.get(rule.metric)
        if value is None or not rule.holds(value):
            return None
        return Finding(value, f"{rule.metric} = {value:.6g} ({rule.text})")
    if rule.kind == "change":
        assert rule.window is not None
        value = now.values.get(rule.metric)
        then = _then(history, rule.window, rule.metric)
        if value is None or then is None:
            return None
        change = abs(value - then.values[rule.metric])
        if not rule.holds(change):
            return None
        return Finding(change, f"{rule.metric} changed by {change:.6g} over {rule.window} ({rule.text})")
    if rule.kind == "stall":
        assert rule.window is not None
        improved = _last_change(history, "best")
        if improved is None:
            return None
        if rule.window.count is not None:
            gap = now.step - improved.step
            if gap < rule.window.count:
                return None
            return Finding(float(gap), f"no new best for {gap} trials (best {improved.values['best']:.6g}; {rule.text})")
        assert rule.window.seconds is not None
        gap_s = now.at - improved.at
        if gap_s < rule.window.seconds:
            return None
        return Finding(gap_s, f"no new best for {gap_s:.0f} s (best {improved.values['best']:.6g}; {rule.text})")
    lost = now.values.get(rule.metric, 0.0)
    before = since_previous.values.get(rule.metric, 0.0) if since_previous is not None else 0.0
    if lost <= before:
        return None
    return Finding(lost, f"{int(lost - before)} worker(s) died ({int(lost)} so far)")


class AlertLatch:
    """Fires an alert when a rule starts to hold on a target; not again until it has stopped holding.

    Example:
        >>> from studies.monitor._rules import parse_rule
        >>> latch, rule = AlertLatch(), parse_rule("best<1")
        >>> history = [Observation(1, 0.0, {"best": 0.5})]
        >>> len(latch.update("s", [rule], history)), len(latch.update("s", [rule], history))
        (1, 0)
    """

    def __init__(self) -> None:
        self._holding: set[tuple[str, str]] = set()
        self._previous: dict[str, Observation] = {}

    def update(self, target: str, rules: Sequence[Rule], history: Sequence[Observation]) -> list[Alert]:
        fired: list[Alert] = []
        previous = self._previous.get(target)
        for rule in rules:
            finding = check(rule, history, since_previous=previous)
            slot = (target, rule.key)
            if finding is None:
                self._holding.discard(slot)
                continue
            if slot in self._holding and rule.kind != "worker_death":
                continue
            self._holding.add(slot)
            fired.append(Alert(target, rule.text, rule.key, finding.value, finding.message, history[-1].step))
        if history:
            self._previous[target] = history[-1]
        return fired
