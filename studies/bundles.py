"""Named instance sets ("bundles") a study can race over instead of listing instances."""

from __future__ import annotations

_TAILLARD_CLASSES = {
    "20x5": 1, "20x10": 11, "20x20": 21, "50x5": 31, "50x10": 41, "50x20": 51,
    "100x5": 61, "100x10": 71, "100x20": 81, "200x10": 91, "200x20": 101, "500x20": 111,
}

BUNDLES: dict[str, tuple[str, ...]] = {
    **{
        f"taillard-{size}": tuple(f"flowshop:ta{first + i:03d}" for i in range(10))
        for size, first in _TAILLARD_CLASSES.items()
    },
    "queens-small": tuple(f"coloring:queen{n}_{n}" for n in (5, 6, 7)),
    "queens": tuple(f"coloring:queen{n}_{n}" for n in (5, 6, 7, 8)),
    "mycielski": tuple(f"coloring:myciel{k}" for k in (3, 4, 5, 6, 7)),
}


def bundle_instances(name: str) -> tuple[str, ...]:
    """The instances of bundle `name`; unknown names list what exists."""
    try:
        return BUNDLES[name]
    except KeyError:
        raise KeyError(f"unknown bundle {name!r}; known bundles: {', '.join(sorted(BUNDLES))}") from None


def held_out(instances: tuple[str, ...] | list[str], count: int) -> list[str]:
    """Up to `count` instances of the same bundles that are not in `instances` (for re-evaluation)."""
    used = set(instances)
    spare: list[str] = []
    for members in BUNDLES.values():
        if used & set(members):
            spare.extend(m for m in members if m not in used and m not in spare)
    return spare[:count]
