"""Worked solutions for the activation checks: activation, derivative and softmax."""

from __future__ import annotations

import math
from typing import Any

from quiz.model import Text
from quiz.numeric import activations
from quiz.numeric.reference import solution_text
from quiz.numeric.typed_answers import format_number as num
from quiz.numeric.typed_answers import format_operand as _p
from quiz.numeric.typed_answers import format_value


def _exp(power: float) -> str:
    """`e^1.5`, or `e^(-1.5)` for a negative power: one pair of parentheses, never two."""
    return f"e^{num(power)}" if power >= 0 else f"e^({num(power)})"


_FORMULAS = {
    "sigmoid": "σ(x) = 1/(1 + e^(−x))",
    "tanh": "tanh(x) = (e^x − e^(−x))/(e^x + e^(−x))",
    "relu": "ReLU(x) = max(0, x)",
    "leaky_relu": "LeakyReLU(x) = x (x > 0), 0.01·x (x ≤ 0)",
    "elu": "ELU(x) = x (x > 0), e^x − 1 (x ≤ 0)",
    "swish": "swish(x) = SiLU(x) = x·σ(x) (β = 1)",
    "softplus": "softplus(x) = ln(1 + e^x)",
    "gelu": "GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2",
}


def _steps(name: str, x: float, v: float) -> str:
    """The formula with x substituted, each step computed, ending in the value."""
    xn, end = num(x), f" = {num(v)}"
    match name:
        case "sigmoid":
            return f"= 1/(1 + {_exp(-x)}) = 1/(1 + {num(math.exp(-x))}){end}"
        case "tanh":
            up, down = num(math.exp(x)), num(math.exp(-x))
            return (f"= ({_exp(x)} − {_exp(-x)})/({_exp(x)} + {_exp(-x)}) "
                    f"= ({up} − {down})/({up} + {down}){end}")
        case "relu":
            return f"= max(0, {xn}){end}"
        case "leaky_relu":
            return f"x > 0 → {xn}" if x > 0 else f"= 0.01·{_p(x)}{end}"
        case "elu":
            if x > 0:
                return f"x > 0 → {xn}"
            return f"= {_exp(x)} − 1 = {num(math.exp(x))} − 1{end}"
        case "swish":
            return f"= {xn}·σ({xn}) = {xn}·{num(activations.sigmoid(x))}{end}"
        case "softplus":
            return f"= ln(1 + {_exp(x)}) = ln(1 + {num(math.exp(x))}){end}"
    cdf = (1 + math.erf(x / math.sqrt(2))) / 2
    return f"= {xn}·Φ({xn}) = {xn}·{num(cdf)}{end}"


def activation_solution(a: dict[str, Any], v: float) -> Text:
    """The formula of activation `name`, then with x substituted, step by step."""
    name, x = activations.activation_name(a["name"]), a["x"]
    asked = a["name"]  # as the question names it: silu stays silu
    return solution_text(
        f"{asked} 在 x = {num(x)} 处的值：",
        f"{asked} at x = {num(x)}:",
        _FORMULAS[name],
        _steps(name, x, v),
    )


def _derivative_line(name: str, x: float, v: float) -> str:
    xs, xn, s = _p(x), num(x), activations.sigmoid(x)
    match name:
        case "sigmoid":
            return (f"σ({xn}) = {num(s)}; σ'(x) = σ(x)·(1 − σ(x)) = {num(s)}·(1 − {num(s)}) "
                    f"= {num(v)}")
        case "tanh":
            t = math.tanh(x)
            return f"tanh({xn}) = {num(t)}; tanh'(x) = 1 − tanh²(x) = 1 − {_p(t)}² = {num(v)}"
        case "relu":
            return f"ReLU'(x) = 1 (x > 0), 0 (x ≤ 0); x = {xn} → {num(v)}"
        case "leaky_relu":
            return f"LeakyReLU'(x) = 1 (x > 0), 0.01 (x ≤ 0); x = {xn} → {num(v)}"
        case "elu":
            if x > 0:
                return f"ELU'(x) = 1 (x > 0), e^x (x ≤ 0); x = {xn} → {num(v)}"
            return f"ELU'(x) = 1 (x > 0), e^x (x ≤ 0); x = {xn} → {_exp(x)} = {num(v)}"
        case "swish":
            return (
                f"σ({xn}) = {num(s)}; swish'(x) = σ(x) + x·σ(x)·(1 − σ(x)) = {num(s)} + "
                f"{xs}·{num(s)}·(1 − {num(s)}) = {num(v)}"
            )
        case "softplus":
            return f"softplus'(x) = σ(x) = 1/(1 + {_exp(-x)}) = {num(v)}"
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
    return solution_text(zh, en, _derivative_line(name, x, v))


def softmax_solution(a: dict[str, Any], v: list[float]) -> Text:
    """Softmax step by step: subtract the max, exponentiate, normalise."""
    xs = a["xs"]
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return solution_text(
        "softmax（先减去最大值，数值稳定）：",
        "Softmax (subtract the max first, for stability):",
        "softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x)",
        f"max x = {num(top)}; e^(x_i − max x) = [{format_value(exps)}]",
        f"Σ = {num(math.fsum(exps))}; softmax = [{format_value(v)}]",
    )
