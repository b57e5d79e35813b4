"""Worked solutions for the activation checks: activation, derivative and softmax."""

from __future__ import annotations

import math
from typing import Any

from quiz import activations
from quiz.answers import format_number as num
from quiz.answers import format_operand as _p
from quiz.answers import format_value
from quiz.model import Text


def _text(zh: str, en: str, *lines: str) -> Text:
    """A heading in each language followed by the shared maths lines."""
    return Text("\n".join([zh, *lines]), "\n".join([en, *lines]))


_FORMULAS = {  # name → (f(x), f(x) with x substituted as {x})
    "sigmoid": ("σ(x) = 1/(1 + e^(−x))", "1/(1 + e^(−{x}))"),
    "tanh": ("tanh(x) = (e^x − e^(−x))/(e^x + e^(−x))", "tanh({x})"),
    "relu": ("ReLU(x) = max(0, x)", "max(0, {x})"),
    "leaky_relu": ("LeakyReLU(x) = x (x > 0), 0.01·x (x ≤ 0)", "LeakyReLU({x})"),
    "elu": ("ELU(x) = x (x > 0), e^x − 1 (x ≤ 0)", "ELU({x})"),
    "swish": ("swish(x) = x·σ(x)", "{x}·σ({x})"),
    "softplus": ("softplus(x) = ln(1 + e^x)", "ln(1 + e^{x})"),
    "gelu": ("GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2", "{x}·Φ({x})"),
}


def activation_solution(a: dict[str, Any], v: float) -> Text:
    """The formula of activation `name`, then with x substituted."""
    name, x = activations.activation_name(a["name"]), a["x"]
    formula, substituted = _FORMULAS[name]
    return _text(
        f"{name} 在 x = {num(x)} 处的值：",
        f"{name} at x = {num(x)}:",
        formula,
        f"= {substituted.format(x=_p(x))} = {num(v)}",
    )


def _derivative_line(name: str, x: float, v: float) -> str:
    xs, s = _p(x), activations.sigmoid(x)
    match name:
        case "sigmoid":
            return f"σ'(x) = σ(x)·(1 − σ(x)) = {num(s)}·(1 − {num(s)}) = {num(v)}"
        case "tanh":
            return f"tanh'(x) = 1 − tanh²(x) = 1 − {_p(math.tanh(x))}² = {num(v)}"
        case "relu":
            return f"ReLU'(x) = 1 (x > 0), 0 (x ≤ 0); x = {num(x)} → {num(v)}"
        case "leaky_relu":
            return f"LeakyReLU'(x) = 1 (x > 0), 0.01 (x ≤ 0); x = {num(x)} → {num(v)}"
        case "elu":
            return f"ELU'(x) = 1 (x > 0), e^x (x ≤ 0); x = {num(x)} → {num(v)}"
        case "swish":
            return (
                f"swish'(x) = σ(x) + x·σ(x)·(1 − σ(x)) = {num(s)} + {xs}·{num(s)}·"
                f"(1 − {num(s)}) = {num(v)}"
            )
        case "softplus":
            return f"softplus'(x) = σ(x) = 1/(1 + e^(−{xs})) = {num(v)}"
    phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = (1 + math.erf(x / math.sqrt(2))) / 2
    return f"GELU'(x) = Φ(x) + x·φ(x) = {num(cdf)} + {xs}·{num(phi)} = {num(v)}"


def derivative_solution(a: dict[str, Any], v: float) -> Text:
    """The derivative's formula with x substituted, and PyTorch's choice at a kink."""
    name, x = activations.activation_name(a["name"]), a["x"]
    zh, en = f"{name} 在 x = {num(x)} 处的导数：", f"Derivative of {name} at x = {num(x)}:"
    if x == 0 and name in ("relu", "leaky_relu", "elu"):
        zh += f"x = 0 是折点，PyTorch 取 {num(v)}。"
        en += f" x = 0 is a kink; PyTorch uses {num(v)}."
    return _text(zh, en, _derivative_line(name, x, v))


def softmax_solution(a: dict[str, Any], v: list[float]) -> Text:
    """Softmax step by step: subtract the max, exponentiate, normalise."""
    xs = a["xs"]
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return _text(
        "softmax（先减去最大值，数值稳定）：",
        "Softmax (subtract the max first, for stability):",
        "softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x)",
        f"max x = {num(top)}; e^(x_i − max x) = [{format_value(exps)}]",
        f"Σ = {num(math.fsum(exps))}; softmax = [{format_value(v)}]",
    )
