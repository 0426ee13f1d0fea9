"""First use of a new directory by several commands at once: every command succeeds, the stores stay sound.

    python benchmarks/store_concurrency.py --rounds 20 --concurrency 4

Each round makes a fresh directory and starts `--concurrency` commands at the same instant
(two `solve`s, `study list`, `runs`, repeated), then checks every exit code, the runs recorded,
SQLite's integrity check and that no `_alembic_tmp_*` table was left. Prints a table and, last,
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = (
    ["solve", "--problem", "flowshop:ta001", "--solver", "sa", "--iterations", "2000"],
    ["study", "list"],
    ["solve", "--problem", "flowshop:ta002", "--solver", "sa", "--iterations", "2000"],
    ["runs"],
)


def sound(db: Path) -> tuple[bool, str]:
    with sqlite3.connect(db) as connection:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        leftovers = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE '\\_alembic\\_tmp\\_%' ESCAPE '\\'")]
    return check == "ok" and not leftovers, f"{check}, leftovers {leftovers}"


def one_round(concurrency: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNETRACK_")}
    env["PYTHONPATH"] = str(REPO)
    with tempfile.TemporaryDirectory(prefix="tt-concurrency-") as tmp:
        commands = [COMMANDS[k % len(COMMANDS)] for k in range(concurrency)]
        started = time.monotonic()
        processes = [subprocess.Popen([sys.executable, "-m", "studies.cli", *c], cwd=tmp, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
        results = [(p, *p.communicate(timeout=600)) for p in processes]
        wall = time.monotonic() - started
        failures = [f"{' '.join(c[:2])}: exit {p.returncode}: {err.strip().splitlines()[-1:]}"
                    for c, (p, _, err) in zip(commands, results) if p.returncode != 0]
        tracebacks = sum("Traceback" in err for _, _, err in results)
        solves = sum(c[0] == "solve" for c in commands)
        after = subprocess.run([sys.executable, "-m", "studies.cli", "runs", "--json"], cwd=tmp, env=env,
                               capture_output=True, text=True)
        recorded = len(json.loads(after.stdout)) if after.returncode == 0 else -1
        checks = {name: sound(Path(tmp) / "mlruns" / name) for name in ("mlflow.db", "studies.db")
                  if (Path(tmp) / "mlruns" / name).exists()}
    return {"ok": not failures, "failures": failures, "tracebacks": tracebacks, "runs_expected": solves,
            "runs_recorded": recorded, "stores_sound": all(ok for ok, _ in checks.values()),
            "store_checks": {k: v for k, (_, v) in checks.items()}, "wall_s": round(wall, 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    rounds = []
    print(f"{'round':>5} {'ok':>3} {'runs':>9} {'sound':>6} {'wall s':>7}")
    for k in range(args.rounds):
        r = one_round(args.concurrency)
        rounds.append(r)
        print(f"{k + 1:>5} {'yes' if r['ok'] else 'NO':>3} {r['runs_recorded']:>4}/{r['runs_expected']:<4} "
              f"{'yes' if r['stores_sound'] else 'NO':>6} {r['wall_s']:>7}", flush=True)
        for failure in r["failures"]:
            print(f"      {failure}")
    commands = args.rounds * args.concurrency
    failed = sum(len(r["failures"]) for r in rounds)
    summary = {
        "rounds": args.rounds, "concurrency": args.concurrency, "commands": commands, "commands_failed": failed,
        "tracebacks": sum(r["tracebacks"] for r in rounds),
        "rounds_all_runs_recorded": sum(r["runs_recorded"] == r["runs_expected"] for r in rounds),
        "rounds_stores_sound": sum(r["stores_sound"] for r in rounds),
        "median_round_s": sorted(r["wall_s"] for r in rounds)[len(rounds) // 2],
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
