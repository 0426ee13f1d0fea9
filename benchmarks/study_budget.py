"""Cost budgets: spend at stop against the budget, with 2 workers on trials of known cost.

Run: python benchmarks/study_budget.py [--budgets 10 30 60] [--step-s 0.5] [--steps 4] [--workers 2]

Each budget is a fresh tunetrack study (temp SQLite stores) whose callable objective sleeps
`--step-s` seconds per step for `--steps` steps, reporting after each and honouring pruning;
cost is seconds x the cost rate (1.0), so a full trial costs about step_s x steps units. The
spec has the `cost_budget` pruner, budget.cost = the budget and far more trials than the
budget pays for, so the budget is what stops the study (and the only pruner: every PRUNED
trial was pruned by the budget). Read back: the spend at stop (the sum
of every trial's recorded cost, as the pruner and runner see it), the largest single-trial
cost, and whether spend <= budget + that cost.
Prints a table and, as its last line, one JSON object with the figures (no assertions).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _studies import callable_spec, importable_for_workers, load_study, print_json, print_table, settings_in, states


def run(tmp: Path, budget: float, step_s: float, steps: int, workers: int, n_trials: int) -> dict:
    from studies.pruners import study_spend
    from studies.vocabulary import Attr
    from studies.runner import start_study

    tag = f"budget-{budget:g}"
    settings = settings_in(tmp, tag)
    spec = callable_spec(tag, "costly", {"step_s": step_s, "steps": steps}, n_trials, workers=workers,
                         pruners=[{"type": "cost_budget"}], budget={"n_trials": n_trials, "cost": budget})
    t0 = time.perf_counter()
    handle = start_study(spec, settings, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    study = load_study(settings, tag)
    trials = study.get_trials(deepcopy=False)
    costs = [float(t.user_attrs.get(Attr.COST, 0.0)) for t in trials]
    spend = study_spend(study)
    largest = max(costs, default=0.0)
    return {
        "budget": budget, "state": handle.state, "wall_s": wall, "trials": len(trials), "states": states(trials),
        "spend": spend, "overshoot": spend - budget, "largest_trial_cost": largest,
        "within_one_trial": spend <= budget + largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[10.0, 30.0, 60.0])
    parser.add_argument("--step-s", type=float, default=0.5, help="seconds per step")
    parser.add_argument("--steps", type=int, default=4, help="steps per trial")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n-trials", type=int, default=1000, help="trial target, far above what the budget pays")
    args = parser.parse_args()
    importable_for_workers()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(Path(tmp), b, args.step_s, args.steps, args.workers, args.n_trials) for b in args.budgets]
    print(f"trial = {args.steps} steps x {args.step_s:g} s (about {args.steps * args.step_s:g} cost units), "
          f"{args.workers} workers, cost rate 1.0")
    print_table(("budget", "study state", "trials", "states", "spend at stop", "spend - budget",
                 "largest trial cost", "spend <= budget + largest", "wall s"),
                [(r["budget"], r["state"], r["trials"], r["states"], r["spend"], r["overshoot"],
                  r["largest_trial_cost"], r["within_one_trial"], r["wall_s"]) for r in results])
    print_json({"step_s": args.step_s, "steps": args.steps, "workers": args.workers, "results": results,
                "all_within_one_trial": all(r["within_one_trial"] for r in results)})


if __name__ == "__main__":
    main()
