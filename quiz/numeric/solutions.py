"""The checks a bank may name, and the worked solution of each, in Chinese and English.

A worked solution shows the formula, then the formula with the numbers substituted, e.g.
`⌊(32 + 2·1 − 1·(3−1) − 1)/1⌋ + 1 = ⌊31/1⌋ + 1 = 32`. The maths line is shared by both
languages; only the heading and the remarks are translated.

REGISTRY is the one list of checks, for the bank's `check:` and for `quiz calc`. To add
reference functions, write them (and their solutions) in a new module that builds
`quiz.numeric.reference.Check` objects, and splice that module's list into REGISTRY below.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from quiz.model import Text
from quiz.numeric import activations, attention_solutions, formulas
from quiz.numeric.activation_solutions import (
    activation_solution,
    derivative_solution,
    softmax_solution,
)
from quiz.numeric.arguments import answer_problem
from quiz.numeric.reference import Check, Worked, always, one_formula, solution_text
from quiz.numeric.typed_answers import format_number as num
from quiz.numeric.typed_answers import format_operand as _p
from quiz.numeric.typed_answers import format_value

__all__ = ["CHECKS", "COMMANDS", "REGISTRY", "Check", "Worked", "explain", "find", "names"]


def _window_count(a: dict[str, Any], s: int, v: int, *, ceil: bool = False) -> list[str]:
    """Conv's and pooling's output size (PyTorch's formula), then with the numbers in; `ceil`
    rounds up, as pooling's ceil_mode does (before dropping a window that starts in padding)."""
    n, k, p, d = a["size"], a["kernel"], a["padding"], a["dilation"]
    top = n + 2 * p - d * (k - 1) - 1
    lo, hi, mode = ("⌈", "⌉", "ceil_mode: ") if ceil else ("⌊", "⌋", "")
    return [f"{mode}{lo}(n + 2p − d·(k−1) − 1)/s{hi} + 1",
            f"= {lo}({n} + 2·{p} − {d}·({k}−1) − 1)/{s}{hi} + 1 = {lo}{top}/{s}{hi} + 1 = {v}"]


def _conv(a: dict[str, Any], v: int) -> Text:
    return solution_text("卷积输出边长（PyTorch 公式）：", "Conv output size (PyTorch's formula):",
                         *_window_count(a, a["stride"], v))


_conv_transpose = one_formula(
    "转置卷积输出边长（PyTorch 公式）：", "Transposed conv output size (PyTorch's formula):",
    "(n−1)·s − 2p + d·(k−1) + output_padding + 1",
    "= ({size}−1)·{stride} − 2·{padding} + {dilation}·({kernel}−1) + {output_padding} + 1 "
    "= {value}")


def _pool(a: dict[str, Any], v: int) -> Text:
    n, k, p, d = a["size"], a["kernel"], a["padding"], a["dilation"]
    s = k if a["stride"] is None else a["stride"]
    zh, en = "池化输出边长（PyTorch 公式）：", "Pooling output size (PyTorch's formula):"
    if a["stride"] is None:
        zh += f"步长默认等于核大小，s = {k}。"
        en += f" the stride defaults to the kernel, s = {k}."
    if not a["ceil_mode"]:
        return solution_text(zh, en, *_window_count(a, s, v))
    raw = -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1
    lines = _window_count(a, s, raw, ceil=True)
    if raw == v:
        return solution_text(zh, en, *lines)
    start = (raw - 1) * s
    zh_note = (
        f"最后一个窗口起点 ({raw}−1)·{s} = {start} ≥ n + p = {n + p}，落在右侧填充里，舍去：{v}"
    )
    en_note = (
        f"the last window would start at ({raw}−1)·{s} = {start} ≥ n + p = {n + p}, "
        f"inside the right padding, so it is dropped: {v}"
    )
    return Text("\n".join([zh, *lines, zh_note]), "\n".join([en, *lines, en_note]))


def _same(a: dict[str, Any], v: int) -> Text:
    k, d = a["kernel"], a["dilation"]
    return solution_text(
        "步长为 1 时保持尺寸的填充：",
        "Padding that keeps the size at stride 1:",
        f"p = d·(k−1)/2 = {d}·({k}−1)/2 = {v}",
    )


def _layer_params(layer: tuple[str, str], weights: tuple[str, str], bias: tuple[str, int],
                  has_bias: bool, v: int) -> Text:
    """A layer's parameter count: its weights (formula, numbers), plus `bias` when it has one."""
    zh, en = ("（权重 + 偏置）", "(weights + biases)") if has_bias else ("（只有权重，无偏置）",
                                                                  "(weights only, no biases)")
    plus = (f" + {bias[0]}", f" + {bias[1]}") if has_bias else ("", "")
    return solution_text(f"{layer[0]}参数量{zh}：", f"{layer[1]} parameters {en}:",
                         f"{weights[0]}{plus[0]} = {weights[1]}{plus[1]} = {v}")


def _conv_params(a: dict[str, Any], v: int) -> Text:
    c_in, c_out, g = a["in_channels"], a["out_channels"], a["groups"]
    kh, kw = (a["kernel"], a["kernel"]) if isinstance(a["kernel"], int) else a["kernel"]
    return _layer_params(("卷积层", "Conv layer"),
                         ("C_out·(C_in/g)·k_h·k_w", f"{c_out}·({c_in}/{g})·{kh}·{kw}"),
                         ("C_out", c_out), a["bias"], v)


def _linear(a: dict[str, Any], v: int) -> Text:
    i, o = a["in_features"], a["out_features"]
    return _layer_params(("全连接层", "Linear layer"), ("out·in", f"{o}·{i}"), ("out", o),
                         a["bias"], v)


def _keras_note(gates: int, i: int, h: int) -> tuple[str, str]:
    """How Keras counts the same layer (biases on), in each language."""
    one_bias = gates * (h * (i + h) + h)
    if gates == 3:  # GRU: TF 2's default reset_after=True keeps b_ih and b_hh, as PyTorch does
        return (
            f"（Keras/TF 2 默认 reset_after=True，同样有两组偏置，计数与 PyTorch 相同；"
            f"reset_after=False 时只有一组：3·(h·(i + h) + h) = {one_bias}）",
            f"(Keras in TF 2 defaults to reset_after=True, with both biases: the same count "
            f"as PyTorch; reset_after=False keeps one: 3·(h·(i + h) + h) = {one_bias})",
        )
    if gates == 1:
        return (f"（Keras 的 SimpleRNN 只有一个偏置：h·(i + h) + h = {one_bias}）",
                f"(Keras's SimpleRNN has one bias: h·(i + h) + h = {one_bias})")
    return (f"（Keras 每个门只有一个偏置：{gates}·(h·(i + h) + h) = {one_bias}）",
            f"(Keras keeps one bias per gate: {gates}·(h·(i + h) + h) = {one_bias})")


def _recurrent(gates: int, label: str) -> Callable[[dict[str, Any], int], Text]:
    def solve(a: dict[str, Any], v: int) -> Text:
        i, h = a["input_size"], a["hidden_size"]
        blocks_zh = "没有门，只有一组：" if gates == 1 else f"{gates} 组（每个门一组），每组有 "
        zh = (
            f"单向单层 {label} 的参数量（按 PyTorch 计）：{blocks_zh}"
            "W_ih（h×i）、W_hh（h×h）" + ("和两个偏置 b_ih、b_hh：" if a["bias"] else "，无偏置：")
        )
        blocks = ("no gates, one block of" if gates == 1
                  else f"{gates} blocks (one per gate), each with")
        en = (
            f"One unidirectional {label} layer, counted as PyTorch does: {blocks} "
            "W_ih (h×i), W_hh (h×h)"
            + (" and two biases b_ih, b_hh:" if a["bias"] else ", no biases:")
        )
        g = "" if gates == 1 else f"{gates}·"
        if not a["bias"]:
            return solution_text(zh, en, f"{g}h·(i + h) = {g}{h}·({i} + {h}) = {v}")
        line = (f"{g}(h·(i + h) + 2h) = {g}({h}·({i} + {h}) + 2·{h}) = {v}" if gates > 1
                else f"h·(i + h) + 2h = {h}·({i} + {h}) + 2·{h} = {v}")
        keras_zh, keras_en = _keras_note(gates, i, h)
        return Text(f"{zh}\n{line}\n{keras_zh}", f"{en}\n{line}\n{keras_en}")

    return solve


def _per_epoch(a: dict[str, Any], v: int) -> Text:
    n, b = a["n_samples"], a["batch_size"]
    if a["drop_last"]:
        return solution_text(
            "每轮迭代次数（drop_last：丢弃不满的最后一批）：",
            "Iterations per epoch (drop_last: the incomplete last batch is dropped):",
            f"⌊N/B⌋ = ⌊{n}/{b}⌋ = {v}",
        )
    return solution_text(
        "每轮迭代次数（最后一批不满也算一次）：",
        "Iterations per epoch (an incomplete last batch still counts):",
        f"⌈N/B⌉ = ⌈{n}/{b}⌉ = {v}",
    )


def _total(a: dict[str, Any], v: int) -> Text:
    n, b, e = a["n_samples"], a["batch_size"], a["epochs"]
    per = formulas.iterations_per_epoch(n, b, a["drop_last"])
    brackets = (
        ("⌊", "⌋", "丢弃不满的最后一批", "the incomplete last batch is dropped")
        if a["drop_last"]
        else ("⌈", "⌉", "最后一批不满也算一次", "an incomplete last batch counts")
    )
    lo, hi = brackets[:2]
    return solution_text(
        f"总迭代次数 = 轮数 × 每轮迭代次数（{brackets[2]}）：",
        f"Total iterations = epochs × iterations per epoch ({brackets[3]}):",
        f"epochs·{lo}N/B{hi} = {e}·{lo}{n}/{b}{hi} = {e}·{per} = {v}",
    )


def _pool2d(a: dict[str, Any], v: list[list[float]]) -> Text:
    k, mode = a["kernel"], a["mode"]
    s = k if a["stride"] is None else a["stride"]
    windows = formulas.pool_windows(a["matrix"], k, s)
    lines = []
    for row in windows:
        for w in row:
            if mode == "max":
                lines.append(f"max({format_value(w)}) = {num(max(w))}")
            else:
                lines.append(f"({' + '.join(map(num, w))})/{len(w)} = {num(math.fsum(w) / len(w))}")
    kind_zh, kind_en = ("最大", "max") if mode == "max" else ("平均", "average")
    return solution_text(
        f"{k}×{k} {kind_zh}池化，步长 {s}，逐个窗口：",
        f"{k}×{k} {kind_en} pooling, stride {s}, window by window:",
        *lines,
        f"→ {format_value(v)}",
    )


def _compose(a: dict[str, Any], v: list[float]) -> Text:
    x, b, t = a["a"], a["b"], a["times"]
    slope = {1: "x", -1: "−x"}.get(x, f"{num(x)}x")
    f = f"f(x) = {slope} + {num(b)}" if b >= 0 else f"f(x) = {slope} − {num(-b)}"
    head = (f"{f} 作用 {t} 次后是 A·x + B：", f"{f} applied {t} times is A·x + B:")
    if x == 1:
        return solution_text(*head, f"a = 1: A = 1, B = b·t = {_p(b)}·{t} = {num(v[1])}")
    return solution_text(
        *head,
        f"A = a^t = {_p(x)}^{t} = {num(v[0])}",
        f"B = b·(a^t − 1)/(a − 1) = {_p(b)}·({num(v[0])} − 1)/({_p(x)} − 1) = {num(v[1])}",
    )


def _gd(a: dict[str, Any], v: Any) -> Text:
    theta, grad, lr = a["theta"], a["grad"], a["lr"]
    if isinstance(v, list):
        shown = [f"[{format_value(x)}]" if isinstance(x, list) else _p(x) for x in (theta, grad)]
        line = f"= {shown[0]} − {num(lr)}·{shown[1]} = [{format_value(v)}]"
    else:
        line = f"= {num(theta)} − {num(lr)}·{_p(grad)} = {num(v)}"
    return solution_text("一步梯度下降（α 为学习率）：",
                 "One gradient-descent step (α is the learning rate):", "θ' = θ − α·∂J/∂θ", line)


def _dropout(a: dict[str, Any], v: float) -> Text:
    p = a["p"]
    return solution_text(
        "反向 dropout：训练时保留的单元乘以 1/(1 − p)，使期望不变（p 为丢弃概率）：",
        "Inverted dropout scales the kept units by 1/(1 − p), keeping the expectation "
        "(p is the drop probability):",
        f"1/(1 − p) = 1/(1 − {num(p)}) = {num(v)}",
    )


def _activation_exact(a: dict[str, Any], v: float) -> bool:
    return activations.is_exact(a["name"], a["x"])


def _derivative_exact(a: dict[str, Any], v: float) -> bool:
    return activations.is_exact(a["name"], a["x"], of_derivative=True)


def _pool2d_exact(a: dict[str, Any], v: Any) -> bool:
    """Max pooling picks an input; an average over k² terminates when k² is 2^i·5^j."""
    if a["mode"] == "max":
        return True
    n = a["kernel"] ** 2
    for prime in (2, 5):
        while n % prime == 0:
            n //= prime
    return n == 1


_TEXT, _NUMBERS = {"name": "text"}, {"theta": "numbers", "grad": "numbers"}

# One registry for the bank's `check:` names and `quiz calc`. A module of new reference
# functions adds its Check objects to this list (and nothing else needs to change).
REGISTRY: list[Check] = [
    Check("conv_output_size", formulas.conv_output_size, _conv, "conv"),
    Check("conv_transpose_output_size", formulas.conv_transpose_output_size, _conv_transpose,
          "conv-transpose"),
    Check("pool_output_size", formulas.pool_output_size, _pool, "pool"),
    Check("same_padding", formulas.same_padding, _same, "same-padding"),
    Check("conv_params", formulas.conv_params, _conv_params, "conv-params", {"kernel": "numbers"}),
    Check("linear_params", formulas.linear_params, _linear, "linear-params"),
    Check("rnn_params", formulas.rnn_params, _recurrent(1, "RNN"), "rnn-params"),
    Check("lstm_params", formulas.lstm_params, _recurrent(4, "LSTM"), "lstm-params"),
    Check("gru_params", formulas.gru_params, _recurrent(3, "GRU"), "gru-params"),
    Check("iterations_per_epoch", formulas.iterations_per_epoch, _per_epoch, "iterations"),
    Check("total_iterations", formulas.total_iterations, _total, "total-iterations"),
    Check("activation", activations.activation, activation_solution, "activation", _TEXT,
          _activation_exact),
    Check("derivative", activations.derivative, derivative_solution, "derivative", _TEXT,
          _derivative_exact),
    Check("softmax", formulas.softmax, softmax_solution, "softmax", {"xs": "vector"}),
    Check("pool2d", formulas.pool2d, _pool2d, "pool2d", {"matrix": "matrix", "mode": "text"},
          _pool2d_exact),
    Check("compose_linear", formulas.compose_linear, _compose, "compose"),
    Check("gd_step", formulas.gd_step, _gd, "gd-step", _NUMBERS, always),
    Check("inverted_dropout_scale", formulas.inverted_dropout_scale, _dropout, "dropout-scale"),
    *attention_solutions.CHECKS,
]
CHECKS: dict[str, Check] = {c.name: c for c in REGISTRY}
COMMANDS: dict[str, Check] = {c.command or c.name: c for c in REGISTRY}


def names() -> list[str]:
    """Every name a bank's `check:` or `quiz calc` accepts: the commands, then the checks'."""
    return sorted(COMMANDS) + sorted(set(CHECKS) - set(COMMANDS))


def find(name: Any) -> Check | None:
    """The check called `name` (its bank name or its `quiz calc` command), or None."""
    if not isinstance(name, str):
        return None
    return CHECKS.get(name) or COMMANDS.get(name)


def explain(check: str, args: dict[str, Any]) -> Worked:
    """Compute `check` on `args` and explain it; ValueError for unknown checks or bad args."""
    spec = find(check)
    if spec is None:
        raise ValueError(f"unknown check {check!r} (known: {', '.join(names())})")
    unknown = sorted(set(args) - set(spec.arguments))
    missing = [name for name in spec.required if name not in args]
    if unknown or missing:
        raise ValueError(
            "; ".join(
                [f"{check} takes no argument {name!r}" for name in unknown]
                + [f"{check} needs the argument {name!r}" for name in missing]
            )
            + f" (arguments: {', '.join(spec.arguments)})"
        )
    full = {**spec.defaults, **args}
    value = spec.function(**full)
    problem = answer_problem(value)
    if problem:
        raise ValueError(problem)
    return Worked(value, spec.solve(full, value), spec.exact(full, value))
