"""Activation functions and their derivatives, numerically stable, with PyTorch's conventions.

At the kinks PyTorch's autograd picks: ReLU'(0) = 0, LeakyReLU'(0) = the slope (0.01),
ELU'(0) = 1. Swish uses β = 1 (it is SiLU); GELU is the exact erf form; ELU uses α = 1.
Softplus stays exact for large x, where PyTorch switches to the identity above x = 20
(a difference below e^-20).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from quiz.numeric.arguments import real, shown

LEAKY_SLOPE = 0.01
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def sigmoid(x: float) -> float:
    """`σ(x) = 1/(1 + e^−x)`, computed from e^−|x| so that exp never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """`ln(1 + e^x)`, computed as `max(x, 0) + ln(1 + e^−|x|)` so that exp never overflows."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _leaky_negative(x: float) -> float:
    """`0.01·x` in decimal on x as written, so 0.01·(−1.5) is −0.015, not −0.015000000000000001."""
    return float(Decimal(repr(LEAKY_SLOPE)) * Decimal(repr(x)))


def _gelu(x: float) -> float:
    """`x·Φ(x) = x·(1 + erf(x/√2))/2`."""
    return 0.5 * x * (1.0 + math.erf(x / _SQRT2))


def _gelu_prime(x: float) -> float:
    """`Φ(x) + x·φ(x)`, φ the standard normal density."""
    return 0.5 * (1.0 + math.erf(x / _SQRT2)) + x * _INV_SQRT_2PI * math.exp(-0.5 * x * x)


def _swish_prime(x: float) -> float:
    """`σ(x) + x·σ(x)(1 − σ(x))`."""
    s = sigmoid(x)
    return s + x * s * (1.0 - s)


FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "relu": lambda x: x if x > 0 else 0.0,
    "leaky_relu": lambda x: x if x > 0 else _leaky_negative(x),
    "elu": lambda x: x if x > 0 else math.expm1(x),
    "swish": lambda x: x * sigmoid(x),
    "softplus": softplus,
    "gelu": _gelu,
}

DERIVATIVES: dict[str, Callable[[float], float]] = {
    "sigmoid": lambda x: sigmoid(x) * (1.0 - sigmoid(x)),
    "tanh": lambda x: 1.0 - math.tanh(x) ** 2,
    "relu": lambda x: 1.0 if x > 0 else 0.0,
    "leaky_relu": lambda x: 1.0 if x > 0 else LEAKY_SLOPE,
    "elu": lambda x: 1.0 if x > 0 else math.exp(x),
    "swish": _swish_prime,
    "softplus": sigmoid,
    "gelu": _gelu_prime,
}

ALIASES = {"silu": "swish"}


def activation_name(name: Any) -> str:
    """The canonical name of an activation ("silu" → "swish"), or ValueError if unknown."""
    key = ALIASES.get(name, name) if isinstance(name, str) else None
    if key not in FUNCTIONS:
        raise ValueError(f"unknown activation {shown(name)} (known: {', '.join(FUNCTIONS)})")
    return key


def _point(x: Any) -> float:
    """`x` as a float if it is a finite number within ±10^15, else ValueError."""
    return float(real("x", x))


# Functions whose value (or derivative) is exact by construction at x: graded exactly when a
# template states no tolerance, so relu'(−3) = 0 does not accept 0.0001.
_EXACT_VALUES = {"relu": lambda x: True, "leaky_relu": lambda x: True, "elu": lambda x: x > 0}
_EXACT_DERIVATIVES = {**_EXACT_VALUES, "elu": lambda x: x > 0}


def is_exact(name: str, x: float, of_derivative: bool = False) -> bool:
    """Whether activation `name` (or its derivative) at x is exact, not a rounded real."""
    table = _EXACT_DERIVATIVES if of_derivative else _EXACT_VALUES
    rule = table.get(activation_name(name))
    return rule is not None and rule(x)


def activation(name: str, x: float) -> float:
    """The activation `name` at x (sigmoid, tanh, relu, leaky_relu, elu, swish, softplus, gelu)."""
    return FUNCTIONS[activation_name(name)](_point(x))


def derivative(name: str, x: float) -> float:
    """The derivative of activation `name` at x, with PyTorch's value at the kinks."""
    return DERIVATIVES[activation_name(name)](_point(x))
