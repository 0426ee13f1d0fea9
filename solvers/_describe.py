"""A plain-data description of the solvers: algorithms, parameters, ranges and defaults."""

from __future__ import annotations

from typing import Any

from solvers.errors import allowed_range
from solvers.registry import available_families, get_family, solver_entry, solver_names


def describe_solvers() -> list[dict[str, Any]]:
    """One entry per solver: name, algorithm, parameters (name, range, default, description)
    and, per available family, its operator names and SA presets."""
    out = []
    for solver in solver_names():
        entry = solver_entry(solver)
        model = entry.config
        defaults = model().model_dump(mode="json")
        params = [
            {"name": name, "range": allowed_range(model, name), "default": defaults[name],
             "description": field.description or ""}
            for name, field in model.model_fields.items()
        ]
        families = {}
        for fam_name in available_families():
            fam = get_family(fam_name)
            families[fam_name] = {"operators": list(fam.operators().get(solver, ())),
                                  **({"presets": fam.presets()} if solver == "sa" else {})}
        out.append({"solver": solver, "algorithm": entry.algorithm, "params": params, "families": families})
    return out
