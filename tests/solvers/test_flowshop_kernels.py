"""The numba kernels agree with plain-Python references on many random cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers._rng import next_u64, rand_below, rand_float, seed_state, shuffle
from solvers import _anneal
from solvers.flowshop import _construct
from solvers.flowshop import _moves as k
from solvers.flowshop import _sa_kernel as sa
from tests.solvers import flowshop_reference as ref

FAST = settings(max_examples=150, deadline=None)


@st.composite
def instances(draw, max_jobs: int = 12, max_machines: int = 6):
    n = draw(st.integers(1, max_jobs))
    m = draw(st.integers(1, max_machines))
    flat = draw(st.lists(st.integers(0, 99), min_size=n * m, max_size=n * m))
    p = np.asarray(flat, dtype=np.int32).reshape(n, m)
    perm = draw(st.permutations(list(range(n))))
    return p, perm


def _workspaces(p: np.ndarray):
    n, m = p.shape
    return np.zeros((n + 1, m), np.int32), np.zeros((n + 1, m), np.int32), np.zeros(n + 1, np.int32)


@FAST
@given(instances())
def test_makespan_matches_reference(case) -> None:
    p, perm = case
    seq = np.asarray(perm, dtype=np.int32)
    c = np.full(p.shape[1], -7, np.int32)  # a dirty workspace: the kernel must reset it
    assert k.makespan(p, seq, len(perm), c) == ref.makespan(p.tolist(), perm)
    assert k.makespan(p, seq, len(perm) - 1, c) == ref.makespan(p.tolist(), perm[:-1])


@FAST
@given(instances())
def test_accelerated_insertion_matches_brute_force(case) -> None:
    p, perm = case
    job, rest = perm[-1], perm[:-1]
    e, q, f = _workspaces(p)
    seq = np.asarray(rest + [0], dtype=np.int32)
    k.insertion_makespans(p, seq, len(rest), job, e, q, f)
    expected = ref.all_insertions(p.tolist(), rest, job)
    assert f[: len(rest) + 1].tolist() == expected
    pos, value = k.best_insertion(p, seq, len(rest), job, e, q, f)
    assert value == min(expected) and pos == expected.index(min(expected))


@FAST
@given(instances())
def test_neh_matches_reference(case) -> None:
    p, perm = case
    e, q, f = _workspaces(p)
    seq = np.zeros(len(perm), np.int32)
    value = _construct.neh(p, np.asarray(perm, np.int32), seq, e, q, f)
    ref_seq, ref_value = ref.neh(p.tolist(), perm)
    assert seq.tolist() == ref_seq and value == ref_value


@FAST
@given(instances(), st.integers(0, 2**32), st.booleans())
def test_insertion_local_search_improves_and_reports_true_makespan(case, seed, full) -> None:
    p, perm = case
    e, q, f = _workspaces(p)
    seq = np.asarray(perm, np.int32)
    before = ref.makespan(p.tolist(), perm)
    after = k.insertion_local_search(p, seq, len(perm), before, full, np.zeros(len(perm), np.int32), e, q, f,
                                     seed_state(seed))
    assert sorted(seq.tolist()) == sorted(perm)
    assert after == ref.makespan(p.tolist(), seq.tolist()) <= before
    if full:  # a local optimum: no single reinsertion improves
        for job in seq.tolist():
            rest = [j for j in seq.tolist() if j != job]
            assert min(ref.all_insertions(p.tolist(), rest, job)) >= after


@FAST
@given(instances(), st.integers(0, 2**32), st.integers(1, 11))
def test_random_removal_keeps_every_job(case, seed, d) -> None:
    p, perm = case
    d = min(d, len(perm))
    seq = np.asarray(perm, np.int32)
    removed = np.zeros(d, np.int32)
    left = k.random_removal(seq, len(perm), d, removed, seed_state(seed))
    assert left == len(perm) - d
    assert sorted(seq[:left].tolist() + removed.tolist()) == sorted(perm)


@FAST
@given(instances(max_jobs=10), st.integers(0, 2**32), st.sampled_from(["default", "uniform", "diversify"]))
def test_sa_moves_apply_and_undo(case, seed, preset) -> None:
    p, perm = case
    if len(perm) < 2:
        return
    from solvers.config import SAConfig
    from solvers.flowshop._searches import operator_cumulative_weights

    params = _anneal.make_params(SAConfig(operator_preset=preset),
                                 operator_cumulative_weights(SAConfig(operator_preset=preset)))
    seq = np.asarray(perm, np.int32)
    rng = seed_state(seed)
    deltas = np.zeros(20)
    sa.sample_deltas(p, seq, params, rng, np.zeros(p.shape[1], p.dtype), deltas)
    assert seq.tolist() == perm  # sampling leaves the permutation unchanged
    for _ in range(20):
        op, a, b = sa.random_move(seq, params, rng)
        sa.apply_move(seq, op, a, b)
        moved = seq.tolist()
        assert sorted(moved) == sorted(perm)
        sa.undo_move(seq, op, a, b)
        assert seq.tolist() == perm
    base = ref.makespan(p.tolist(), perm)
    assert all(base + d >= 0 for d in deltas.tolist())


@given(st.integers(0, 2**63))
@settings(max_examples=50, deadline=None)
def test_rng_matches_reference_stream(seed: int) -> None:
    state = seed_state(seed)
    py_state = int(state[0])
    for _ in range(5):
        py_state, out = ref.xorshift64star(py_state)
        assert int(next_u64(state)) == out
        assert int(state[0]) == py_state
    for _ in range(50):
        assert 0.0 <= rand_float(state) < 1.0
        assert 0 <= rand_below(state, 7) < 7


def test_rng_streams_and_shuffle_are_reproducible() -> None:
    a, b = np.arange(30), np.arange(30)
    shuffle(seed_state(5), a)
    shuffle(seed_state(5), b)
    assert a.tolist() == b.tolist() and sorted(a.tolist()) == list(range(30))
    assert seed_state(1, 0)[0] != seed_state(1, 1)[0] != seed_state(2, 0)[0]


def test_every_kernel_is_cached_and_releases_the_gil() -> None:
    """A tracking thread runs beside the solver: kernels must be nogil, and compiled once (cache=True)."""
    from numba.core.registry import CPUDispatcher

    from solvers import _rng
    from solvers.coloring import _construct as col_construct
    from solvers.coloring import _ils_kernel as col_ils
    from solvers.coloring import _kstate as col_kstate
    from solvers.coloring import _moves as col_moves
    from solvers.coloring import _sa_kernel as col_sa
    from solvers.coloring import _tabu_kernel as col_tabu
    from solvers.flowshop import _ils_kernel, _tabu_kernel

    modules = (_rng, _anneal, k, _construct, sa, _ils_kernel, _tabu_kernel, col_moves, col_construct, col_kstate,
               col_sa, col_ils, col_tabu)
    kernels = [obj for mod in modules for obj in vars(mod).values()
               if isinstance(obj, CPUDispatcher) and obj.__module__ == mod.__name__]
    assert len(kernels) >= 30
    for kernel in kernels:
        assert kernel.targetoptions.get("nogil") is True, kernel.__name__
        assert type(kernel._cache).__name__ == "FunctionCache", kernel.__name__


@settings(max_examples=40, deadline=None)
@given(instances(max_jobs=9, max_machines=4), st.integers(0, 2**31), st.sampled_from(["sa", "ils", "tabu"]),
       st.sampled_from(["random", "constructive", "multistart"]))
def test_chunk_kernels_report_the_makespan_of_what_they_return(case, seed, solver, initial) -> None:
    import solvers
    from solvers.flowshop import make_instance

    p, _ = case
    inst = make_instance("hyp", p.T)
    res = solvers.solve(inst, solver, {"initial": initial, "chunk_size": 7}, seed=seed, iterations=30)
    assert sorted(res.solution) == list(range(p.shape[0]))
    assert res.objective == ref.makespan(p.tolist(), list(res.solution))
    if initial == "constructive":
        assert res.objective <= ref.neh(p.tolist(), sorted(range(p.shape[0]), key=lambda j: -p[j].sum()))[1]
