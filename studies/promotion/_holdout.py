"""Held-out instances that always exist: unused instances of the study's classes, else fresh ones.

* Some instances of a Taillard class (or of a named bundle) were not used by the study: those
  (e.g. ta003-ta005 for a study on ta001-ta002).
* The study used its whole class (the ten 20x10 Taillard instances, the queen graphs ...):
  fresh instances of the same sizes, named reproducibly so anyone can rebuild them:
  flow shop `flowshop:random:<n>x<m>:seed=<s>` (Taillard's generator with time seed s, the
  same one that produced ta001-ta120), colouring `coloring:gnp:<n>:<density>:seed=<s>` (a
  random graph of the same order and the study instance's density).

Fresh seeds start at `FRESH_SEED_BASE`, far from anything a study names by hand, and skip any
name the studies used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from studies.promotion._errors import PromotionError

FRESH_SEED_BASE = 1001


class HoldoutSet(BaseModel):
    """The instances promotion re-evaluates on, and how they were chosen."""

    kind: str = Field(description="'given', 'unused' (same classes, not used by the study) or 'fresh' (generated).")
    description: str
    instances: list[str]


def choose_holdout(used: Sequence[str], problem: str | None, given: Sequence[str] | int | None,
                   default_count: int) -> HoldoutSet:
    """The held-out set for studies that used `used` (family-qualified names)."""
    if given is not None and not isinstance(given, int):
        return _given(used, problem, given)
    count = default_count if given is None else given
    if count < 1:
        raise PromotionError(f"holdout: need at least 1 held-out instance but got {count}")
    from studies.bundles import held_out

    spare = held_out(list(used), count)
    if spare:
        return HoldoutSet(kind="unused", instances=spare,
                          description=f"{len(spare)} instances of the study's classes it did not use: {', '.join(spare)}")
    fresh = fresh_instances(used, count)
    if not fresh:
        raise PromotionError(
            f"no held-out instances known for study instances {', '.join(list(used)[:5])}"
            f"{'...' if len(used) > 5 else ''}; name some the study did not use (--holdout INSTANCE)")
    return HoldoutSet(kind="fresh", instances=fresh, description=_describe_fresh(fresh))


def fresh_instances(used: Sequence[str], count: int) -> list[str]:
    """`count` generated instances of the sizes in `used` (at least one per size), reproducibly named."""
    import solvers

    sizes: list[str] = []
    for name in used:
        pattern = _size_pattern(solvers.load_instance(name))
        if pattern and pattern not in sizes:
            sizes.append(pattern)
    if not sizes:
        return []
    taken = set(used)
    fresh: list[str] = []
    seed = FRESH_SEED_BASE
    while len(fresh) < max(count, len(sizes)):
        for pattern in sizes:
            name = pattern.format(seed=seed)
            if name not in taken and len(fresh) < max(count, len(sizes)):
                fresh.append(name)
        seed += 1
    return fresh


def _size_pattern(instance) -> str | None:
    d = instance.descriptor
    if instance.family == "flowshop" and d.get("jobs") and d.get("machines"):
        return f"flowshop:random:{d['jobs']}x{d['machines']}:seed={{seed}}"
    if instance.family == "coloring" and d.get("vertices") and d.get("density") is not None:
        return f"coloring:gnp:{d['vertices']}:{round(float(d['density']), 4)}:seed={{seed}}"
    return None


def _describe_fresh(fresh: list[str]) -> str:
    family = fresh[0].split(":", 1)[0]
    how = ("Taillard's generator, same sizes, new time seeds" if family == "flowshop"
           else "random graphs of the same order and density, new seeds")
    return f"{len(fresh)} fresh instances ({how}): {', '.join(fresh)}"


def _given(used: Sequence[str], problem: str | None, given: Sequence[str]) -> HoldoutSet:
    chosen = [i if (":" in i or problem is None or Path(i).suffix) else f"{problem}:{i}" for i in given]
    chosen = list(dict.fromkeys(chosen))
    reused = [i for i in chosen if i in used]
    if reused:
        raise PromotionError(f"instances {reused} were used by the study; promotion needs held-out instances")
    if not chosen:
        raise PromotionError("holdout_instances: need at least one instance")
    return HoldoutSet(kind="given", instances=chosen, description=f"{len(chosen)} given instances: {', '.join(chosen)}")
