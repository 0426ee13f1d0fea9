"""Watching studies and runs live, with alert rules recorded in MLflow.

`tunetrack monitor` reads the Optuna storage and MLflow's live series at a bounded rate
(`Monitor.refresh`), shows a Rich live view, and evaluates alert rules (`parse_rule`, `check`:
pure functions); every alert that fires is recorded on the study run (tag `tt.alert.<key>`,
metric `alert.<key>`) and can ring, exit, POST JSON or run a command. MLflow has no metric
alerts of its own (its webhooks fire on registry events only).

Layout: `_rules` (the rule language), `_evaluate` (rules on observations, the latch),
`_observe` (snapshots from the stores), `_plan` (a plan's cells joining as they start), `_actions` (record and announce), `_monitor` (one
refresh), `_view` (the Rich rendering).
"""

from studies.monitor._actions import Actions, alert_metric, alert_tag
from studies.monitor._errors import RuleError
from studies.monitor._evaluate import Alert, AlertLatch, Observation, check
from studies.monitor._monitor import MIN_INTERVAL_S, Frame, Monitor, resolve_studies
from studies.monitor._observe import RunSnapshot, StudySnapshot, summarize_study
from studies.monitor._plan import PlanProgress, PlanWatch, UnknownPlan
from studies.monitor._rules import Rule, parse_duration, parse_rule, parse_rules

__all__ = [
    "MIN_INTERVAL_S",
    "Actions",
    "Alert",
    "AlertLatch",
    "Frame",
    "Monitor",
    "Observation",
    "PlanProgress",
    "PlanWatch",
    "Rule",
    "RuleError",
    "RunSnapshot",
    "StudySnapshot",
    "UnknownPlan",
    "alert_metric",
    "alert_tag",
    "check",
    "parse_duration",
    "parse_rule",
    "parse_rules",
    "resolve_studies",
    "summarize_study",
]
