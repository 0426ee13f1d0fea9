"""Rewrite one scalar of a YAML file, found by a dotted key path, with a line edit of that key only."""

from __future__ import annotations

from typing import Any

import yaml

from studies.promotion._errors import TargetError, UnknownSymbolError
from studies.promotion._values import coerce_like
from studies.promotion._text import Replacement


def replace_yaml(text: str, symbol: str, value: Any) -> Replacement:
    """Replace the scalar at dotted path `symbol` (e.g. `solver.sa.cooling_rate`) by `value`.

    Comments, key order, quoting elsewhere and every other character stay as they are.

    >>> replace_yaml("a:\\n  b: 1  # keep\\n", "a.b", 2).text
    'a:\\n  b: 2  # keep\\n'
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TargetError(f"cannot parse the YAML target: {exc}") from None
    path = symbol.split(".")
    key_node = None
    old: Any = data
    for depth, part in enumerate(path):
        where = ".".join(path[:depth]) or "the top level"
        if not isinstance(node, yaml.MappingNode) or not isinstance(old, dict):
            raise UnknownSymbolError(f"unknown symbol {symbol!r}: {where} is not a mapping")
        matches = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part]
        if not matches:
            keys = ", ".join(str(k) for k in old)
            raise UnknownSymbolError(f"unknown symbol {symbol!r}: no key {part!r} under {where} (keys: {keys or 'none'})")
        key_node, node = matches[-1]
        old = old.get(part, old.get(_as_key(part)))
    if not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">"):
        raise TargetError(f"{symbol} is not a one-line scalar; only scalars can be promoted")
    new = coerce_like(symbol, old, value)
    rendered = _render(new, node.style)
    start, end = node.start_mark.index, node.end_mark.index
    return Replacement(text=text[:start] + rendered + text[end:], line=key_node.start_mark.line, old=old, new=new)


def _render(value: Any, style: str | None) -> str:
    quoted = style if isinstance(value, str) and style in ('"', "'") else None
    dumped = yaml.safe_dump(value, default_style=quoted, width=10**9, allow_unicode=True)
    return dumped.removesuffix("\n").removesuffix("\n...").removesuffix("...").rstrip("\n")


def _as_key(part: str) -> Any:
    """A YAML key that loads as a non-string (`1`, `true`) looked up by its loaded value."""
    return yaml.safe_load(part)
