"""`tunetrack warmup`: compile every solver kernel now, so no solve or trial pays for JIT later."""

from __future__ import annotations

import typer
from rich.table import Table

from studies.cli._common import console, fail, print_json


def register(app: typer.Typer) -> None:
    app.command("warmup")(warmup)


def warmup(
    families: list[str] = typer.Option(None, "--family", help="Only this family (repeatable; default: all)."),
    solver_names: list[str] = typer.Option(None, "--solver", help="Only this solver (repeatable; default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compile (or load from numba's cache) every kernel of every family and solver.

    The first run after an install fills numba's on-disk cache; later processes load from it.
    `tunetrack demo` runs this before its study, so no trial is billed for compilation.
    """
    import solvers

    for given, known, what in ((families, solvers.family_names(), "--family"),
                               (solver_names, solvers.solver_names(), "--solver")):
        unknown = [name for name in given or [] if name not in known]
        if unknown:
            fail(f"{what} {unknown[0]!r}: must be one of {', '.join(known)}")
    try:
        warmed = solvers.warmup(families or None, solver_names or None)
    except solvers.SolverError as exc:
        fail(str(exc))
    if as_json:
        print_json({"warmed": [{"family": w.family, "solver": w.solver, "seconds": round(w.seconds, 3)}
                               for w in warmed]})
        return
    table = Table(title="kernels compiled or loaded from numba's cache", title_justify="left")
    for column in ("family", "solver", "seconds"):
        table.add_column(column)
    for w in warmed:
        table.add_row(w.family, w.solver, f"{w.seconds:.2f}")
    console.print(table)
