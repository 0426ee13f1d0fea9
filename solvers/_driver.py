"""The plain-Python chunk loop around a family's search: limits, step records, events."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from solvers import records
from solvers._base import ChunkStats, Instance, Search
from solvers._controller import Controller
from solvers._instances import load_instance
from solvers._result import SolveResult, relative_gap
from solvers._warmup import warm
from solvers.errors import SolverError
from solvers.registry import get_family, make_config, solver_entry

StepCallback = Callable[[dict[str, float]], None]
EventCallback = Callable[[dict[str, Any]], None]


def solve(
    instance: Instance | str,
    solver: str,
    config: Mapping[str, Any] | BaseModel | None = None,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    iterations: int | None = None,
    on_step: StepCallback | None = None,
    on_event: EventCallback | None = None,
) -> SolveResult:
    """Run `solver` on `instance` until `iterations` or `time_limit` seconds, whichever first.

    With neither limit, the solver's default iteration count from `solvers.constants` is used.
    One step record per chunk goes to `on_step`; each controller action goes to `on_event`
    and into `SolveResult.events`. Same seed and config give the same result when only an
    iteration limit applies.

    >>> r = solve("flowshop:ta001", "ils", {"chunk_size": 5}, seed=1, iterations=10)
    >>> r.feasible, r.objective >= r.reference
    (True, True)
    """
    if isinstance(instance, str):
        instance = load_instance(instance)
    cfg = make_config(solver, config)
    if iterations is None and time_limit is None:
        iterations = solver_entry(solver).iterations()
    if iterations is not None and iterations < 0:
        raise SolverError(f"iterations: must be >= 0 (got {iterations})")
    if time_limit is not None and not time_limit > 0:
        raise SolverError(f"time_limit: must be > 0 seconds (got {time_limit})")
    family = get_family(instance.family)
    warm(instance.family, solver, cfg.initial)  # compile before the clock starts
    search = family.search(instance, solver, cfg, seed)
    loop = _Loop(search, cfg, iterations, time_limit, on_step, on_event)
    loop.run()

    solution = search.best_solution()
    objective, feasible = family.evaluate(instance, solution)
    if not feasible or objective != loop.best:
        raise AssertionError(
            f"{solver} on {instance.name}: returned solution feasible={feasible}, objective {objective} "
            f"but the search reported {loop.best}")
    return SolveResult(
        instance=instance.name, family=instance.family, solver=solver, objective=objective,
        reference=instance.reference, lower_bound=instance.lower_bound,
        gap=relative_gap(objective, instance.reference), seconds=loop.elapsed(), iterations=loop.done,
        solution=tuple(int(v) for v in solution), feasible=feasible, events=tuple(loop.events),
        config=cfg.model_dump(mode="json"), seed=seed, stop_reason=loop.stop_reason)


def check(instance: Instance, solver: str, config: Mapping[str, Any] | BaseModel | None = None) -> Any:
    """Validate `config` for `solver` on `instance` without running anything; returns the model.

    Catches what only the family can judge (operator names, sizes) as well as bad ranges,
    so callers (the CLI) can refuse a run before recording it.
    """
    cfg = make_config(solver, config)
    get_family(instance.family).search(instance, solver, cfg, 0)
    return cfg


class _Loop:
    """State of one driver loop (kept out of `solve` so each step stays short)."""

    def __init__(self, search: Search, cfg: Any, iterations: int | None, time_limit: float | None,
                 on_step: StepCallback | None, on_event: EventCallback | None) -> None:
        self.search, self.cfg = search, cfg
        self.iterations, self.time_limit = iterations, time_limit
        self.on_step, self.on_event = on_step, on_event
        self.controller = Controller(cfg)
        self.events: list[dict[str, Any]] = []
        self.passes = cfg.restarts + 1
        self.done = 0
        self.best = math.inf
        self.stop_reason = "iterations"
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def emit(self, name: str, detail: Mapping[str, Any]) -> None:
        event = {records.EVENT: name, records.EVENT_ITERATION: self.done,
                 records.EVENT_ELAPSED_S: round(self.elapsed(), 6), records.EVENT_DETAIL: dict(detail)}
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def run(self) -> None:
        start = self.search.start()
        self.best = float(start["objective"])
        self.emit(records.EVENT_START, start)
        seconds_per_iteration = 0.0
        current_pass = 0
        while True:
            k = self._next_chunk(seconds_per_iteration)
            if k == 0:
                break
            t = time.perf_counter()
            stats = self.search.run(k)
            seconds_per_iteration = (time.perf_counter() - t) / max(stats.iterations, 1)
            self._after_chunk(stats)
            new_pass = self._pass_index()
            if new_pass > current_pass:
                current_pass = new_pass
                detail = self.search.restart_from_best()
                if detail is not None:
                    self.emit(records.EVENT_RESTART, {"pass": current_pass, **detail})
        self.emit(records.EVENT_STOP, {"reason": self.stop_reason, "best": self.best})

    def _next_chunk(self, seconds_per_iteration: float) -> int:
        k = self.cfg.chunk_size
        if self.search.finished():
            self.stop_reason = "optimal"
            return 0
        if self.iterations is not None:
            if self.done >= self.iterations:
                self.stop_reason = "iterations"
                return 0
            k = min(k, self.iterations - self.done)
            if self.passes > 1:  # stop at the next pass boundary
                boundary = -(-(self._pass_index() + 1) * self.iterations // self.passes)
                k = min(k, max(boundary - self.done, 1))
        if self.time_limit is not None:
            remaining = self.time_limit - self.elapsed()
            if remaining <= 0:
                self.stop_reason = "time_limit"
                return 0
            if seconds_per_iteration > 0:
                k = min(k, max(1, int(remaining / seconds_per_iteration)))
        return k

    def _pass_index(self) -> int:
        if self.iterations:
            return min(self.done * self.passes // self.iterations, self.passes - 1)
        if self.time_limit:
            return min(int(self.elapsed() / self.time_limit * self.passes), self.passes - 1)
        return 0

    def _after_chunk(self, stats: ChunkStats) -> None:
        self.done += stats.iterations
        previous, self.best = self.best, min(self.best, stats.best)
        proposed = sum(stats.proposals.values())
        record = {
            records.ITERATION: float(self.done),
            records.CURRENT: float(stats.current),
            records.BEST: float(self.best),
            records.TEMPERATURE: float(stats.temperature),
            records.ACCEPTANCE_RATE: sum(stats.accepts.values()) / proposed if proposed else math.nan,
            records.BEST_DELTA: float(self.best - previous),
            records.ELAPSED_S: self.elapsed(),
        }
        for op in self.search.operators:
            record[records.op_proposals(op)] = float(stats.proposals.get(op, 0))
            record[records.op_accepts(op)] = float(stats.accepts.get(op, 0))
        if self.on_step is not None:
            self.on_step(record)
        for name, detail in self.controller.after_chunk(self.search, self.done, self.best):
            self.emit(name, detail)
