"""The colouring kernels agree with plain-Python references on many random cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers._rng import seed_state
from solvers.coloring import Graph, clique_bound, dsatur, greedy, myciel, queen
from solvers.coloring import _moves as mv
from solvers.coloring import _tabu_kernel as _tabu
from solvers.coloring._kstate import KState, drop_color
from tests.solvers.coloring import reference as ref

FAST = settings(max_examples=120, deadline=None)


@st.composite
def coloured_graphs(draw, max_n: int = 24, max_k: int = 6):
    """A random graph, a colour count ``k >= 2`` and a random ``k``-colouring."""
    n = draw(st.integers(1, max_n))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4 * n))
    k = draw(st.integers(2, max_k))
    colors = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    graph = Graph.from_edges(n, pairs)
    return graph, ref.adjacency(n, graph.edges().tolist()), k, np.asarray(colors, dtype=np.int32)


@FAST
@given(coloured_graphs())
def test_conflict_count_and_table_match_reference(case) -> None:
    g, adj, k, colors = case
    assert mv.conflict_count(g.indptr, g.indices, colors) == ref.conflicts(adj, colors.tolist())
    assert mv.build_table(g.indptr, g.indices, colors, k).tolist() == ref.table(adj, colors.tolist(), k)


@FAST
@given(coloured_graphs(), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=40))
def test_moves_keep_table_conflicts_and_set_exact(case, moves) -> None:
    g, adj, k, colors = case
    state = KState.start(g, colors, k)
    current = colors.tolist()
    for raw_v, raw_c in moves:
        v, c = raw_v % g.n, raw_c % k
        expected = ref.delta(adj, current, v, c)
        assert mv.move_delta(state.table, state.colors, v, c) == expected
        applied = mv.apply_move(g.arrays(), state.arrays(), v, c)
        assert applied == expected
        current[v] = c
        assert state.colors.tolist() == current
        assert state.table.tolist() == ref.table(adj, current, k)
        assert state.conflicts == ref.conflicts(adj, current)
        members = state.conf_list[: state.scal[mv.N_CONF]].tolist()
        assert len(members) == len(set(members)) and set(members) == ref.conflicting(adj, current)
        assert all(state.conf_pos[u] == i for i, u in enumerate(members))


@FAST
@given(coloured_graphs(), st.integers(0, 2**32))
def test_batched_deltas_match_reference(case, seed) -> None:
    g, adj, k, colors = case
    rng = np.random.default_rng(seed)
    vs = rng.integers(0, g.n, 50).astype(np.int32)
    cs = rng.integers(0, k, 50).astype(np.int32)
    table = mv.build_table(g.indptr, g.indices, colors, k)
    got = np.zeros(50, np.int64)
    mv.move_deltas(table, colors, vs, cs, got)
    assert got.tolist() == [ref.delta(adj, colors.tolist(), v, c) for v, c in zip(vs.tolist(), cs.tolist())]


@FAST
@given(coloured_graphs(max_n=30), st.randoms(use_true_random=False))
def test_greedy_matches_reference_and_dsatur_is_proper(case, random) -> None:
    g, adj, _, _ = case
    order = list(range(g.n))
    random.shuffle(order)
    colors = greedy(g.indptr, g.indices, np.asarray(order, dtype=np.int64))
    assert colors.tolist() == ref.greedy(adj, order)
    sat = dsatur(g.indptr, g.indices)
    assert ref.is_proper(adj, sat.tolist())
    assert set(sat.tolist()) == set(range(int(sat.max()) + 1))  # colours 0..k-1, none skipped
    assert max(sat.tolist()) + 1 <= max((len(a) for a in adj), default=0) + 1


@FAST
@given(coloured_graphs(max_n=30), st.integers(0, 2**32))
def test_drop_color_gives_k_minus_one_colours(case, seed) -> None:
    g, adj, _, _ = case
    proper = dsatur(g.indptr, g.indices)
    k = int(proper.max()) + 1
    if k < 2:
        return
    fewer = drop_color(g.indptr, g.indices, proper, k, seed_state(seed))
    assert fewer.min() >= 0 and fewer.max() <= k - 2
    sizes = np.bincount(proper, minlength=k)
    # some smallest class d was emptied: other vertices keep their colour, class k-1 is renamed d
    assert any(
        np.array_equal(fewer[(proper != d) & (proper != k - 1)], proper[(proper != d) & (proper != k - 1)])
        and (d == k - 1 or np.all(fewer[proper == k - 1] == d))
        for d in np.flatnonzero(sizes == sizes.min())
    )


@FAST
@given(coloured_graphs(max_n=30, max_k=5), st.integers(0, 2**32), st.integers(0, 12), st.booleans(),
       st.integers(0, 6), st.integers(0, 3))
def test_tabu_scan_matches_reference(case, seed, candidates, aspiration, it, best_offset) -> None:
    g, _, k, colors = case
    state = KState.start(g, colors, k)
    if state.conflicts == 0:
        return
    rng = np.random.default_rng(seed)
    state.tabu[:] = rng.integers(0, 10, state.tabu.shape)
    state.scal[mv.ITER] = it
    state.scal[mv.BEST] = state.conflicts - best_offset
    params = np.zeros(_tabu.N_PARAMS)
    params[_tabu.P_CANDIDATES], params[_tabu.P_ASPIRATION] = candidates, float(aspiration)
    numba_rng = seed_state(seed)
    py_rng = [int(numba_rng[0])]
    got = _tabu.best_move(state.arrays(), params, numba_rng)
    want = ref.best_move(state.colors.tolist(), state.table.tolist(), state.conf_list[: state.scal[mv.N_CONF]].tolist(),
                         state.conflicts, int(state.scal[mv.BEST]), it, state.tabu.tolist(), candidates, aspiration,
                         py_rng)
    assert tuple(int(x) for x in got[:2]) == want[:2] and got[3] == want[3]
    if want[0] >= 0:
        assert got[2] == want[2]
    assert int(numba_rng[0]) == py_rng[0]


def test_dsatur_is_exact_on_easy_families() -> None:
    for g, chi in ((queen(5, 5), 5), (myciel(3), 4), (myciel(5), 6), (Graph.from_edges(6, [(i, (i + 1) % 6) for i in range(6)]), 2)):
        colors = dsatur(g.indptr, g.indices)
        assert int(colors.max()) + 1 == chi
        assert mv.conflict_count(g.indptr, g.indices, colors) == 0


def test_clique_bound_is_valid() -> None:
    assert clique_bound(queen(7, 7)) == 7
    assert clique_bound(queen(4, 9)) == 9
    assert clique_bound(myciel(6)) == 2  # triangle-free
    assert clique_bound(Graph.from_edges(5, [])) == 1


def test_kernels_are_deterministic_by_seed() -> None:
    g = queen(8, 8)
    a = drop_color(g.indptr, g.indices, dsatur(g.indptr, g.indices), 13, seed_state(5))
    b = drop_color(g.indptr, g.indices, dsatur(g.indptr, g.indices), 13, seed_state(5))
    assert np.array_equal(a, b)
