"""Which constant a tuned parameter lands in.

Convention, tried in order against the names the target actually defines:

* Python target, built-in solver objective: `<SOLVER>_<PARAM>` upper-cased, then `<PARAM>`
  upper-cased for the knobs every algorithm shares (`sa` + `cooling_rate` ->
  `SA_COOLING_RATE`; `ils` + `restarts` -> `RESTARTS`). Any other objective: `<PARAM>`
  upper-cased.
* YAML / TOML target: the dotted path `<solver>.<param>`, then `<param>` as written.

An explicit symbol overrides the convention: `NAME` when one parameter is promoted, or
`param=NAME` pairs for several.

>>> constant_candidates("cooling_rate", "sa", python=True)
['SA_COOLING_RATE', 'COOLING_RATE']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from studies.promotion._errors import TargetError, UnknownSymbolError


def constant_candidates(param: str, solver: str | None, *, python: bool) -> list[str]:
    """Names to try for `param`, most specific first."""
    if python:
        names = [f"{solver}_{param}".upper()] if solver else []
        return [*names, param.upper()]
    names = [f"{solver}.{param}"] if solver else []
    return [*names, param]


def parse_symbols(symbols: str | Sequence[str] | Mapping[str, str] | None, params: Sequence[str]) -> dict[str, str]:
    """Explicit `param -> symbol` overrides from `NAME`, `param=NAME` items or a mapping."""
    if symbols is None or symbols == [] or symbols == ():
        return {}
    if isinstance(symbols, Mapping):
        pairs = dict(symbols)
    else:
        items = [symbols] if isinstance(symbols, str) else list(symbols)
        pairs = {}
        for item in items:
            param, sep, name = item.partition("=")
            if sep:
                pairs[param.strip()] = name.strip()
            elif len(params) == 1 and len(items) == 1:
                pairs[params[0]] = item.strip()
            else:
                raise TargetError(f"--symbol {item!r}: with several tuned parameters ({', '.join(params)}) "
                                  "write PARAM=NAME")
    unknown = [p for p in pairs if p not in params]
    if unknown:
        raise TargetError(f"--symbol names parameter(s) {', '.join(unknown)} that are not promoted "
                          f"(promoted: {', '.join(params)})")
    return pairs


def map_params(
    params: Sequence[str],
    *,
    solver: str | None,
    python: bool,
    exists: Callable[[str], bool],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """`param -> constant` for every promoted parameter, refusing a parameter with no constant."""
    mapping: dict[str, str] = {}
    for param in params:
        if overrides and param in overrides:
            if not exists(overrides[param]):
                raise UnknownSymbolError(f"unknown symbol {overrides[param]!r} in the target (given for {param})")
            mapping[param] = overrides[param]
            continue
        tried = constant_candidates(param, solver, python=python)
        found = next((name for name in tried if exists(name)), None)
        if found is None:
            raise TargetError(f"no constant for tuned parameter {param!r} in the target (tried "
                              f"{', '.join(tried)}); pass --symbol {param}=NAME")
        mapping[param] = found
    taken: dict[str, str] = {}
    for param, name in mapping.items():
        if name in taken:
            raise TargetError(f"parameters {taken[name]!r} and {param!r} both map to {name}")
        taken[name] = param
    return mapping
