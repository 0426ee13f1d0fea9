"""Solver kernels against the same loops in C: throughput ratio numba / C per kernel and size.

Builds `benchmarks/c/kernels.c` with `gcc -O3 -march=native` into a temporary directory,
then for each kernel runs numba and C on the same instance and the same move sequence,
compares checksums (refuses to report if they differ) and prints rates and their ratio.

Method: each side runs its whole move loop inside one compiled call (a numba driver, a C
driver called once through ctypes), so call overhead is once per ~30 ms run on both sides.
Each run is timed as this thread's CPU time, so time spent waiting for a core counts on
neither side. The runs come in rounds of one numba and one C run back to back (which side
goes first alternates); the ratio is the median over rounds of the ratio within a round,
so load that comes and goes on a shared machine (caches, clock) falls on both runs of a
pair, and the rates printed are the medians of each side's runs.

Kernels: flow-shop makespan (swap move then full evaluation) and Taillard's insertion
neighbourhood (all positions of one job, O(n m)) on Taillard 20x5 .. 100x20; colouring
move evaluation (O(1) delta from the adjacency-colour table) and tabucol's neighbourhood scan
in a state a real search reaches (DSatur cut by a few colours, then tabucol iterations).

    NUMBA_NUM_THREADS=1 python benchmarks/kernels_vs_c.py [--repeats 11]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from solvers._rng import seed_state  # noqa: E402
from solvers.coloring import dsatur, gnp  # noqa: E402
from solvers.coloring import _moves as mv  # noqa: E402
from solvers.coloring import _tabu_kernel as tb  # noqa: E402
from solvers.coloring._kstate import KState, drop_color  # noqa: E402
from solvers.flowshop import _moves as fm  # noqa: E402
from solvers.flowshop import taillard_instance  # noqa: E402

C_SOURCE = Path(__file__).resolve().parent / "c" / "kernels.c"
FLOWSHOP = {"20x5": "ta001", "50x10": "ta041", "100x5": "ta061", "100x20": "ta081"}
OPS_PER_RUN = 4e7  # job-machine cells per timed run (sizes the move sequence)


def build_c(workdir: Path) -> ctypes.CDLL:
    """Compile the C reference; exits with gcc's message when that fails."""
    if shutil.which("gcc") is None:
        sys.exit("gcc not found: the C reference cannot be built")
    lib = workdir / "kernels.so"
    cmd = ["gcc", "-O3", "-march=native", "-shared", "-fPIC", str(C_SOURCE), "-o", str(lib)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    so = ctypes.CDLL(str(lib))
    for name in ("fs_makespan_moves", "fs_insertion_moves", "col_deltas", "col_scans"):
        getattr(so, name).restype = ctypes.c_int64
    return so


def ptr(a: np.ndarray) -> ctypes.c_void_p:
    assert a.flags.c_contiguous
    return ctypes.c_void_p(a.ctypes.data)


def paired_rates(numba_run, c_run, ops: int, repeats: int) -> dict:
    """Rates, checksums and the median within-round ratio numba / C over `repeats` rounds.

    Each round times one numba and one C run back to back (the first side alternates), so
    both runs of a pair see the same machine. `run()` returns the checksum, which must be
    the same every time."""
    runs = {"numba": numba_run, "C": c_run}
    times: dict[str, list[float]] = {name: [] for name in runs}
    sums: dict[str, set[int]] = {name: set() for name in runs}
    for run in runs.values():
        run()  # compile / warm caches
    for rnd in range(repeats):
        for name in (("numba", "C") if rnd % 2 == 0 else ("C", "numba")):
            t = time.thread_time()
            sums[name].add(int(runs[name]()))
            times[name].append(time.thread_time() - t)
    for name, seen in sums.items():
        if len(seen) != 1:
            sys.exit(f"{name}: checksum changes between runs: {seen}")
    return {"numba_per_s": ops / statistics.median(times["numba"]), "c_per_s": ops / statistics.median(times["C"]),
            "ratio": statistics.median(c / nb for nb, c in zip(times["numba"], times["C"])),
            "numba_sum": sums["numba"].pop(), "c_sum": sums["C"].pop()}


# ---- numba drivers over the solver kernels (same loops as the C drivers) --------------------------
@njit(cache=True, nogil=True)
def nb_makespan_moves(p, seq, a, b, c):
    total = 0
    n = seq.shape[0]
    for t in range(a.shape[0]):
        seq[a[t]], seq[b[t]] = seq[b[t]], seq[a[t]]
        total += fm.makespan(p, seq, n, c)
    return total


@njit(cache=True, nogil=True)
def nb_insertion_moves(p, seq, job, a, b, e, q, f):
    total = 0
    k = seq.shape[0]
    for t in range(a.shape[0]):
        seq[a[t]], seq[b[t]] = seq[b[t]], seq[a[t]]
        fm.insertion_makespans(p, seq, k, job, e, q, f)
        total += f[a[t]]
    return total


@njit(cache=True, nogil=True)
def nb_deltas(table, colors, vs, cs):
    total = 0
    for t in range(vs.shape[0]):
        total += mv.move_delta(table, colors, vs[t], cs[t])
    return total


@njit(cache=True, nogil=True)
def nb_scans(st, params, rng, reps):
    total = 0
    for _ in range(reps):
        v, c, d, evaluated = tb.best_move(st, params, rng)
        total += v * 1000003 + c * 1009 + d * 17 + evaluated
    return total


# ---- measurements ---------------------------------------------------------------------------------
def flowshop_rows(so: ctypes.CDLL, repeats: int) -> list[dict]:
    """Both sides run on the very same arrays (int32 data, sequence, workspaces), so where
    they sit in memory (4 KiB aliasing between rows of p and of the workspaces moves the
    time by up to ~15 %) is the same for numba and C."""
    rows = []
    for size, name in FLOWSHOP.items():
        p = taillard_instance(name).data.p
        if p.dtype != np.int32 or not p.flags.c_contiguous:
            sys.exit(f"{name}: expected C-contiguous int32 processing times, got {p.dtype}")
        n, m = p.shape
        rng = np.random.default_rng(1)
        moves = max(1000, int(OPS_PER_RUN / (n * m)))
        a = rng.integers(0, n, moves).astype(np.int32)
        b = rng.integers(0, n, moves).astype(np.int32)
        seq0 = rng.permutation(n).astype(np.int32)
        seq = seq0.copy()
        c = np.zeros(m, dtype=np.int32)

        def numba_makespan():
            seq[:] = seq0
            return nb_makespan_moves(p, seq, a, b, c)

        def c_makespan():
            seq[:] = seq0
            return so.fs_makespan_moves(ptr(p), n, m, ptr(seq), ptr(a), ptr(b), ctypes.c_int64(moves), ptr(c))

        rows.append(_compare("makespan", size, moves, numba_makespan, c_makespan, repeats))

        k = n - 1
        job = int(seq0[-1])
        ins_moves = max(200, int(OPS_PER_RUN / (3 * n * m)))
        ia = rng.integers(0, k, ins_moves).astype(np.int32)
        ib = rng.integers(0, k, ins_moves).astype(np.int32)
        rest0 = seq0[:-1].copy()
        rest = rest0.copy()
        e, q, f = np.zeros((n + 1, m), np.int32), np.zeros((n + 1, m), np.int32), np.zeros(n + 1, np.int32)

        def numba_insertion():
            rest[:] = rest0
            return nb_insertion_moves(p, rest, job, ia, ib, e, q, f)

        def c_insertion():
            rest[:] = rest0
            return so.fs_insertion_moves(ptr(p), k, m, ptr(rest), job, ptr(ia), ptr(ib), ctypes.c_int64(ins_moves),
                                         ptr(e), ptr(q), ptr(f))

        rows.append(_compare("insertion", size, ins_moves, numba_insertion, c_insertion, repeats))
    return rows


def coloring_rows(so: ctypes.CDLL, repeats: int, n: int = 500, p: float = 0.5, k: int = 40,
                  below: int = 10) -> list[dict]:
    g = gnp(n, p, seed=1)
    rng = np.random.default_rng(1)
    colors = rng.integers(0, k, g.n).astype(np.int32)
    table = mv.build_table(g.indptr, g.indices, colors, k)
    moves = 2_000_000
    vs = rng.integers(0, g.n, moves).astype(np.int32)
    cs = rng.integers(0, k, moves).astype(np.int32)
    size = f"G({n},{p:g}) k={k}"
    rows = [_compare("coloring delta", size, moves, lambda: nb_deltas(table, colors, vs, cs),
                     lambda: so.col_deltas(ptr(table), k, ptr(colors), ptr(vs), ptr(cs), ctypes.c_int64(moves)),
                     repeats)]

    state, params = _search_state(g, below)
    scal = state.scal
    per_scan = int(scal[mv.N_CONF]) * (state.k - 1)
    reps = max(10, 2_000_000 // per_scan)
    seed = seed_state(3)
    r_nb, r_c = seed.copy(), seed.copy()

    def numba_scans():
        r_nb[:] = seed
        return nb_scans(state.arrays(), params, r_nb, reps)

    def c_scans():
        r_c[:] = seed
        return so.col_scans(ptr(state.colors), ptr(state.table), state.k, ptr(state.conf_list),
                            ctypes.c_int64(int(scal[mv.N_CONF])), ctypes.c_int64(int(scal[mv.CONFLICTS])),
                            ctypes.c_int64(int(scal[mv.BEST])), ctypes.c_int64(int(scal[mv.ITER])), ptr(state.tabu),
                            1, ctypes.c_int64(0), ptr(r_c), ctypes.c_int64(reps))

    scan_size = f"G({n},{p:g}) k={state.k} conf={int(scal[mv.N_CONF])}"
    rows.append(_compare("tabucol scan", scan_size, reps * per_scan, numba_scans, c_scans, repeats))
    return rows


def _search_state(g, below: int) -> tuple[KState, np.ndarray]:
    """DSatur's colouring cut to `below` fewer colours, then 3,000 tabucol iterations."""
    rng = seed_state(1)
    colors = dsatur(g.indptr, g.indices)
    k = int(colors.max()) + 1
    for kk in range(k, k - below, -1):
        colors = drop_color(g.indptr, g.indices, colors, kk, rng)
    state = KState.start(g, colors, k - below)
    params = np.zeros(tb.N_PARAMS)
    params[tb.P_TENURE], params[tb.P_TENURE_RANDOM], params[tb.P_ALPHA], params[tb.P_ASPIRATION] = 7, 5, 0.6, 1
    tb.tabu_chunk(g.arrays(), state.arrays(), params, rng, np.zeros((1, 2), np.int64), 3000)
    return state, params


def _compare(kernel: str, size: str, ops: int, numba_run, c_run, repeats: int) -> dict:
    r = paired_rates(numba_run, c_run, ops, repeats)
    if r["numba_sum"] != r["c_sum"]:
        sys.exit(f"{kernel} {size}: checksums differ (numba {r['numba_sum']}, C {r['c_sum']})")
    return {"kernel": kernel, "size": size, "numba_per_s": r["numba_per_s"], "c_per_s": r["c_per_s"],
            "ratio": r["ratio"], "checksum": r["numba_sum"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=11,
                    help="rounds per kernel, each one numba and one C run (medians are reported)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        so = build_c(Path(tmp))
        rows = flowshop_rows(so, args.repeats) + coloring_rows(so, args.repeats)
    print(f"{'kernel':<14} {'size':<28} {'numba /s':>14} {'C /s':>14} {'numba/C':>8}  checksums equal")
    for r in rows:
        print(f"{r['kernel']:<14} {r['size']:<28} {r['numba_per_s']:14,.0f} {r['c_per_s']:14,.0f} "
              f"{r['ratio']:8.2f}  yes")
    print(f"minimum numba/C ratio: {min(r['ratio'] for r in rows):.2f} (median of {args.repeats} paired rounds, "
          f"gcc -O3 -march=native; load average {os.getloadavg()[0]:.1f})")
    print(json.dumps({"benchmark": "kernels_vs_c", "repeats": args.repeats,
                      "rows": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rows]}))


if __name__ == "__main__":
    main()
