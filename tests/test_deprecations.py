"""Old names kept for one release, each with a DeprecationWarning naming the new one."""

import pickle
import warnings

import numpy as np
import pytest

import autograd
from autograd import Op, Value


def _square_rule(out, x):
    return (2 * x,)


def _square(x):
    return x * x


def test_op_ieee_argument_is_array_forward_with_a_warning():
    with pytest.warns(DeprecationWarning, match="array_forward="):
        old = Op("square", _square_rule, forward=_square, ieee=np.square)
    assert old.array_forward is np.square
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name warns about nothing
        new = Op("square", _square_rule, forward=_square, array_forward=np.square)
        assert new.array_forward is np.square


def test_op_ieee_attribute_reads_array_forward_with_a_warning():
    with pytest.warns(DeprecationWarning, match="op.array_forward"):
        assert autograd.ops.EXP.ieee == "exp" == autograd.ops.EXP.array_forward
    with pytest.warns(DeprecationWarning):
        assert autograd.ops.MUL.ieee is None


def test_op_refuses_both_names():
    with pytest.raises(TypeError, match="array_forward= only"):
        Op("square", _square_rule, forward=_square, ieee="square", array_forward="square")


def test_an_op_made_with_the_old_name_replays_and_pickles():
    with pytest.warns(DeprecationWarning):
        square = Op("square", _square_rule, forward=_square, ieee="square")
    w = Value(3.0)
    replay = autograd.trace(lambda x: autograd.apply(square, w * x), 1.0, params=[w])
    assert replay(np.array([1.0, 2.0])).tolist() == [9.0, 36.0]
    assert pickle.loads(pickle.dumps(square)).array_forward == "square"
