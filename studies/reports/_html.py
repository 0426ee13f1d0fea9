"""Markdown tables and one self-contained HTML page (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:13px;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}"""


def cell_text(value: object, na: str = "") -> str:
    """A table cell: floats to 4 significant digits, NaN as `na`, infinity as 'inf'."""
    if value is None:
        return na
    if isinstance(value, float):
        if math.isnan(value):
            return na
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.4g}"
    return str(value)


def markdown_table(frame: pd.DataFrame, *, max_rows: int | None = None, na: str = "") -> str:
    """A GitHub Markdown table (no extra dependency)."""
    if frame.empty:
        return "_(empty)_\n"
    shown = frame if max_rows is None else frame.head(max_rows)
    header = "| " + " | ".join(str(c) for c in shown.columns) + " |"
    rule = "| " + " | ".join("---" for _ in shown.columns) + " |"
    body = ["| " + " | ".join(cell_text(v, na).replace("|", "\\|") for v in row) + " |"
            for row in shown.itertuples(index=False)]
    more = [f"\n_{len(frame) - len(shown)} more rows in the CSV_"] if len(shown) < len(frame) else []
    return "\n".join([header, rule, *body, *more]) + "\n"


def html_table(frame: pd.DataFrame, *, max_rows: int | None = 200, na: str = "") -> str:
    if frame.empty:
        return "<p><em>(empty)</em></p>"
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(v, na))}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def html_page(title: str, intro: str, sections: list[tuple[str, str, pd.DataFrame | None]],
              figures: Mapping[str, Path]) -> str:
    """One page: a heading, the intro, each (heading, text, table) section, then every figure inline."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>"]
    for heading, text, table in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>")
        if table is not None:
            parts.append(html_table(table, na="n/a"))
    for name, path in figures.items():
        encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(f"<h2>{html.escape(name)}</h2><img alt='{html.escape(name)}' src='data:image/png;base64,{encoded}'>")
    parts.append("</body></html>")
    return "".join(parts)
