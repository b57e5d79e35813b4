"""Activations against their textbook formulas, derivatives against finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.numeric.activations import FUNCTIONS, activation, derivative

NAMES = sorted(FUNCTIONS)
KINKED = {"relu", "leaky_relu", "elu"}
H = 1e-6


def central_difference(name: str, x: float) -> float:
    return (activation(name, x + H) - activation(name, x - H)) / (2 * H)


@pytest.mark.parametrize("name", NAMES)
@given(x=st.floats(-20, 20))
def test_derivative_matches_finite_differences(name, x):
    if name in KINKED and abs(x) < 1e-3:
        return  # the kink is pinned down by test_derivative_at_kinks_follows_pytorch
    assert math.isclose(
        derivative(name, x), central_difference(name, x), rel_tol=1e-4, abs_tol=1e-6
    )


def test_derivative_at_kinks_follows_pytorch():
    assert derivative("relu", 0) == 0.0
    assert derivative("leaky_relu", 0) == 0.01
    assert derivative("elu", 0) == 1.0
    assert derivative("relu", 1e-12) == 1.0
    assert derivative("leaky_relu", -1e-12) == 0.01


# Textbook forms, written out independently of the stable implementations (moderate x only).
TEXTBOOK = {
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": lambda x: (math.exp(x) - math.exp(-x)) / (math.exp(x) + math.exp(-x)),
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: max(0.01 * x, x),
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "swish": lambda x: x / (1 + math.exp(-x)),
    "softplus": lambda x: math.log(1 + math.exp(x)),
    "gelu": lambda x: x * 0.5 * (1 + math.erf(x / math.sqrt(2))),
}


@pytest.mark.parametrize("name", NAMES)
@given(x=st.floats(-15, 15))
def test_activation_matches_textbook_formula(name, x):
    assert math.isclose(activation(name, x), TEXTBOOK[name](x), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@given(x=st.floats(-1e6, 1e6))
def test_no_overflow_for_large_inputs(name, x):
    assert math.isfinite(activation(name, x))
    assert math.isfinite(derivative(name, x))


def test_stable_tails():
    assert activation("sigmoid", -1000) == 0.0
    assert activation("sigmoid", 1000) == 1.0
    assert activation("softplus", 1000) == 1000.0
    assert 0 < activation("softplus", -700) < 1e-300
    assert derivative("softplus", -1000) == 0.0


def test_known_values():
    assert derivative("sigmoid", 0) == 0.25
    assert derivative("tanh", 0) == 1.0
    assert activation("gelu", 0) == 0.0 and derivative("gelu", 0) == 0.5
    assert derivative("swish", 0) == 0.5
    assert activation("silu", 1.0) == activation("swish", 1.0)


@pytest.mark.parametrize(
    ("name", "x", "message"),
    [
        ("selu", 0.0, "unknown activation 'selu'"),
        (None, 0.0, "unknown activation None"),
        (["relu"], 0.0, r"unknown activation \['relu'\]"),
        ("relu", math.nan, "finite"),
        ("relu", "1", "must be a number"),
        ("relu", True, "must be a number"),
    ],
)
def test_bad_arguments_raise_value_error(name, x, message):
    with pytest.raises(ValueError, match=message):
        derivative(name, x)
    with pytest.raises(ValueError, match=message):
        activation(name, x)
