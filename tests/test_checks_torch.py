"""Cross-check the reference functions against PyTorch itself; skipped when torch is absent."""

from __future__ import annotations

import math
import warnings

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # torch may warn on import (e.g. without numpy)
    warnings.simplefilter("ignore")
    torch = pytest.importorskip("torch")
    F = torch.nn.functional

from quiz.numeric import formulas  # noqa: E402
from quiz.numeric.activations import FUNCTIONS, activation, derivative  # noqa: E402

fast = settings(max_examples=examples(150), deadline=None)
small = st.integers(1, 40)
kernels = st.integers(1, 9)
strides = st.integers(1, 5)
pads = st.integers(0, 5)
dilations = st.integers(1, 3)


def torch_length(make) -> int | None:
    """The output length torch computes, or None where torch refuses the arguments."""
    try:
        return make().shape[-1]
    except RuntimeError:
        return None


def ours(function, *args) -> int | None:
    try:
        return function(*args)
    except ValueError:
        return None


@fast
@given(small, kernels, strides, pads, dilations)
def test_conv_output_size(n, k, s, p, d):
    expected = torch_length(
        lambda: F.conv1d(
            torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d
        )
    )
    assert ours(formulas.conv_output_size, n, k, s, p, d) == expected


@fast
@given(small, kernels, strides, pads, st.integers(0, 4), dilations)
def test_conv_transpose_output_size(n, k, s, p, op, d):
    expected = torch_length(
        lambda: F.conv_transpose1d(
            torch.zeros(1, 1, n),
            torch.zeros(1, 1, k),
            stride=s,
            padding=p,
            output_padding=op,
            dilation=d,
        )
    )
    assert ours(formulas.conv_transpose_output_size, n, k, s, p, op, d) == expected


@fast
@given(small, kernels, strides, pads, dilations, st.booleans())
def test_max_pool_output_size(n, k, s, p, d, ceil):
    expected = torch_length(lambda: F.max_pool1d(torch.zeros(1, 1, n), k, s, p, d, ceil))
    assert ours(formulas.pool_output_size, n, k, s, p, d, ceil) == expected


@fast
@given(small, kernels, strides, pads, st.booleans())
def test_avg_pool_output_size(n, k, s, p, ceil):
    expected = torch_length(lambda: F.avg_pool1d(torch.zeros(1, 1, n), k, s, p, ceil))
    assert ours(formulas.pool_output_size, n, k, s, p, 1, ceil) == expected


@fast
@given(small, kernels, dilations)
def test_same_padding(n, k, d):
    conv = torch.nn.Conv1d(1, 1, k, padding="same", dilation=d, bias=False)
    p = ours(formulas.same_padding, k, d)
    if p is not None:
        assert conv.padding == "same" and conv._reversed_padding_repeated_twice == [p, p]
        assert conv(torch.zeros(1, 1, n)).shape[-1] == n


def count(module) -> int:
    return sum(p.numel() for p in module.parameters())


@fast
@given(st.integers(1, 300), st.integers(1, 300), st.booleans())
def test_recurrent_params(i, h, bias):
    assert formulas.rnn_params(i, h, bias) == count(torch.nn.RNN(i, h, bias=bias))
    assert formulas.lstm_params(i, h, bias) == count(torch.nn.LSTM(i, h, bias=bias))
    assert formulas.gru_params(i, h, bias) == count(torch.nn.GRU(i, h, bias=bias))


@fast
@given(
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(1, 5),
    st.booleans(),
)
def test_conv_and_linear_params(gi, go, g, kh, kw, bias):
    conv = torch.nn.Conv2d(gi * g, go * g, (kh, kw), groups=g, bias=bias)
    assert formulas.conv_params(gi * g, go * g, [kh, kw], bias, g) == count(conv)
    assert formulas.linear_params(gi, go, bias) == count(torch.nn.Linear(gi, go, bias=bias))


TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": F.elu,
    "swish": F.silu,
    "softplus": F.softplus,
    "gelu": F.gelu,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@fast
@given(x=st.one_of(st.floats(-30, 30), st.sampled_from([0.0, -0.0, 1e-9, -1e-9])))
def test_activation_and_autograd_derivative(name, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH[name](t)
    y.backward()
    # torch's softplus turns into the identity above x = 20 (its `threshold`); ours stays
    # exact, which differs from torch by less than e^-20 ≈ 2e-9 there.
    abs_tol = 1e-8 if name == "softplus" else 1e-12
    assert math.isclose(activation(name, x), y.item(), rel_tol=1e-9, abs_tol=abs_tol)
    assert math.isclose(derivative(name, x), t.grad.item(), rel_tol=1e-9, abs_tol=abs_tol)


@fast
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=10))
def test_softmax(xs):
    expected = torch.softmax(torch.tensor(xs, dtype=torch.float64), 0).tolist()
    assert all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)
        for a, b in zip(formulas.softmax(xs), expected, strict=True)
    )


@fast
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.data())
def test_pool2d(h, w, k, s, data):
    matrix = data.draw(
        st.lists(st.lists(st.integers(-9, 9), min_size=w, max_size=w), min_size=h, max_size=h)
    )
    t = torch.tensor([[matrix]], dtype=torch.float64)
    for mode, pool in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        if k > h or k > w:
            with pytest.raises(ValueError):
                formulas.pool2d(matrix, k, s, mode)
            continue
        expected = pool(t, k, s)[0, 0].tolist()
        got = formulas.pool2d(matrix, k, s, mode)
        assert len(got) == len(expected)
        for row, want in zip(got, expected, strict=True):
            assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(row, want, strict=True))
