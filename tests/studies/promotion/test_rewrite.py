"""Rewriting one constant of a Python, YAML or TOML file: only its line changes, plus provenance."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import tomlkit
import yaml

from studies.promotion import PROVENANCE_MARK, TargetError, read_constant, rewrite_constants
from tests.conftest import REPO

NOTE = "study s1, trial 7, run 0123abcd, 2026-11-23, gap 0.0210 -> 0.0180"

PYTHON = '''"""Constants."""

from __future__ import annotations

# a comment that stays — with “unicode”
RATE: float = 0.9995  # per iteration
COUNT = 4
NAME: str = 'greedy'  # quoted
FLAG: bool = False
SPLIT: float = (
    0.25
)
def helper(x):
    RATE = 3  # local, not module level
    return x
'''

YAML = """# tuning presets
solver:
  sa:
    cooling_rate: 0.9995   # per iteration
    name: "greedy"
  # trailing comment
  ils: {strength: 4}
seeds: [1, 2, 3]
"""

TOML = """# presets
title = "tunetrack"

[solver.sa]
cooling_rate = 0.9995 # per iteration
neighbours = 1

[solver.ils]
strength = 4  # destroyed jobs
"""


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _without(lines: list[str], *indexes: int) -> list[str]:
    return [line for i, line in enumerate(lines) if i not in indexes]


def _assert_only_line_changed(before: str, after: str, symbol_line: int) -> None:
    """`after` == `before` except the assignment at 1-based `symbol_line` and the provenance line above it."""
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(new_lines) == len(old_lines) + 1
    assert new_lines[symbol_line - 2].lstrip().startswith(PROVENANCE_MARK)
    assert NOTE in new_lines[symbol_line - 2]
    assert _without(new_lines, symbol_line - 2, symbol_line - 1) == _without(old_lines, symbol_line - 2)


def test_python_rewrites_only_the_constant_with_its_annotation_and_comment(tmp_path: Path) -> None:
    path = _write(tmp_path, "constants.py", PYTHON)
    result = rewrite_constants(path, {"RATE": 0.999}, project_root=tmp_path, provenance=NOTE, dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert result.written and result.changes[0].old == 0.9995 and result.changes[0].new == 0.999
    line = result.changes[0].line
    assert after.splitlines()[line - 1] == "RATE: float = 0.999  # per iteration"
    _assert_only_line_changed(PYTHON, after, line)


def test_python_plain_multiline_and_typed_values(tmp_path: Path) -> None:
    path = _write(tmp_path, "constants.py", PYTHON)
    result = rewrite_constants(path, {"COUNT": 6.0, "SPLIT": 3, "NAME": "random", "FLAG": True},
                               project_root=tmp_path, dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert "COUNT = 6\n" in after  # int constant stays int
    assert "SPLIT: float = (\n    3.0\n)\n" in after  # float annotation: 3 -> 3.0; only the literal changes
    assert "NAME: str = 'random'  # quoted\n" in after
    assert "FLAG: bool = True\n" in after
    ast.parse(after)  # the file still parses and the local RATE in helper() is untouched
    assert "    RATE = 3  # local, not module level\n" in after
    assert [c.symbol for c in result.changes] == ["COUNT", "SPLIT", "NAME", "FLAG"]


def test_real_constants_module_copy_keeps_every_other_byte(tmp_path: Path) -> None:
    shutil.copy(REPO / "solvers" / "constants.py", tmp_path / "constants.py")
    before = (tmp_path / "constants.py").read_text(encoding="utf-8")
    result = rewrite_constants(tmp_path / "constants.py", {"SA_COOLING_RATE": 0.9981}, project_root=tmp_path,
                               provenance=NOTE, dry_run=False)
    after = (tmp_path / "constants.py").read_text(encoding="utf-8")
    _assert_only_line_changed(before, after, result.changes[0].line)
    assert read_constant(tmp_path / "constants.py", "SA_COOLING_RATE", project_root=tmp_path) == 0.9981


def test_second_promotion_replaces_the_provenance_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "constants.py", PYTHON)
    rewrite_constants(path, {"RATE": 0.999}, project_root=tmp_path, provenance="first", dry_run=False)
    once = path.read_text(encoding="utf-8")
    rewrite_constants(path, {"RATE": 0.998}, project_root=tmp_path, provenance="second", dry_run=False)
    twice = path.read_text(encoding="utf-8")
    assert len(twice.splitlines()) == len(once.splitlines())
    assert f"{PROVENANCE_MARK} second\nRATE: float = 0.998" in twice and "first" not in twice


def test_crlf_line_endings_survive(tmp_path: Path) -> None:
    text = PYTHON.replace("\n", "\r\n")
    path = _write(tmp_path, "constants.py", text)
    rewrite_constants(path, {"RATE": 0.5}, project_root=tmp_path, provenance=NOTE, dry_run=False)
    after = path.read_bytes().decode("utf-8")
    assert f"{PROVENANCE_MARK} {NOTE}\r\nRATE: float = 0.5  # per iteration\r\n" in after
    assert after.count("\n") == after.count("\r\n") == text.count("\r\n") + 1


def test_yaml_line_edit_keeps_comments_and_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "presets.yaml", YAML)
    result = rewrite_constants(path, {"solver.sa.cooling_rate": 0.999, "solver.sa.name": "random"},
                               project_root=tmp_path, provenance=NOTE, dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert "    cooling_rate: 0.999   # per iteration\n" in after
    assert '    name: "random"\n' in after
    assert yaml.safe_load(after)["solver"]["sa"] == {"cooling_rate": 0.999, "name": "random"}
    old_lines, new_lines = YAML.splitlines(), after.splitlines()
    assert len(new_lines) == len(old_lines) + 2
    kept = [line for line in new_lines if PROVENANCE_MARK not in line and "cooling_rate" not in line
            and "name:" not in line]
    assert kept == [line for line in old_lines if "cooling_rate" not in line and "name:" not in line]
    assert [c.line for c in result.changes] == [5, 7]
    assert new_lines[3] == f"    {PROVENANCE_MARK} {NOTE}"


def test_toml_via_tomlkit_keeps_formatting(tmp_path: Path) -> None:
    path = _write(tmp_path, "presets.toml", TOML)
    result = rewrite_constants(path, {"solver.ils.strength": 6}, project_root=tmp_path, provenance=NOTE,
                               dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert "strength = 6  # destroyed jobs\n" in after
    assert tomlkit.parse(after)["solver"]["ils"]["strength"] == 6
    _assert_only_line_changed(TOML, after, result.changes[0].line)


def test_dry_run_returns_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "constants.py", PYTHON)
    stamp = path.stat().st_mtime_ns
    result = rewrite_constants(path, {"RATE": 0.75}, project_root=tmp_path, provenance=NOTE, dry_run=True)
    assert not result.written
    assert path.read_text(encoding="utf-8") == PYTHON and path.stat().st_mtime_ns == stamp
    assert "-RATE: float = 0.9995  # per iteration\n" in result.diff
    assert "+RATE: float = 0.75  # per iteration\n" in result.diff
    assert f"+{PROVENANCE_MARK} {NOTE}\n" in result.diff
    assert sorted(p.name for p in tmp_path.iterdir()) == ["constants.py"]  # no temp file left


@pytest.mark.parametrize(
    ("name", "text", "symbol", "value", "message"),
    [
        ("constants.py", PYTHON, "RATEE", 1.0, "unknown symbol 'RATEE'"),
        ("constants.py", PYTHON, "helper", 1.0, "unknown symbol 'helper'"),
        ("constants.py", PYTHON, "COUNT", "many", "the constant is int but the tuned value is 'many'"),
        ("constants.py", PYTHON, "COUNT", 4.5, "the constant is int"),
        ("constants.py", PYTHON, "RATE", 0.9995, "already 0.9995"),
        ("constants.py", "X = f(1)\n", "X", 1, "not a plain literal"),
        ("constants.py", "X = 1\nX = 2\n", "X", 3, "assigned 2 times"),
        ("presets.yaml", YAML, "solver.sa.missing", 1, "no key 'missing' under solver.sa"),
        ("presets.yaml", YAML, "seeds", 1, "not a one-line scalar"),
        ("presets.toml", TOML, "solver.tabu.tenure", 1, "no key 'tabu' under solver"),
    ],
)
def test_refusals_name_the_problem_and_write_nothing(
    tmp_path: Path, name: str, text: str, symbol: str, value: object, message: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rewrite_constants(path, {symbol: value}, project_root=tmp_path, dry_run=False)
    assert path.read_text(encoding="utf-8") == text


def test_targets_outside_the_project_are_refused(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    victim = _write(outside, "constants.py", PYTHON)
    (project / "link.py").symlink_to(victim)
    for target in (victim, "../outside/constants.py", "link.py"):
        with pytest.raises(TargetError, match="outside the project directory"):
            rewrite_constants(target, {"RATE": 0.5}, project_root=project, dry_run=False)
    assert victim.read_text(encoding="utf-8") == PYTHON
    with pytest.raises(TargetError, match="rewrites .py, .toml, .yaml, .yml files"):
        rewrite_constants(_write(project, "notes.txt", "RATE = 1\n"), {"RATE": 2}, project_root=project)
