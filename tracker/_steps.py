"""The step pipeline: the solver hands over records, a background thread does everything else.

`put` only appends to a deque, so the calling thread never waits on the store. Every
`flush_interval_s` (or sooner when the queue grows) the writer thread wakes, turns the queue
into one Arrow table (a column per key), keeps it for `steps.parquet` (spilled to a Parquet
part file every `_PART_ROWS` rows, so memory stays bounded), picks the rows that become MLflow
points (`Decimator`, on numpy arrays) and queues their points.

Sending is the writer's real cost: MLflow's store spends tens of microseconds of Python per
point (about 14 on a SQL store with `tracker._sql_writes`), and while the writer holds the GIL
a solver thread coming back from a numba kernel waits for it; with the other core busy the two
also share one core. So the writer sends under
a CPU budget, a token bucket on its own thread clock: `WRITER_CPU_SHARE` of wall time, at most
`WRITER_CPU_BURST_S` at once, newest points first. A long run's points fit and go out every
flush; a short run with a full point budget sends the rest when it closes. `close` drains what
is left, sends every queued point and the last record, writes `steps.parquet` and logs it.
"""

from __future__ import annotations

import collections
import logging
import math
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from mlflow.entities import Metric

from tracker._decimate import Decimator
from tracker._writer import BatchWriter
from tracker.errors import RecordError
from tracker.records import STEPS_ARTIFACT

log = logging.getLogger(__name__)

STEP_KEY = "iteration"
BEST_KEY = "best"
TIME_COLUMN = "_time"
WRITER_CPU_SHARE = 0.01  # of wall time the writer may spend while the run is open
WRITER_CPU_BURST_S = 0.01  # CPU seconds the writer may spend at once (the bucket's size)
_SEND_CHUNK = 100  # points per store call while the run is open (1-2 ms of CPU on SQLite, 10-20 via MLflow's client)
_DRAIN_AT_ROWS = 50_000
_PART_ROWS = 200_000


@dataclass(frozen=True)
class StepOptions:
    """How a run's step records become metric points."""

    points_per_metric: int
    flush_interval_s: float
    best_key: str = BEST_KEY
    step_key: str = STEP_KEY
    minimize: bool = True
    expected_steps: int | None = None


