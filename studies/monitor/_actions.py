"""What happens when an alert fires: it is recorded on the run, then announced, posted or handed to a command.

Recording comes first and always: a tag `tt.alert.<rule key>` (when and why) and a point of the
metric series `alert.<rule key>` (the value seen, step = the study's finished trials), so the
MLflow UI shows every alert beside the study's own curves.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from studies.monitor._evaluate import Alert
from tracker import Tag, Tracker

log = logging.getLogger(__name__)

POST_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 60.0
ALERT_METRIC_PREFIX = "alert."


def alert_tag(key: str) -> str:
    return f"{Tag.ALERT.value}.{key}"


def alert_metric(key: str) -> str:
    return f"{ALERT_METRIC_PREFIX}{key}"


def record(tracker: Tracker, run_id: str, alert: Alert) -> None:
    """The alert on its run, as a tag and a metric point, in one store call."""
    when = datetime.fromtimestamp(alert.at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    tracker.log_batch(run_id, {alert_metric(alert.key): alert.value}, {alert_tag(alert.key): f"{when}: {alert.message}"},
                      step=alert.step)


@dataclass(frozen=True)
class Actions:
    """The announcements configured on the command line, beside the bell and highlighted line."""

    post_url: str | None = None
    command: str | None = None

    def run(self, alert: Alert) -> list[str]:
        """Post and/or run the command; returns the problems met (an alert action never stops the monitor)."""
        problems: list[str] = []
        payload = json.dumps(alert.to_dict()).encode()
        if self.post_url:
            request = urllib.request.Request(self.post_url, data=payload, method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=POST_TIMEOUT_S) as reply:
                    reply.read()
            except OSError as exc:
                problems.append(f"POST to {self.post_url} failed: {exc}")
        if self.command:
            env = dict(os.environ, TT_ALERT_TARGET=alert.target, TT_ALERT_RULE=alert.rule, TT_ALERT_KEY=alert.key,
                       TT_ALERT_VALUE=repr(alert.value), TT_ALERT_MESSAGE=alert.message)
            try:
                done = subprocess.run(self.command, shell=True, input=payload, env=env, timeout=COMMAND_TIMEOUT_S,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if done.returncode != 0:
                    problems.append(f"alert command exited {done.returncode}: {done.stderr.decode(errors='replace')[-200:]}")
            except (OSError, subprocess.TimeoutExpired) as exc:
                problems.append(f"alert command failed: {exc}")
        return problems
