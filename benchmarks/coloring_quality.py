"""Graph colouring: colours reached vs the chromatic number, per graph and algorithm.

Each solve gets a time limit (10 s by default) and stops early once its best colouring uses
the proven chromatic number (the instance's lower bound). `seconds` is the wall time of the
solve including the initial construction, `to best` the elapsed time of the first step record
showing the final best. The default start is DSatur; `random` starts from a greedy colouring
in a random vertex order, which leaves the search more to do. Kernels are compiled (or
loaded from numba's cache) in a warm-up before timing. One process, NUMBA_NUM_THREADS=1.
Prints a table, then one JSON line.

    python benchmarks/coloring_quality.py --algorithms tabu,sa,ils --initial constructive,random --seeds 1
    python benchmarks/coloring_quality.py --graphs queen11_11,queen12_12 --algorithms tabu --set candidates=10000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import solvers  # noqa: E402
from studies.cli._solve import parse_sets  # noqa: E402

GRAPHS = "queen5_5,queen6_6,queen7_7,queen8_8,myciel3,myciel4,myciel5,myciel6,myciel7"


def solve_one(name: str, algorithm: str, initial: str, seed: int, limit: float, overrides: dict) -> dict:
    inst = solvers.load_instance(f"coloring:{name}")
    steps: list[dict] = []
    res = solvers.solve(inst, algorithm, {**overrides, "initial": initial}, seed=seed, time_limit=limit,
                        on_step=steps.append)
    start = res.events[0]["detail"]["objective"]
    to_best = next((s["elapsed_s"] for s in steps if s["best"] == res.objective), 0.0)
    return {"graph": name, "algorithm": algorithm, "initial": initial, "seed": seed, "start_colours": start,
            "colours": int(res.objective), "chromatic": inst.reference, "reached": res.objective == inst.reference,
            "seconds": round(res.seconds, 4), "to_best_s": round(to_best, 4), "iterations": res.iterations,
            "stop": res.stop_reason}


def warm_up(algorithms: list[str]) -> float:
    t = time.perf_counter()
    for algorithm in algorithms:
        solvers.solve("coloring:queen6_6", algorithm, {"initial": "random"}, seed=0, iterations=2000)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graphs", default=GRAPHS, help="comma-separated coloring specs (queen8_8, myciel5, ...)")
    ap.add_argument("--algorithms", default="tabu,sa,ils")
    ap.add_argument("--initial", default="constructive,random", help="initial strategies to run")
    ap.add_argument("--seeds", default="1", help="comma-separated seeds")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config override for every algorithm that has the parameter (repeatable)")
    args = ap.parse_args()
    algorithms = args.algorithms.split(",")
    overrides = parse_sets(args.set)
    warm = warm_up(algorithms)
    rows = []
    print(f"graph colouring, {args.time_limit:g} s per solve; warm-up (compile / cache load) {warm:.2f} s")
    print(f"{'graph':>10} {'alg':>5} {'initial':>12} {'seed':>4} {'start':>5} {'colours':>7} {'chi':>4} "
          f"{'seconds':>8} {'to best':>8} {'iterations':>11} stop")
    for name in args.graphs.split(","):
        for algorithm in algorithms:
            for initial in args.initial.split(","):
                for seed in (int(s) for s in args.seeds.split(",")):
                    fields = solvers.config_class(algorithm).model_fields
                    mine = {k: v for k, v in overrides.items() if k in fields}
                    r = solve_one(name, algorithm, initial, seed, args.time_limit, mine)
                    rows.append(r)
                    print(f"{r['graph']:>10} {algorithm:>5} {initial:>12} {seed:>4} {r['start_colours']:>5} "
                          f"{r['colours']:>7} {r['chromatic']!s:>4} {r['seconds']:8.3f} {r['to_best_s']:8.3f} "
                          f"{r['iterations']:>11} {r['stop']}", flush=True)
    summary = {}
    for algorithm in algorithms:
        mine = [r for r in rows if r["algorithm"] == algorithm]
        summary[algorithm] = {"reached": sum(r["reached"] for r in mine), "solves": len(mine),
                              "max_seconds_when_reached": max((r["seconds"] for r in mine if r["reached"]), default=None)}
        print(f"{algorithm}: chromatic number reached in {summary[algorithm]['reached']}/{len(mine)} solves, "
              f"slowest {summary[algorithm]['max_seconds_when_reached']} s")
    print(json.dumps({"benchmark": "coloring_quality", "time_limit_s": args.time_limit, "warm_up_s": round(warm, 3),
                      "overrides": overrides,
                      "summary": summary, "all_reached": all(r["reached"] for r in rows), "rows": rows}))


if __name__ == "__main__":
    main()
