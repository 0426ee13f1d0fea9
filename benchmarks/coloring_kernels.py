"""Graph-colouring kernel throughput: numba against plain Python and NumPy.

Measurements on one G(n, p) graph:
- move deltas/s in tabucol's neighbourhood scan (``_tabu_kernel.best_move``: every candidate move's
  O(1) delta, tabu status, aspiration, best move with random ties) — numba vs the plain-Python
  reference the tests check it against (``tests/solvers/coloring/reference.py``), same RNG
  stream, same answer; this is the kernel the solver spends its time in. Measured in states a
  real search reaches: DSatur's colouring cut to fewer colours (``--below``), then 3,000
  tabucol iterations;
and on a random ``k``-colouring:
- bare move deltas/s — ``table[v, c] - table[v, colors[v]]`` for a batch of random moves:
  numba (``move_deltas``) vs a plain-Python list comprehension over lists, the same loop in
  Python over the numpy arrays, and one vectorised NumPy expression;
- moves/s — applying a move (O(deg) table update, conflict count and conflicting-set upkeep):
  numba (``apply_move`` in a loop kernel) vs plain Python over lists;
- tabucol iterations/s of the chunk kernel from that colouring (default candidates = all).
Best of ``--repeats`` timings each, after a warm-up call. NUMBA_NUM_THREADS=1. Prints a
table, then one JSON line.

    python benchmarks/coloring_kernels.py --n 500 --p 0.5 --k 40
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

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from solvers._rng import seed_state  # noqa: E402
from solvers.coloring import dsatur, gnp  # noqa: E402
from solvers.coloring import _moves as mv  # noqa: E402
from solvers.coloring._kstate import KState, drop_color  # noqa: E402
from solvers.coloring._tabu_kernel import (  # noqa: E402
    N_PARAMS,
    P_ALPHA,
    P_ASPIRATION,
    P_TENURE,
    P_TENURE_RANDOM,
    best_move,
    tabu_chunk,
)
from tests.solvers.coloring import reference as ref  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# --- move deltas -----------------------------------------------------------------------------
def python_deltas(table: list[list[int]], colors: list[int], vs: list[int], cs: list[int]) -> list[int]:
    return [table[v][c] - table[v][colors[v]] for v, c in zip(vs, cs)]


def python_deltas_on_arrays(table: np.ndarray, colors: np.ndarray, vs: np.ndarray, cs: np.ndarray) -> list[int]:
    return [table[v, c] - table[v, colors[v]] for v, c in zip(vs, cs)]


def numpy_deltas(table: np.ndarray, colors: np.ndarray, vs: np.ndarray, cs: np.ndarray) -> np.ndarray:
    return table[vs, cs].astype(np.int64) - table[vs, colors[vs]]


@njit(cache=True, nogil=True)
def numba_scans(st, params, rng, reps):
    evaluated = 0
    for _ in range(reps):
        evaluated += best_move(st, params, rng)[3]
    return evaluated


def python_scans(state, tabu: list[list[int]], rng: list[int], reps: int) -> int:
    colors, table = state.colors.tolist(), state.table.tolist()
    conf = state.conf_list[: state.scal[mv.N_CONF]].tolist()
    evaluated = 0
    for _ in range(reps):
        evaluated += ref.best_move(colors, table, conf, state.conflicts, int(state.scal[mv.BEST]),
                                   int(state.scal[mv.ITER]), tabu, 0, True, rng)[3]
    return evaluated


# --- applying moves --------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def numba_apply_moves(g, st, vs, cs):
    total = 0
    for i in range(vs.shape[0]):
        total += mv.apply_move(g, st, vs[i], cs[i])
    return total


def python_apply_moves(adj: list[list[int]], colors: list[int], table: list[list[int]], conflicting: set[int],
                       conflicts: int, vs: list[int], cs: list[int]) -> int:
    """The same bookkeeping as `apply_move` in plain Python (a set for the conflicting vertices)."""
    for v, c in zip(vs, cs):
        old = colors[v]
        if c == old:
            continue
        row = table[v]
        conflicts += row[c] - row[old]
        for u in adj[v]:
            tu = table[u]
            tu[old] -= 1
            tu[c] += 1
            cu = colors[u]
            if cu == old and tu[old] == 0:
                conflicting.discard(u)
            elif cu == c:
                conflicting.add(u)
        colors[v] = c
        if row[c] > 0:
            conflicting.add(v)
        else:
            conflicting.discard(v)
    return conflicts


def search_state(g, below: int, params: np.ndarray, seed: int) -> KState:
    rng = seed_state(seed)
    colors = dsatur(g.indptr, g.indices)
    k = int(colors.max()) + 1
    for kk in range(k, k - below, -1):
        colors = drop_color(g.indptr, g.indices, colors, kk, rng)
    state = KState.start(g, colors, k - below)
    tabu_chunk(g.arrays(), state.arrays(), params, rng, np.zeros((1, 2), np.int64), 3000)
    return state


def python_scans_one(state, tabu: list[list[int]], rng: list[int]) -> tuple[int, int, int, int]:
    conf = state.conf_list[: state.scal[mv.N_CONF]].tolist()
    return ref.best_move(state.colors.tolist(), state.table.tolist(), conf, state.conflicts,
                         int(state.scal[mv.BEST]), int(state.scal[mv.ITER]), tabu, 0, True, rng)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="vertices of the G(n, p) graph")
    ap.add_argument("--p", type=float, default=0.5, help="edge probability")
    ap.add_argument("--k", type=int, default=40, help="colours of the random colouring")
    ap.add_argument("--moves", type=int, default=1_000_000, help="moves per numba batch")
    ap.add_argument("--python-moves", type=int, default=200_000, help="moves per Python batch")
    ap.add_argument("--below", type=int, nargs="+", default=[10, 14],
                    help="tabucol scan states: DSatur's colours minus these")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    g = gnp(args.n, args.p, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    colors = rng.integers(0, args.k, g.n).astype(np.int32)
    table = mv.build_table(g.indptr, g.indices, colors, args.k)
    vs = rng.integers(0, g.n, args.moves).astype(np.int32)
    cs = rng.integers(0, args.k, args.moves).astype(np.int32)
    pv, pc = vs[: args.python_moves], cs[: args.python_moves]
    table_l, colors_l, pv_l, pc_l = table.tolist(), colors.tolist(), pv.tolist(), pc.tolist()

    # the implementations agree before anything is timed
    expected = np.zeros(pv.shape[0], np.int64)
    mv.move_deltas(table, colors, pv, pc, expected)
    assert python_deltas(table_l, colors_l, pv_l, pc_l) == expected.tolist()
    assert np.array_equal(numpy_deltas(table, colors, pv, pc), expected)

    rows = {}
    # tabucol's scan (candidates = 0: every conflicting vertex) in states a real search reaches:
    # DSatur's colouring cut to k - below colours, then 3,000 tabucol iterations
    scan_params = np.zeros(N_PARAMS)
    scan_params[P_TENURE], scan_params[P_TENURE_RANDOM], scan_params[P_ALPHA], scan_params[P_ASPIRATION] = 7, 5, 0.6, 1
    scan_info = []
    for below in args.below:
        scan = search_state(g, below, scan_params, args.seed)
        r1 = seed_state(args.seed)
        r2 = [int(r1[0])]
        tabu_l = scan.tabu.tolist()
        one = best_move(scan.arrays(), scan_params, r1)
        assert tuple(int(x) for x in one) == python_scans_one(scan, tabu_l, r2)  # same answer, same RNG
        per_scan = int(one[3])
        numba_reps, python_reps = max(1, args.moves // per_scan), max(1, args.python_moves // per_scan)
        key = f"scan k={scan.k}"
        rows[f"{key} numba"] = numba_reps * per_scan / best_of(
            lambda: numba_scans(scan.arrays(), scan_params, r1, numba_reps), args.repeats)
        rows[f"{key} plain Python"] = python_reps * per_scan / best_of(
            lambda: python_scans(scan, tabu_l, r2, python_reps), args.repeats)
        scan_info.append({"k": scan.k, "conflicts": scan.conflicts, "conflicting_vertices": int(scan.scal[mv.N_CONF]),
                          "deltas_per_scan": per_scan,
                          "ratio": rows[f"{key} numba"] / rows[f"{key} plain Python"]})

    out = np.zeros(args.moves, np.int64)
    rows["delta numba"] = args.moves / best_of(lambda: mv.move_deltas(table, colors, vs, cs, out), args.repeats)
    rows["delta plain Python (lists)"] = args.python_moves / best_of(
        lambda: python_deltas(table_l, colors_l, pv_l, pc_l), args.repeats)
    rows["delta Python on numpy arrays"] = min(args.python_moves, 50_000) / best_of(
        lambda: python_deltas_on_arrays(table, colors, pv[:50_000], pc[:50_000]), args.repeats)
    rows["delta NumPy vectorised"] = args.moves / best_of(lambda: numpy_deltas(table, colors, vs, cs), args.repeats)

    # applying moves: each timing starts from the same state
    adj = [g.neighbours(v).tolist() for v in range(g.n)]
    apply_n = min(args.python_moves, 20_000)
    av, ac = vs[:apply_n], cs[:apply_n]

    def numba_apply():
        s = KState.start(g, colors, args.k)
        t = time.perf_counter()
        numba_apply_moves(g.arrays(), s.arrays(), av, ac)
        return time.perf_counter() - t, s

    def python_apply():
        c, tb = colors.tolist(), table.tolist()
        conf = {v for v in range(g.n) if tb[v][c[v]] > 0}
        total = mv.conflict_count(g.indptr, g.indices, colors)
        t = time.perf_counter()
        total = python_apply_moves(adj, c, tb, conf, total, av.tolist(), ac.tolist())
        return time.perf_counter() - t, (c, tb, conf, total)

    numba_apply()  # compile / load from cache
    (_, s), (_, (c_py, tb_py, conf_py, total_py)) = numba_apply(), python_apply()
    assert s.colors.tolist() == c_py and s.table.tolist() == tb_py and s.conflicts == total_py
    assert set(s.conf_list[: s.scal[mv.N_CONF]].tolist()) == conf_py
    rows["move numba"] = apply_n / min(numba_apply()[0] for _ in range(args.repeats))
    rows["move plain Python (lists)"] = apply_n / min(python_apply()[0] for _ in range(args.repeats))

    # tabucol iterations on k - 1 colours of a DSatur-free random start
    params = np.zeros(N_PARAMS)
    params[P_TENURE], params[P_TENURE_RANDOM], params[P_ASPIRATION] = 7, 5, 1

    def tabu_run(iters: int) -> float:
        s = KState.start(g, colors, args.k)
        r = seed_state(args.seed)
        t = time.perf_counter()
        done = tabu_chunk(g.arrays(), s.arrays(), params, r, np.zeros((1, 2), np.int64), iters)
        return done / (time.perf_counter() - t)

    tabu_run(10)
    rows["tabucol iteration numba"] = max(tabu_run(20_000) for _ in range(args.repeats))

    ratios = {
        "scan_delta_numba_vs_python_min": min(info["ratio"] for info in scan_info),
        "delta_numba_vs_python": rows["delta numba"] / rows["delta plain Python (lists)"],
        "delta_numba_vs_python_on_arrays": rows["delta numba"] / rows["delta Python on numpy arrays"],
        "delta_numba_vs_numpy": rows["delta numba"] / rows["delta NumPy vectorised"],
        "move_numba_vs_python": rows["move numba"] / rows["move plain Python (lists)"],
    }
    print(f"graph G({g.n}, {args.p:g}) seed {args.seed}: {g.n_edges} edges, mean degree "
          f"{2 * g.n_edges / g.n:.1f}; random {args.k}-colouring; best of {args.repeats}"
          "; tabucol scan states: " + ", ".join(
              f"k={i['k']} ({i['conflicts']} conflicts, {i['conflicting_vertices']} conflicting vertices, "
              f"{i['deltas_per_scan']} deltas per scan)" for i in scan_info))
    for name, rate in rows.items():
        print(f"{name:>32} {rate:16,.0f} /s")
    for name, ratio in ratios.items():
        print(f"{name:>32} {ratio:16,.1f} x")
    print(json.dumps({"benchmark": "coloring_kernels", "graph": {"n": g.n, "p": args.p, "edges": g.n_edges,
                      "k": args.k, "seed": args.seed}, "scan_states": scan_info,
                      "per_second": {k: round(v) for k, v in rows.items()},
                      "ratios": {k: round(v, 2) for k, v in ratios.items()}}))


if __name__ == "__main__":
    main()