class StepPipeline:
    """Accepts step records at any rate; writes Parquet in full and MLflow decimated."""

    def __init__(self, writer: BatchWriter, log_artifact: Any, options: StepOptions) -> None:
        self._writer = writer
        self._log_artifact = log_artifact
        self._flush_interval_s = options.flush_interval_s
        self._best_key = options.best_key
        self._step_key = options.step_key
        self.decimator = Decimator(
            options.points_per_metric, minimize=options.minimize, expected_records=options.expected_steps)
        self._queue: collections.deque[Any] = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dir = Path(tempfile.mkdtemp(prefix="tunetrack-steps-"))
        self._tables: list[pa.Table] = []  # rows not yet in a part file
        self._table_rows = 0
        self._parts: list[Path] = []
        self._pending: collections.deque[Metric] = collections.deque()  # picked, not yet sent
        self._tokens = WRITER_CPU_BURST_S
        self._refilled_at = time.monotonic()
        self._last_row: dict[str, Any] | None = None
        self._last_row_index = -1
        self.records = 0
        self.points_written = 0
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._loop, name="tunetrack-steps", daemon=True)
        self._thread.start()

    # ---- caller side (hot path) -------------------------------------------------------
    def put(self, record: Mapping[str, Any]) -> None:
        """Queue one record; O(1), never touches the store."""
        queue = self._queue
        queue.append((record, time.time()))
        if len(queue) >= _DRAIN_AT_ROWS:
            self._wake.set()

    def put_columns(self, columns: Mapping[str, Any]) -> None:
        """Queue many records at once as equal-length columns (numpy arrays or sequences); O(1)."""
        self._queue.append((columns, None))
        if len(self._queue) >= _DRAIN_AT_ROWS:
            self._wake.set()

    def set_expected_steps(self, expected: int | None) -> None:
        self.decimator.set_expected_records(expected)

    # ---- writer thread ----------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            self._wake.wait(self._flush_interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return  # `close` drains the rest, knowing it is the last batch
            started = time.thread_time()
            self._refill()
            self._drain()
            self._tokens -= time.thread_time() - started
            self._send_pending(everything=False)

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(WRITER_CPU_BURST_S, self._tokens + WRITER_CPU_SHARE * (now - self._refilled_at))
        self._refilled_at = now

    def _drain(self, last: bool = False) -> None:
        try:
            table = self._take_table()
            if table is not None:
                self._process(table, last)
        except Exception as exc:  # keep the solver running; report at close
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        log.warning("step pipeline: %s", exc)
        self.errors.append(f"{type(exc).__name__}: {exc}")

    def _take_table(self) -> pa.Table | None:
        """Everything queued as one table; consecutive single records become one set of columns."""
        queue = self._queue
        n = len(queue)
        if n == 0:
            return None
        tables: list[pa.Table] = []
        rows: list[Mapping[str, Any]] = []
        times: list[float] = []
        for _ in range(n):
            item, stamp = queue.popleft()
            if stamp is None:
                if rows:
                    tables.append(_rows_table(rows, times))
                    rows, times = [], []
                tables.append(_columns_table(item))
            else:
                rows.append(item)
                times.append(stamp)
        if rows:
            tables.append(_rows_table(rows, times))
        return _concat([t for t in tables if t.num_rows])

    def _process(self, table: pa.Table, last: bool) -> None:
        self._keep(table)
        n = table.num_rows
        first_index = self.records
        self.records += n
        rows = self.decimator.select(_numeric_column(table, self._best_key), n, last=last)
        self._pick(table, rows, first_index)
        self._last_row = _row(table, n - 1)
        self._last_row_index = first_index + n - 1

    def _keep(self, table: pa.Table) -> None:
        """Hold rows for `steps.parquet`; past `_PART_ROWS` they go to a part file."""
        self._tables.append(table)
        self._table_rows += table.num_rows
        if self._table_rows >= _PART_ROWS:
            self._write_part()

    def _write_part(self) -> None:
        table = _concat(self._tables)
        self._tables, self._table_rows = [], 0
        if table is not None:
            part = self._dir / f"part-{len(self._parts):06d}.parquet"
            pq.write_table(table, part)
            self._parts.append(part)

    def _pick(self, table: pa.Table, rows: np.ndarray, first_index: int) -> None:
        """Queue the points of the picked rows, row by row (so every metric advances together)."""
        if rows.size == 0:
            return
        picked = table.take(pa.array(rows))
        steps = _numeric_column(picked, self._step_key)
        step_values = steps.astype(np.int64) if steps is not None else rows + first_index
        stamps = _numeric_column(picked, TIME_COLUMN)
        stamp_ms = (stamps * 1000).astype(np.int64) if stamps is not None else np.full(rows.size, int(time.time() * 1000))
        names, columns = [], []
        for name in picked.column_names:
            if name in (TIME_COLUMN, self._step_key):
                continue
            values = _numeric_column(picked, name)
            if values is not None:
                names.append(name)
                columns.append(values)
        if not names:
            return
        values = np.column_stack(columns)
        present = ~np.isnan(values)
        row_index, column_index = np.nonzero(present)
        self._pending.extend(map(
            Metric, [names[c] for c in column_index.tolist()], values[present].tolist(),
            stamp_ms[row_index].tolist(), step_values[row_index].tolist()))

    def _send_pending(self, everything: bool) -> None:
        """Send queued points in store-sized calls; while the run is open, only as the budget allows.

        Newest first: when the budget leaves a backlog, live readers (the monitor, the UI) still
        see the latest values, and the older points fill in behind them.
        """
        pending = self._pending
        size = len(pending) if everything else _SEND_CHUNK
        while pending and (everything or self._tokens > 0):
            chunk = [pending.pop() for _ in range(min(size, len(pending)))]
            started = time.thread_time()
            try:
                self._writer.log_metric_points(chunk)
                self.points_written += len(chunk)
            except Exception as exc:  # these points are lost; the run says so at close
                self._failed(exc)
            self._tokens -= time.thread_time() - started

    # ---- end of run -------------------------------------------------------------------
    def close(self, log_trace: bool = True) -> None:
        """Stop the thread, write what is left and the last record, log `steps.parquet`."""
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self._drain(last=True)
        self._send_pending(everything=True)
        try:
            if self.decimator.needs_final() and self._last_row is not None:
                self._send_final()
            if log_trace and (self._parts or self._tables):
                self._log_artifact(str(self._write_steps()))
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _send_final(self) -> None:
        row = self._last_row or {}
        step = row.get(self._step_key)
        step = int(step) if isinstance(step, int | float) and math.isfinite(step) else self._last_row_index
        stamp = int(float(row.get(TIME_COLUMN, time.time())) * 1000)
        points = [
            Metric(k, float(v), stamp, step)
            for k, v in row.items()
            if k not in (TIME_COLUMN, self._step_key) and _is_number(v) and not math.isnan(v)
        ]
        self._writer.log_metric_points(points)
        self.points_written += len(points)
        self.decimator.kept += 1

    def _write_steps(self) -> Path:
        """`steps.parquet`: the rows held in memory, or every part file merged when there are some."""
        out = self._dir / STEPS_ARTIFACT
        if not self._parts:
            pq.write_table(_concat(self._tables), out)
            return out
        self._write_part()
        schemas = [pq.read_schema(p) for p in self._parts]
        schema = pa.unify_schemas(schemas, promote_options="permissive")
        with pq.ParquetWriter(out, schema) as sink:
            for part in self._parts:
                table = pq.read_table(part)
                for field in schema:
                    if field.name not in table.column_names:
                        table = table.append_column(field, pa.nulls(table.num_rows, field.type))
                sink.write_table(table.select(schema.names).cast(schema))
        return out


def _concat(tables: list[pa.Table]) -> pa.Table | None:
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _rows_table(rows: list[Mapping[str, Any]], times: list[float]) -> pa.Table:
    table = pa.Table.from_pylist(rows)
    return table.append_column(TIME_COLUMN, pa.array(times, pa.float64()))


def _columns_table(columns: Mapping[str, Any]) -> pa.Table:
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) > 1:
        raise RecordError(f"step columns must have equal lengths; got {sorted(lengths)}")
    table = pa.table(arrays)
    if TIME_COLUMN not in table.column_names:
        table = table.append_column(TIME_COLUMN, pa.array(np.full(table.num_rows, time.time())))
    return table


def _numeric_column(table: pa.Table, name: str) -> np.ndarray | None:
    if name not in table.column_names:
        return None
    column = table.column(name)
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        return None
    return column.to_numpy(zero_copy_only=False).astype(np.float64)


def _row(table: pa.Table, index: int) -> dict[str, Any]:
    return {name: table.column(name)[index].as_py() for name in table.column_names}
