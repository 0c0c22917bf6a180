"""steps_table refuses passes too long to read, as draw refuses graphs too big to lay out."""

import itertools

import pytest

import autograd
from autograd import Value, backward_steps


def wide(n):
    """``Σ tanh xᵢ`` over n leaves: 2n chain-rule steps (sum → each tanh, tanh → leaf)."""
    xs = [Value(float(i), label=f"x{i}") for i in range(n)]
    return xs, autograd.sum([x.tanh() for x in xs])


def test_a_pass_within_the_limit_prints_every_row():
    _, out = wide(5)
    table = autograd.steps_table(backward_steps(out), max_rows=10)
    assert len(table.splitlines()) == 2 + 10  # header, rule, one row per step


def test_more_rows_than_the_limit_raise_naming_the_count_and_the_fix():
    _, out = wide(6)
    with pytest.raises(autograd.GraphTooLargeError,
                       match=r"steps_table: this backward pass has more than max_rows=11 steps"
                             r".*smaller graph.*larger max_rows") as info:
        autograd.steps_table(backward_steps(out), max_rows=11)
    assert isinstance(info.value, ValueError)


def test_the_default_limit_is_ten_thousand_rows():
    _, out = wide(5_001)  # 10,002 steps
    with pytest.raises(autograd.GraphTooLargeError, match="max_rows=10000"):
        autograd.steps_table(backward_steps(out))
    _, out = wide(5_000)  # exactly 10,000
    assert len(autograd.steps_table(backward_steps(out)).splitlines()) == 10_002


def test_it_stops_taking_steps_once_over_the_limit():
    _, out = wide(3)
    one = next(iter(backward_steps(out)))
    taken = []

    def endless():
        for i in itertools.count():
            taken.append(i)
            yield one

    with pytest.raises(autograd.GraphTooLargeError):
        autograd.steps_table(endless(), max_rows=50)
    assert len(taken) == 51


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10", None])
def test_bad_max_rows_is_named(bad):
    _, out = wide(2)
    with pytest.raises(ValueError, match=r"steps_table: max_rows must be a non-negative int, "
                                         rf"got {bad!r}"):
        autograd.steps_table(backward_steps(out), max_rows=bad)
