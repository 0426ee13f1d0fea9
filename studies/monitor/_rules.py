"""Alert rules: the small language `--alert` takes, parsed into frozen values.

    best<0.01                threshold on a metric (any name the snapshot carries; see METRICS)
    failure_rate>0.2         the same form covers failure rate, budget fraction, spend, counts...
    budget>=0.8              fraction of the cost budget spent
    change(best,20)<1e-4     change of a metric over the last 20 observations (trials) or `10m`
    stall(15)                no new best for 15 trials; `stall(10m)` / `stall(90s)`: for that long
    worker_death             a worker died (its trial was failed for it); fires on every new death

Parsing is pure and names the bad part and the allowed forms.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from studies.durations import UNITS_S
from studies.durations import parse_duration as _seconds
from studies.monitor._errors import RuleError

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq, "!=": operator.ne,
}
_OP_WORDS = {"<=": "le", ">=": "ge", "<": "lt", ">": "gt", "==": "eq", "!=": "ne"}

METRICS = (
    "best", "value", "complete", "pruned", "failed", "running", "finished", "failure_rate", "spend", "budget",
    "rate", "workers", "workers_lost", "elapsed",
)
"""Names a study snapshot carries; a solve run carries its own metric names (best, current, temperature...)."""

FORMS = "METRIC<op>NUMBER, change(METRIC,WINDOW)<op>NUMBER, stall(WINDOW), worker_death (op: < <= > >= == !=; WINDOW: N trials or Ns/Nm/Nh)"

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_OP = r"<=|>=|==|!=|<|>"
_WINDOW = r"\d+(?:\.\d+)?[smhd]?"
_THRESHOLD = re.compile(rf"^({_NAME})\s*({_OP})\s*({_NUMBER})$")
_CHANGE = re.compile(rf"^change\(\s*({_NAME})\s*,\s*({_WINDOW})\s*\)\s*({_OP})\s*({_NUMBER})$")
_STALL = re.compile(rf"^stall\(\s*({_WINDOW})\s*\)$")


@dataclass(frozen=True)
class Window:
    """A number of observations (trials) or a span of seconds."""

    count: int | None = None
    seconds: float | None = None

    def __str__(self) -> str:
        return str(self.count) if self.count is not None else f"{self.seconds:g}s"


@dataclass(frozen=True)
class Rule:
    """One parsed alert rule; `text` is what the user wrote, `key` a store-safe name for it."""

    kind: Literal["threshold", "change", "stall", "worker_death"]
    text: str
    metric: str = "best"
    op: str | None = None
    bound: float | None = None
    window: Window | None = None

    @property
    def key(self) -> str:
        """`best_lt_0.01`, `change_best_20_lt_0.0001`, `stall_15`, `worker_death`: tag and metric suffix."""
        if self.kind == "threshold":
            return f"{self.metric}_{_OP_WORDS[self.op]}_{_key_number(self.bound)}"
        if self.kind == "change":
            return f"change_{self.metric}_{self.window}_{_OP_WORDS[self.op]}_{_key_number(self.bound)}"
        if self.kind == "stall":
            return f"stall_{self.window}"
        return "worker_death"

    def holds(self, observed: float) -> bool:
        """Whether `observed` meets the rule's comparison (threshold and change rules)."""
        assert self.op is not None and self.bound is not None
        return OPS[self.op](observed, self.bound)


def _key_number(value: float) -> str:
    """`1e9` -> `1e09`, `-0.5` -> `-0.5`: characters MLflow accepts in metric and tag keys."""
    return f"{value:g}".replace("+", "")


def parse_window(text: str) -> Window:
    """`20` (observations) or `90s`, `10m`, `2h`, `1d`."""
    text = text.strip()
    if text and text[-1] in UNITS_S:
        seconds = float(text[:-1]) * UNITS_S[text[-1]]
        if seconds <= 0:
            raise RuleError(f"window must be positive but got {text!r}")
        return Window(seconds=seconds)
    try:
        count = int(text)
    except ValueError:
        raise RuleError(f"window must be a whole number of trials or a duration like 90s/10m/2h but got {text!r}") from None
    if count < 1:
        raise RuleError(f"window must be at least 1 trial but got {count}")
    return Window(count=count)


def parse_duration(text: str) -> float:
    """`0s`, `90s`, `10m`, `14d`, `1.5h` in seconds (a bare number is seconds); a `RuleError` otherwise."""
    try:
        return _seconds(text)
    except ValueError as exc:
        raise RuleError(str(exc)) from None


def _number(text: str, rule: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RuleError(f"alert {rule!r}: the bound must be a finite number")
    return value


def parse_rule(text: str) -> Rule:
    """Parse one `--alert` rule.

    Example:
        >>> parse_rule("best<0.01").key
        'best_lt_0.01'
        >>> parse_rule("stall(10m)").window.seconds
        600.0
    """
    raw = text.strip()
    compact = re.sub(r"\s+", "", raw)
    if compact in ("worker_death", "worker_death()"):
        return Rule("worker_death", raw, metric="workers_lost")
    if match := _STALL.match(compact):
        return Rule("stall", raw, window=parse_window(match.group(1)))
    if match := _CHANGE.match(compact):
        name, window, op, bound = match.groups()
        return Rule("change", raw, metric=name, op=op, bound=_number(bound, raw), window=parse_window(window))
    if match := _THRESHOLD.match(compact):
        name, op, bound = match.groups()
        if name in ("stall", "change", "worker_death"):
            raise RuleError(f"alert {raw!r}: {name} takes arguments; allowed forms: {FORMS}")
        return Rule("threshold", raw, metric=name, op=op, bound=_number(bound, raw))
    raise RuleError(f"alert {raw!r} is not a rule; allowed forms: {FORMS}")


def parse_rules(texts: list[str] | None) -> list[Rule]:
    """Parse every rule; two rules with the same key are one rule."""
    rules: dict[str, Rule] = {}
    for text in texts or []:
        rule = parse_rule(text)
        rules.setdefault(rule.key, rule)
    return list(rules.values())
