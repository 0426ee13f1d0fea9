"""The monitor loop's one step: read every target, evaluate the rules, record and announce new alerts."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from studies.monitor._actions import Actions, record
from studies.monitor._evaluate import Alert, AlertLatch
from studies.monitor._observe import RunReader, RunSnapshot, StudyReader, StudySnapshot, study_names
from studies.monitor._plan import MLFLOW_RUNNING, PlanProgress, PlanWatch
from studies.monitor._rules import Rule
from studies.plans import PlanSpec
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
    plans: list[PlanProgress] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Nothing left running: every study finished, every run ended, every plan has no cell to come."""
        return all(s.state.is_finished() if isinstance(s, StudySnapshot) else s.status != MLFLOW_RUNNING
                   for s in self.snapshots) and all(p.finished for p in self.plans)

    def to_dict(self) -> dict:
        return {"targets": [s.model_dump(mode="json") for s in self.snapshots],
                "plans": [p.model_dump(mode="json") for p in self.plans],
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
        actions: Actions | None = None, record_alerts: bool = True, plans: list[PlanSpec] = (),
    ) -> None:
        if not studies and not run_ids and not plans:
            raise ValueError("monitor needs a study name, a --filter pattern, a --plan or a --run id")
        self.settings = settings
        self.tracker = Tracker(settings)
        self.readers: list[StudyReader | RunReader] = [StudyReader(n, settings) for n in studies]
        self.readers += [RunReader(r, self.tracker) for r in run_ids]
        known = study_names(settings) if plans else []
        self.plans = [PlanWatch(plan, settings, self.tracker, known=known) for plan in plans]
        for watch in self.plans:
            self._watch(watch.started)
        self.rules = list(rules)
        self.actions = actions or Actions()
        self.record_alerts = record_alerts
        self.latch = AlertLatch()
        self.fired: list[Alert] = []

    def _watch(self, names: list[str]) -> None:
        watched = {r.name for r in self.readers}
        self.readers += [StudyReader(n, self.settings) for n in names if n not in watched]

    def refresh(self) -> Frame:
        frame = Frame(snapshots=[])
        if self.plans:  # cells the plans started since the last refresh join the watch
            known = study_names(self.settings)
            for watch in self.plans:
                self._watch(watch.discover(known))
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
        finished = {s.name for s in frame.snapshots if isinstance(s, StudySnapshot) and s.state.is_finished()}
        frame.plans = [watch.progress(finished) for watch in self.plans]
        self.fired.extend(frame.alerts)
        return frame
