"""Graphs: published sizes of the constructions, DIMACS files, random generators, descriptors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solvers
from solvers.coloring import (
    ColoringScenario,
    Graph,
    format_col,
    gnp,
    graph_from_spec,
    myciel,
    parse_col,
    planted,
    queen,
    read_col,
    reference_table,
    write_col,
)
from solvers.errors import ProblemError

REFERENCE_CSV = Path(solvers.__file__).parent / "data" / "coloring_reference.csv"  # the package's copy


def _published_rows() -> list[dict[str, str]]:
    with REFERENCE_CSV.open() as fh:
        return list(csv.DictReader(fh))


def _construct(name: str) -> Graph:
    return graph_from_spec(name)[0]


@pytest.mark.parametrize("row", _published_rows(), ids=lambda row: row["name"])
def test_constructions_have_published_sizes(row: dict[str, str]) -> None:
    graph = _construct(row["name"])
    assert graph.name == row["name"]
    assert (graph.n, graph.n_edges) == (int(row["vertices"]), int(row["edges"]))


def test_shipped_reference_table_matches_shared_copy() -> None:
    shipped = reference_table()
    rows = _published_rows()
    assert sorted(shipped) == sorted(row["name"] for row in rows)
    for row in rows:
        ref = shipped[row["name"]]
        assert (ref.vertices, ref.edges, ref.chromatic_number) == (
            int(row["vertices"]), int(row["edges"]), int(row["chromatic_number"]))
        assert ref.known_exact == (row["known_exact"] == "yes")


def test_myciel3_is_the_dimacs_groetzsch_graph() -> None:
    # the edge list of the classic DIMACS myciel3.col (1-based), vertex for vertex
    dimacs = [(1, 2), (1, 4), (1, 7), (1, 9), (2, 3), (2, 6), (2, 8), (3, 5), (3, 7), (3, 10),
              (4, 5), (4, 6), (4, 10), (5, 8), (5, 9), (6, 11), (7, 11), (8, 11), (9, 11), (10, 11)]
    assert (myciel(3).edges() + 1).tolist() == [list(e) for e in dimacs]


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_square_queen_edges_follow_closed_form(n: int) -> None:
    assert queen(n, n).n_edges == n * (n - 1) * (5 * n - 1) // 3


def test_queen_numbering_is_row_major() -> None:
    g = queen(3, 4)  # 3 rows, 4 columns: vertex = r * 4 + c
    assert set(g.neighbours(0).tolist()) == {1, 2, 3, 4, 8, 5, 10}
    assert 6 not in g.neighbours(0)  # (1, 2): a knight's move away


def test_mycielski_keeps_triangle_free() -> None:
    g = myciel(5)
    adj = [set(g.neighbours(v).tolist()) for v in range(g.n)]
    assert not any(adj[u] & adj[v] for u, v in g.edges().tolist())


def test_from_edges_drops_loops_and_duplicates_either_way() -> None:
    g = Graph.from_edges(4, [(0, 1), (1, 0), (2, 2), (3, 1), (1, 3), (0, 1)])
    assert g.edges().tolist() == [[0, 1], [1, 3]]
    assert g.degrees().tolist() == [1, 2, 0, 1]
    assert g.indptr.dtype == np.int32 and g.indices.dtype == np.int32
    with pytest.raises(ValueError, match="0..3"):
        Graph.from_edges(4, [(0, 4)])


def test_parse_col_handles_comments_both_directions_and_p_col() -> None:
    text = "c a comment\nc another\np col 4 6\ne 1 2\ne 2 1\ne 2 3\ne 3 2\n\ne 4 1\ne 1 4\n"
    g = parse_col(text, name="tiny")
    assert (g.n, g.n_edges, g.name) == (4, 3, "tiny")
    assert g.edges().tolist() == [[0, 1], [0, 3], [1, 2]]


@pytest.mark.parametrize("text, match", [
    ("e 1 2\n", "before the 'p' line"),
    ("p edge 3 1\ne 1 4\n", "1..3"),
    ("c nothing\n", "no 'p edge"),
    ("p edge 3 1\np edge 3 1\n", "one 'p edge"),
])
def test_parse_col_refuses_malformed_files(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_col(text)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 25).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))))
def test_dimacs_round_trip(case) -> None:
    n, edges = case
    g = Graph.from_edges(n, edges, name="g")
    back = parse_col(format_col(g), name="g")
    assert back.n == g.n
    assert np.array_equal(back.indptr, g.indptr) and np.array_equal(back.indices, g.indices)


def test_write_and_read_file(tmp_path: Path) -> None:
    path = write_col(queen(6, 6), tmp_path / "queen6_6.col")
    text = path.read_text()
    assert "p edge 36 290" in text and text.count("\ne ") == 290
    g = read_col(path)
    assert (g.name, g.n, g.n_edges) == ("queen6_6", 36, 290)
    assert np.array_equal(g.indices, queen(6, 6).indices)


def test_gnp_is_seeded_and_has_about_p_density() -> None:
    a, b, c = gnp(200, 0.3, seed=7), gnp(200, 0.3, seed=7), gnp(200, 0.3, seed=8)
    assert np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)
    assert abs(a.density - 0.3) < 0.02
    assert gnp(10, 0.0).n_edges == 0 and gnp(10, 1.0).n_edges == 45


def test_planted_colouring_is_proper_and_balanced() -> None:
    g, colors = planted(90, 6, 0.7, seed=3)
    u, v = g.edges().T
    assert not np.any(colors[u] == colors[v])
    assert np.bincount(colors).tolist() == [15] * 6
    again, colors2 = planted(90, 6, 0.7, seed=3)
    assert np.array_equal(g.indices, again.indices) and np.array_equal(colors, colors2)
    assert g.n_edges > 0.6 * 0.7 * (90 * 89 / 2) * (5 / 6)


@pytest.mark.parametrize("call, match", [
    (lambda: gnp(0, 0.5), "vertices"), (lambda: gnp(5, 1.5), "probability"),
    (lambda: planted(5, 6, 0.5), "classes"), (lambda: queen(0, 3), "rows=0"), (lambda: myciel(1), "index"),
])
def test_generators_name_the_bad_value(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_scenario_descriptor() -> None:
    s = ColoringScenario.of(queen(8, 8))
    assert s.to_dict() == {"name": "queen8_8", "vertices": 64, "edges": 728, "density": round(1456 / (64 * 63), 6),
                           "reference": 9, "reference_exact": True, "family": "coloring"}
    renamed = Graph(11, myciel(3).indptr, myciel(3).indices, name="queen8_8")  # same name, other graph
    assert ColoringScenario.of(renamed).reference is None


def test_specs() -> None:
    assert graph_from_spec("gnp:30:0.2:seed=4")[0].name == "gnp_n30_p0.2_s4"
    g, k = graph_from_spec("planted:30:3:0.5")
    assert (g.name, k) == ("planted_n30_k3_p0.5_s0", 3)
    for bad in ("queen8", "gnp:30", "planted:a:3:0.5", "tsp:12"):
        with pytest.raises(ProblemError):
            graph_from_spec(bad)
