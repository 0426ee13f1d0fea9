"""Taillard's generator, the shipped bounds table, and the flow shop file formats."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import solvers
from solvers.errors import ProblemError
from solvers.flowshop import format_taillard, generate, parse_taillard, reference_table, taillard_instance, unif

PUBLISHED = Path(solvers.__file__).parent / "data" / "taillard_flowshop.csv"  # the package's copy


def _published_rows() -> list[dict[str, str]]:
    with PUBLISHED.open() as fh:
        return list(csv.DictReader(fh))


ROWS = _published_rows()


def test_published_table_lists_all_120_instances() -> None:
    assert [r["name"] for r in ROWS] == [f"ta{i:03d}" for i in range(1, 121)]


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_generator_reproduces_published_instance(row: dict[str, str]) -> None:
    inst = taillard_instance(row["name"])
    times = inst.data.times  # (machines, jobs)
    assert times.shape == (int(row["machines"]), int(row["jobs"]))
    assert int(times.sum()) == int(row["sum_p"])
    assert times[0, :10].tolist() == [int(v) for v in row["first_machine_first10"].split()]
    assert times[-1, -5:].tolist() == [int(v) for v in row["last_machine_last5"].split()]
    assert inst.reference == int(row["upper_bound"])
    assert inst.lower_bound == int(row["lower_bound"])
    assert inst.descriptor["optimal"] == (row["optimal"] == "yes")


def test_shipped_table_matches_published_bounds() -> None:
    shipped = reference_table()
    for row in ROWS:
        entry = shipped[row["name"]]
        assert (entry.jobs, entry.machines, entry.time_seed) == (int(row["jobs"]), int(row["machines"]),
                                                                int(row["time_seed"]))
        assert (entry.lower_bound, entry.upper_bound) == (int(row["lower_bound"]), int(row["upper_bound"]))


def test_unif_first_draws_of_ta001() -> None:
    seed, values = 873654221, []
    for _ in range(10):
        seed, v = unif(seed, 1, 99)
        values.append(v)
    assert values == [54, 83, 15, 71, 77, 36, 53, 38, 27, 87]


def test_single_precision_would_change_ta120() -> None:
    """The pitfall the data README warns about: float32 changes a value of ta120."""
    entry = reference_table()["ta120"]
    exact = generate(entry.jobs, entry.machines, entry.time_seed)
    seed, single = entry.time_seed, []
    for _ in range(entry.jobs * entry.machines):
        seed, _v = unif(seed, 1, 99)
        single.append(1 + int(np.float32(seed) / np.float32(2147483647) * np.float32(99)))
    assert (np.asarray(single).reshape(exact.shape) != exact).any()


def test_lower_bound_never_exceeds_upper_bound() -> None:
    for name, entry in reference_table().items():
        inst = taillard_instance(name)
        assert solvers.get_family("flowshop").evaluate(inst, np.arange(entry.jobs))[0] >= entry.upper_bound
        assert solvers.flowshop.lower_bound(inst.data.times) <= entry.upper_bound


def test_taillard_text_round_trip(tmp_path: Path) -> None:
    inst = taillard_instance("ta011")
    text = format_taillard(inst.data.times, 585688351, 1582, 1582)
    parsed = parse_taillard(text)
    assert np.array_equal(parsed.times, inst.data.times)
    assert (parsed.time_seed, parsed.upper_bound, parsed.lower_bound) == (585688351, 1582, 1582)
    path = tmp_path / "ta011.fsp"
    path.write_text(text)
    loaded = solvers.load_instance(str(path))
    assert loaded.family == "flowshop" and loaded.reference == 1582
    assert np.array_equal(loaded.data.p, inst.data.p)


def test_file_without_known_suffix_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "instance.dat"
    path.write_text(format_taillard(generate(7, 3, 12345)))
    assert solvers.load_instance(str(path)).descriptor["jobs"] == 7


def test_bare_and_orlib_layouts() -> None:
    times = generate(4, 3, 99)
    bare = "4 3\n" + "\n".join(" ".join(map(str, row)) for row in times)
    assert np.array_equal(parse_taillard(bare).times, times)
    orlib = "4 3\n" + "\n".join(" ".join(f"{r} {times[r, j]}" for r in range(3)) for j in range(4))
    assert np.array_equal(parse_taillard(orlib).times, times)


def test_short_file_is_refused_with_counts() -> None:
    with pytest.raises(ProblemError, match="expected 12 processing times"):
        parse_taillard("4 3\n1 2 3")


def test_random_specs() -> None:
    a = solvers.load_instance("flowshop:random:30x7:seed=3")
    b = solvers.load_instance("flowshop:random:30x7:3")
    assert a.data.p.shape == (30, 7) and np.array_equal(a.data.p, b.data.p)
    assert a.reference is None and a.lower_bound > 0
    assert not np.array_equal(a.data.p, solvers.load_instance("flowshop:random:30x7:seed=4").data.p)


@pytest.mark.parametrize("spec", ["flowshop:ta121", "flowshop:foo", "nosuch:ta001", "/no/such/file.txt"])
def test_unknown_problems_are_refused(spec: str) -> None:
    with pytest.raises(ProblemError):
        solvers.load_instance(spec)
