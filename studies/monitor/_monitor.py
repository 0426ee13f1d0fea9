"""The monitor loop's one step: read every target, evaluate the rules, record and announce new alerts."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from studies.monitor._actions import Actions, record
from studies.monitor._evaluate import Alert, AlertLatch
from studies.monitor._observe import RunReader, RunSnapshot, StudyReader, StudySnapshot, study_names
from studies.monitor._rules import Rule
from studies.queries import UnknownStudy
from studies.settings import Settings
from tracker import Tracker

MIN_INTERVAL_S = 0.5
"""The fastest refresh allowed: the monitor reads the stores, it must never load them."""


@dataclass
class Frame:
    """One refresh: every target's snapshot, the alerts that fired now, and action problems."""

    snapshots: list[StudySnapshot | RunSnapshot]
    alerts: list[Alert] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Nothing left running: every study finished and every run ended."""
        return all(s.state.is_finished() if isinstance(s, StudySnapshot) else s.status != "RUNNING"
                   for s in self.snapshots)

    def to_dict(self) -> dict:
        return {"targets": [s.model_dump(mode="json") for s in self.snapshots],
                "alerts": [a.to_dict() for a in self.alerts], "problems": self.problems}


def resolve_studies(settings: Settings, names: list[str], patterns: list[str]) -> list[str]:
    """Named studies plus every study matching a `--filter` pattern (fnmatch), in order, once each."""
    found = list(names)
    if patterns:
        known = study_names(settings)
        for pattern in patterns:
            matches = [n for n in known if fnmatch.fnmatch(n, pattern)]
            if not matches:
                raise UnknownStudy(f"no study matches {pattern!r}; known studies: {', '.join(sorted(known)) or 'none'}")
            found.extend(matches)
    return list(dict.fromkeys(found))


class Monitor:
    """Watches studies and runs; `refresh()` is one read of every store, at whatever rate the caller sets."""

    def __init__(
        self, settings: Settings, *, studies: list[str] = (), run_ids: list[str] = (), rules: list[Rule] = (),
        actions: Actions | None = None, record_alerts: bool = True,
    ) -> None:
        if not studies and not run_ids:
            raise ValueError("monitor needs a study name, a --filter pattern or a --run id")
        self.tracker = Tracker(settings)
        self.readers: list[StudyReader | RunReader] = [StudyReader(n, settings) for n in studies]
        self.readers += [RunReader(r, self.tracker) for r in run_ids]
        self.rules = list(rules)
        self.actions = actions or Actions()
        self.record_alerts = record_alerts
        self.latch = AlertLatch()
        self.fired: list[Alert] = []

    def refresh(self) -> Frame:
        frame = Frame(snapshots=[])
        for reader in self.readers:
            snapshot, history = reader.read()
            frame.snapshots.append(snapshot)
            for alert in self.latch.update(reader.name, self.rules, history):
                frame.alerts.append(alert)
                run_id = reader.record_run_id
                if self.record_alerts and run_id:
                    try:
                        record(self.tracker, run_id, alert)
                    except Exception as exc:  # an alert must still be announced if the store refuses it
                        frame.problems.append(f"could not record alert {alert.key} on run {run_id}: {exc}")
                frame.problems.extend(self.actions.run(alert))
        self.fired.extend(frame.alerts)
        return frame
