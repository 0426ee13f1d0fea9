"""Rewrite one module-level constant of a Python file: only its value's characters change."""

from __future__ import annotations

import ast
import difflib
from typing import Any

from studies.promotion._errors import TargetError, UnknownSymbolError
from studies.promotion._text import Replacement, split_lines
from studies.promotion._values import coerce_like


def replace_python(text: str, symbol: str, value: Any) -> Replacement:
    """Replace the literal assigned to module-level `symbol` (plain or annotated) by `value`.

    The annotation, the comment after the value and every other byte stay as they are.

    >>> replace_python("X: float = 0.5  # note\\n", "X", 0.25).text
    'X: float = 0.25  # note\\n'
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise TargetError(f"cannot parse the Python target: {exc}") from None
    found: list[ast.Assign | ast.AnnAssign] = []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names.append(node.target.id)
            if node.target.id == symbol:
                found.append(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.append(target.id)
                    if target.id == symbol:
                        found.append(node)
    if not found:
        close = difflib.get_close_matches(symbol, _upper(names), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else f" ({len(_upper(names))} constants there)"
        raise UnknownSymbolError(f"unknown symbol {symbol!r}: no module-level assignment of it in the target{hint}")
    if len(found) > 1:
        raise TargetError(f"{symbol} is assigned {len(found)} times in the target (lines "
                          f"{', '.join(str(n.lineno) for n in found)}); promotion rewrites only a single assignment")
    node = found[0]
    if isinstance(node, ast.Assign) and len(node.targets) > 1:
        raise TargetError(f"{symbol} (line {node.lineno}) is part of a chained assignment; give it its own line")
    value_node = node.value
    try:
        old = ast.literal_eval(value_node)
    except ValueError:
        raise TargetError(f"{symbol} (line {node.lineno}) is not a plain literal "
                          f"({ast.get_source_segment(text, value_node)}); only literals can be promoted") from None
    annotation = ast.unparse(node.annotation) if isinstance(node, ast.AnnAssign) else None
    new = coerce_like(symbol, old, value, annotation)
    lines = split_lines(text)
    start = _char_offset(lines, value_node.lineno, value_node.col_offset)
    end = _char_offset(lines, value_node.end_lineno, value_node.end_col_offset)
    return Replacement(text=text[:start] + repr(new) + text[end:], line=node.lineno - 1, old=old, new=new)


def _char_offset(lines: list[str], lineno: int, col_bytes: int) -> int:
    """Offset in the text of (1-based line, UTF-8 byte column), as `ast` reports positions."""
    before = sum(len(line) for line in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode("utf-8")[:col_bytes].decode("utf-8"))


def _upper(names: list[str]) -> list[str]:
    return [n for n in dict.fromkeys(names) if n.isupper()]
