"""Solution quality of the solvers against published results.

Flow shop: ARPD (average relative percentage deviation from the best-known upper bounds)
over Taillard classes at a time limit of n * (m / 2) * t ms per instance, per algorithm and
class, next to the published iterated greedy of Fernandez-Viagas & Framinan (2019) at the
same limit (../shared/data/flowshop_ig_arpd.csv). Graph colouring: colours reached vs the
chromatic number on queen and Mycielski graphs within a time limit each.

Run on one core per process (NUMBA_NUM_THREADS=1). Prints a table, then one JSON line.

    python benchmarks/solver_quality.py --algorithms ils --classes 20x5,50x20 --processes 1
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import solvers  # noqa: E402
from studies.cli._solve import parse_sets  # noqa: E402
from solvers.flowshop import reference_table  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
DEFAULT_CLASSES = "20x5,20x10,20x20,50x5,50x10,50x20"
COLORING_GRAPHS = ("queen5_5", "queen6_6", "queen7_7", "queen8_8",
                   "myciel3", "myciel4", "myciel5", "myciel6", "myciel7")


def _flowshop_task(args: tuple[str, str, float, int, dict]) -> dict:
    name, algorithm, t_factor, seed, config = args
    inst = solvers.load_instance(f"flowshop:{name}")
    n, m = inst.descriptor["jobs"], inst.descriptor["machines"]
    limit = n * (m / 2) * t_factor / 1000.0
    res = solvers.solve(inst, algorithm, config, seed=seed, time_limit=limit)
    return {"instance": name, "class": f"{n}x{m}", "algorithm": algorithm, "objective": res.objective,
            "reference": inst.reference, "rpd": 100.0 * res.gap, "seconds": res.seconds,
            "iterations": res.iterations}


def _coloring_task(args: tuple[str, str, float, int]) -> dict:
    name, algorithm, limit, seed = args
    inst = solvers.load_instance(f"coloring:{name}")
    res = solvers.solve(inst, algorithm, seed=seed, time_limit=limit)
    return {"instance": name, "algorithm": algorithm, "colours": res.objective, "chromatic": inst.reference,
            "seconds": res.seconds}


def _published(t_factor: float) -> dict[str, float]:
    path = SHARED / "flowshop_ig_arpd.csv"
    if not path.exists():
        return {}
    return {row["class"]: float(row["arpd_percent"]) for row in csv.DictReader(path.open())
            if float(row["t_factor_ms"]) == t_factor}


def _map(fn, tasks, processes: int) -> list[dict]:
    if processes <= 1:
        return [fn(t) for t in tasks]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        return list(pool.map(fn, tasks))


def flowshop(algorithms: list[str], classes: list[str], t_factor: float, seed: int, processes: int,
             config: dict, instances: list[str] | None) -> dict:
    table = reference_table()
    names = instances or [e.name for e in table.values() if f"{e.jobs}x{e.machines}" in classes]
    tasks = [(name, alg, t_factor, seed, config) for alg in algorithms for name in names]
    rows = _map(_flowshop_task, tasks, processes)
    published = _published(t_factor)
    per_class: dict[str, dict[str, float]] = {}
    print(f"\nflow shop, time limit n*(m/2)*{t_factor:g} ms, seed {seed}")
    print(f"{'class':>8} " + " ".join(f"{a:>8}" for a in algorithms) + f" {'IGbob':>8}")
    for cls in dict.fromkeys(r["class"] for r in rows):
        per_class[cls] = {a: statistics.mean(r["rpd"] for r in rows if r["class"] == cls and r["algorithm"] == a)
                          for a in algorithms}
        pub = published.get(cls)
        print(f"{cls:>8} " + " ".join(f"{per_class[cls][a]:8.3f}" for a in algorithms)
              + f" {pub if pub is not None else float('nan'):8.3f}")
    mean = {a: statistics.mean(r["rpd"] for r in rows if r["algorithm"] == a) for a in algorithms}
    pub_mean = statistics.mean(published[c] for c in per_class if c in published) if published else None
    print(f"{'mean':>8} " + " ".join(f"{mean[a]:8.3f}" for a in algorithms)
          + f" {pub_mean if pub_mean is not None else float('nan'):8.3f}")
    best = min(mean, key=mean.get)
    return {"t_factor_ms": t_factor, "instances": len(names), "arpd_by_class": per_class, "arpd_mean": mean,
            "best_algorithm": best, "best_arpd": mean[best], "published_ig_arpd_mean": pub_mean,
            "per_instance": rows}


def coloring(algorithm: str, limit: float, seed: int, processes: int) -> dict | None:
    if "coloring" not in solvers.available_families():
        print("\ncolouring family not available; skipped")
        return None
    rows = _map(_coloring_task, [(g, algorithm, limit, seed) for g in COLORING_GRAPHS], processes)
    print(f"\ngraph colouring, {algorithm}, {limit:g} s each, seed {seed}")
    print(f"{'graph':>10} {'colours':>8} {'chi':>5} {'seconds':>8}")
    for r in rows:
        print(f"{r['instance']:>10} {r['colours']:8.0f} {r['chromatic']:5} {r['seconds']:8.2f}")
    reached = sum(r["colours"] == r["chromatic"] for r in rows)
    print(f"chromatic number reached on {reached}/{len(rows)}")
    return {"algorithm": algorithm, "time_limit_s": limit, "reached": reached, "graphs": len(rows), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--algorithms", default="ils", help="comma-separated solver names (sa, ils, tabu)")
    ap.add_argument("--classes", default=DEFAULT_CLASSES, help="comma-separated Taillard classes, e.g. 50x20")
    ap.add_argument("--instances", default="", help="explicit instance names instead of classes (ta051,...)")
    ap.add_argument("--t-factor", type=float, default=30.0, help="t in the limit n*(m/2)*t ms")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    ap.add_argument("--coloring-solver", default="tabu", help="solver for the colouring part ('' skips it)")
    ap.add_argument("--coloring-limit", type=float, default=10.0, help="seconds per colouring graph")
    args = ap.parse_args()
    config = parse_sets(args.set)
    out: dict = {"benchmark": "solver_quality", "seed": args.seed}
    algorithms = [a for a in args.algorithms.split(",") if a]
    if algorithms:
        out["flowshop"] = flowshop(algorithms, args.classes.split(","), args.t_factor, args.seed, args.processes,
                                   config, [i for i in args.instances.split(",") if i] or None)
    if args.coloring_solver:
        out["coloring"] = coloring(args.coloring_solver, args.coloring_limit, args.seed, args.processes)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
