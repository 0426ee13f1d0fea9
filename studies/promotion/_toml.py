"""Rewrite one value of a TOML file, found by a dotted key path, through tomlkit (formatting kept)."""

from __future__ import annotations

import difflib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Item

from studies.promotion._errors import TargetError, UnknownSymbolError
from studies.promotion._text import Replacement, split_lines
from studies.promotion._values import coerce_like


def replace_toml(text: str, symbol: str, value: Any) -> Replacement:
    """Replace the value at dotted path `symbol` (e.g. `tool.solver.cooling_rate`) by `value`.

    tomlkit keeps comments, order and layout; the value's own trailing comment is carried over.

    >>> replace_toml("[sa]\\nrate = 0.5 # keep\\n", "sa.rate", 0.25).text
    '[sa]\\nrate = 0.25 # keep\\n'
    """
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise TargetError(f"cannot parse the TOML target: {exc}") from None
    path = symbol.split(".")
    container: Any = doc
    for depth, part in enumerate(path[:-1]):
        container = _child(container, part, symbol, ".".join(path[:depth]))
        if not hasattr(container, "keys"):
            raise UnknownSymbolError(f"unknown symbol {symbol!r}: {'.'.join(path[: depth + 1])} is not a table")
    old_item = _child(container, path[-1], symbol, ".".join(path[:-1]))
    old = old_item.unwrap() if isinstance(old_item, Item) else old_item
    new = coerce_like(symbol, old, value)
    new_item = tomlkit.item(new)
    if isinstance(old_item, Item):
        trivia, fresh = old_item.trivia, new_item.trivia
        fresh.indent, fresh.comment_ws, fresh.comment, fresh.trail = (
            trivia.indent, trivia.comment_ws, trivia.comment, trivia.trail)
    if new == old:
        return Replacement(text=text, line=-1, old=old, new=new)
    container[path[-1]] = new_item
    new_text = doc.as_string()
    return Replacement(text=new_text, line=_changed_line(text, new_text, symbol), old=old, new=new)


def _child(container: Any, part: str, symbol: str, where: str) -> Any:
    try:
        return container[part]
    except (KeyError, TypeError):
        keys = ", ".join(container.keys()) if hasattr(container, "keys") else ""
        raise UnknownSymbolError(f"unknown symbol {symbol!r}: no key {part!r} under {where or 'the top level'} "
                          f"(keys: {keys or 'none'})") from None


def _changed_line(old: str, new: str, symbol: str) -> int:
    """The one line tomlkit changed; anything else is refused so the rest stays byte-identical."""
    before, after = split_lines(old), split_lines(new)
    opcodes = [op for op in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    if len(opcodes) != 1 or opcodes[0][0] != "replace" or opcodes[0][2] - opcodes[0][1] != 1 \
            or opcodes[0][4] - opcodes[0][3] != 1:
        raise TargetError(f"{symbol}: rewriting it would change more than its own line; edit this file by hand")
    return opcodes[0][1]
