"""A multi-objective `module:function` returns a tuple (in order) or a dict (by name); anything else is refused."""

from __future__ import annotations

import pytest

from studies.objectives._callable import named_values

METRICS = ["loss", "seconds"]


def test_a_tuple_is_read_in_order_and_a_dict_by_name() -> None:
    assert named_values((0.5, 2), METRICS, "m:f") == [0.5, 2.0]
    assert named_values({"seconds": 3, "loss": 0.1, "extra": "ignored"}, METRICS, "m:f") == [0.1, 3.0]


@pytest.mark.parametrize(("value", "message"), [
    ((1.0, 2.0, 3.0), "m:f returned 3 values for the spec's 2 metrics ['loss', 'seconds']"),
    ({"loss": 1.0}, "m:f returned a dict without ['seconds']; the spec's metrics are ['loss', 'seconds']"),
    (0.5, "m:f returned float; a multi-objective function returns a tuple of 2 values or a dict with keys"),
])
def test_a_value_that_does_not_match_the_metrics_says_what_was_expected(value, message: str) -> None:
    with pytest.raises(ValueError) as err:
        named_values(value, METRICS, "m:f")
    assert message in str(err.value)
