"""Key names of the step records and events the drivers emit, defined once.

A step record is a flat `dict[str, float]`, one per chunk of iterations; an event is a
small JSON-able dict describing one action of the adaptive controller or the driver.
"""

from __future__ import annotations

# --- step records --------------------------------------------------------------------------
ITERATION = "iteration"  # iterations done so far (end of this chunk)
CURRENT = "current"  # objective of the current solution
BEST = "best"  # best objective so far
TEMPERATURE = "temperature"  # current temperature (NaN where the algorithm has none)
ACCEPTANCE_RATE = "acceptance_rate"  # accepted / proposed moves in this chunk
BEST_DELTA = "best_delta"  # change of the best objective over this chunk (<= 0)
ELAPSED_S = "elapsed_s"  # wall-clock seconds since the solve started

STEP_KEYS: tuple[str, ...] = (ITERATION, CURRENT, BEST, TEMPERATURE, ACCEPTANCE_RATE, BEST_DELTA, ELAPSED_S)


def op_proposals(operator: str) -> str:
    """Key of an operator's proposals in this chunk: `op.<name>.proposals`."""
    return f"op.{operator}.proposals"


def op_accepts(operator: str) -> str:
    """Key of an operator's accepted moves in this chunk: `op.<name>.accepts`."""
    return f"op.{operator}.accepts"


# --- events --------------------------------------------------------------------------------
EVENT = "event"  # what happened (one of the EVENT_* values)
EVENT_ITERATION = "iteration"  # iteration at which it happened
EVENT_ELAPSED_S = "elapsed_s"  # seconds since the solve started
EVENT_DETAIL = "detail"  # dict of action-specific values (new temperature, tenure, ...)

EVENT_START = "start"  # initial solution built (detail: objective, strategy)
EVENT_REHEAT = "reheat"  # SA temperature raised after a stall
EVENT_TENURE = "tenure"  # tabu tenure changed
EVENT_RESTART = "restart"  # search restarted from the best solution so far
EVENT_STOP = "stop"  # the driver stopped (detail: reason = iterations | time_limit)
