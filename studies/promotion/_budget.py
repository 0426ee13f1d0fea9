"""Budgets and measures of a re-evaluation: where the constant acts, and what the figures are.

A constant in `solvers/constants.py` acts at the solver's default budget: what `tunetrack
solve` runs without `--iterations` or `--time-limit` (`<SOLVER>_ITERATIONS`). A study may
have tuned at another budget (its objective's `iterations` or `time_limit`); a configuration
that wins there can lose where the constant acts, so promotion evaluates at both.

The figures carry their real name: `gap` (relative gap to the best-known value) when every
held-out instance has one, else the family's objective (`makespan`, `colours`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from studies.promotion._errors import PromotionError

OBJECTIVE_NAMES = {"flowshop": "makespan", "coloring": "colours"}


class Budget(BaseModel):
    """A per-solve limit: iterations or seconds."""

    iterations: int | None = Field(None, ge=1)
    time_limit: float | None = Field(None, gt=0)
    role: str = Field(description="'default' (where the constant acts), 'study' (where it was tuned) or 'given'.")

    @property
    def label(self) -> str:
        limit = f"{self.iterations:,} iterations" if self.iterations is not None else f"{self.time_limit:g} s"
        return {"default": f"default budget ({limit}, what `tunetrack solve` runs)",
                "study": f"study budget ({limit})", "given": f"budget {limit}"}[self.role]

    def same_limit(self, other: "Budget") -> bool:
        return (self.iterations, self.time_limit) == (other.iterations, other.time_limit)


def default_budget(solver: str) -> Budget:
    """The solver's default budget: its `<SOLVER>_ITERATIONS` constant."""
    from solvers import constants

    return Budget(iterations=int(getattr(constants, f"{solver.upper()}_ITERATIONS")), role="default")


def study_budget(objective) -> Budget:
    return Budget(iterations=objective.iterations, time_limit=objective.time_limit, role="study")


def parse_budget(text: str) -> Budget:
    """`--budget`: `50000` or `50000it` (iterations), `2.5s` (seconds per solve)."""
    raw = text.strip().lower()
    try:
        if raw.endswith("s"):
            return Budget(time_limit=float(raw[:-1]), role="given")
        return Budget(iterations=int(raw.removesuffix("it").replace("_", "").replace(",", "")), role="given")
    except ValueError:
        raise PromotionError(f"--budget {text!r}: give iterations (50000) or seconds per solve (2.5s)") from None


def measure_name(instances: list[str]) -> str:
    """`gap` when every instance has a best-known value, else the family's objective name."""
    import solvers

    loaded = [solvers.load_instance(name) for name in instances]
    if all(inst.reference for inst in loaded):
        return "gap"
    families = {inst.family for inst in loaded}
    return OBJECTIVE_NAMES.get(families.pop(), "objective") if len(families) == 1 else "objective"
