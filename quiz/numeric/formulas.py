"""Reference functions for the numeric drills: layer sizes, parameter counts, iterations, ….

Where frameworks differ these follow PyTorch. Every function validates its arguments and
raises ValueError with a plain message instead of returning a silently wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from quiz.numeric.arguments import Number, answer_problem, shown
from quiz.numeric.arguments import flag as _flag
from quiz.numeric.arguments import integer as _int
from quiz.numeric.arguments import matrix as _matrix
from quiz.numeric.arguments import real as _real
from quiz.numeric.arguments import vector as _vector


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Conv output length, PyTorch's `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`; the window must fit."""
    n, k = _int("size", size, 1), _int("kernel", kernel, 1)
    s, p, d = _int("stride", stride, 1), _int("padding", padding, 0), _int("dilation", dilation, 1)
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        raise ValueError(
            f"the kernel spans {span} positions but the padded input has only {n + 2 * p}"
        )
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def conv_transpose_output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """ConvTranspose output length, PyTorch's `(n−1)s − 2p + d(k−1) + output_padding + 1`.

    As in PyTorch, output_padding must be smaller than the stride or the dilation.
    """
    n, k = _int("size", size, 1), _int("kernel", kernel, 1)
    s, p, d = _int("stride", stride, 1), _int("padding", padding, 0), _int("dilation", dilation, 1)
    op = _int("output_padding", output_padding, 0)
    if op >= s and op >= d:
        raise ValueError(
            f"output_padding ({op}) must be smaller than the stride ({s}) or the dilation ({d})"
        )
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise ValueError(f"the padding ({p}) removes the whole output (length {out})")
    return out


def pool_output_size(
    size: int,
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Pooling output length as PyTorch computes it (stride defaults to the kernel).

    Floor mode: `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`. Ceil mode rounds up instead, then drops the
    last window if it would start in the right padding, i.e. if `(out−1)·s ≥ n + p`.
    PyTorch also requires `p ≤ ⌊k/2⌋` (half the kernel size itself, even when dilated), and
    in ceil mode it accepts a first window that overhangs the end by less than a stride
    (n=3, k=4, s=2 → 1); this function does the same.
    """
    n, k = _int("size", size, 1), _int("kernel", kernel, 1)
    s = k if stride is None else _int("stride", stride, 1)
    p, d = _int("padding", padding, 0), _int("dilation", dilation, 1)
    ceil = _flag("ceil_mode", ceil_mode)
    if p > k // 2:
        raise ValueError(f"padding ({p}) must be at most half of the kernel size ({k})")
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        raise ValueError(f"the window does not fit in the padded input (output length {out})")
    return out


def same_padding(kernel: int, dilation: int = 1) -> int:
    """Padding that keeps the size at stride 1: `p = d(k−1)/2`.

    An even effective kernel `d(k−1) + 1` has no symmetric answer (PyTorch's padding="same"
    then pads one more on the right), so it raises ValueError.
    """
    k, d = _int("kernel", kernel, 1), _int("dilation", dilation, 1)
    if d * (k - 1) % 2:
        raise ValueError(
            f"the effective kernel {d * (k - 1) + 1} is even: no symmetric padding keeps the size"
        )
    return d * (k - 1) // 2


def _kernel_area(kernel: Any) -> tuple[int, int]:
    """(kh, kw) from a square side or a [kh, kw] pair."""
    if isinstance(kernel, list | tuple):
        if len(kernel) != 2:
            raise ValueError(
                f"kernel must be a side or a [height, width] pair, got {shown(kernel)}"
            )
        return _int("kernel height", kernel[0], 1), _int("kernel width", kernel[1], 1)
    side = _int("kernel", kernel, 1)
    return side, side


def conv_params(
    in_channels: int,
    out_channels: int,
    kernel: int | Sequence[int],
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Weights of a Conv2d: `C_out·(C_in/g)·kh·kw`, plus `C_out` biases; kernel is k or [kh, kw]."""
    c_in, c_out = _int("in_channels", in_channels, 1), _int("out_channels", out_channels, 1)
    g = _int("groups", groups, 1)
    kh, kw = _kernel_area(kernel)
    if c_in % g or c_out % g:
        raise ValueError(
            f"groups ({g}) must divide in_channels ({c_in}) and out_channels ({c_out})"
        )
    return c_out * (c_in // g) * kh * kw + (c_out if _flag("bias", bias) else 0)


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Weights of a Linear layer: `out·in`, plus `out` biases."""
    n_in, n_out = _int("in_features", in_features, 1), _int("out_features", out_features, 1)
    return n_out * n_in + (n_out if _flag("bias", bias) else 0)


def recurrent_params(gates: int, input_size: int, hidden_size: int, bias: bool = True) -> int:
    """One unidirectional PyTorch layer: `gates·(h·(i + h) + 2h)` (biases b_ih and b_hh)."""
    i, h = _int("input_size", input_size, 1), _int("hidden_size", hidden_size, 1)
    return gates * (h * (i + h) + (2 * h if _flag("bias", bias) else 0))


def rnn_params(input_size: int, hidden_size: int, bias: bool = True) -> int:
    """Vanilla RNN layer, PyTorch count: `h·(i + h) + 2h` (b_ih and b_hh)."""
    return recurrent_params(1, input_size, hidden_size, bias)


def lstm_params(input_size: int, hidden_size: int, bias: bool = True) -> int:
    """LSTM layer, PyTorch count: `4·(h·(i + h) + 2h)` (4 gates, b_ih and b_hh; Keras: 1 bias)."""
    return recurrent_params(4, input_size, hidden_size, bias)


def gru_params(input_size: int, hidden_size: int, bias: bool = True) -> int:
    """GRU layer, PyTorch count: `3·(h·(i + h) + 2h)` (3 gates, b_ih and b_hh)."""
    return recurrent_params(3, input_size, hidden_size, bias)


def iterations_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """Batches per epoch: `⌈N/B⌉`, or `⌊N/B⌋` with drop_last (as PyTorch's DataLoader)."""
    n, b = _int("n_samples", n_samples, 1), _int("batch_size", batch_size, 1)
    return n // b if _flag("drop_last", drop_last) else -(-n // b)


def total_iterations(n_samples: int, batch_size: int, epochs: int, drop_last: bool = False) -> int:
    """Optimiser steps over training: `epochs · iterations_per_epoch(N, B)`."""
    return _int("epochs", epochs, 1) * iterations_per_epoch(n_samples, batch_size, drop_last)


def softmax(xs: Sequence[Number]) -> list[float]:
    """`e^(x_i − max x) / Σ_j e^(x_j − max x)`: subtracting the max keeps exp from overflowing."""
    values = _vector("xs", xs)
    top = max(values)
    exps = [math.exp(x - top) for x in values]
    total = math.fsum(exps)
    return [e / total for e in exps]


def pool_windows(
    matrix: Sequence[Sequence[Number]], kernel: int, stride: int | None = None
) -> list[list[list[Number]]]:
    """The k×k windows of a 2-D pooling with no padding (floor mode), row by row."""
    rows = _matrix("matrix", matrix)
    k = _int("kernel", kernel, 1)
    s = k if stride is None else _int("stride", stride, 1)
    height, width = len(rows), len(rows[0])
    if k > height or k > width:
        raise ValueError(f"the {k}×{k} kernel does not fit in the {height}×{width} matrix")
    return [
        [
            [v for row in rows[top : top + k] for v in row[left : left + k]]
            for left in range(0, width - k + 1, s)
        ]
        for top in range(0, height - k + 1, s)
    ]


def pool2d(
    matrix: Sequence[Sequence[Number]], kernel: int, stride: int | None = None, mode: str = "max"
) -> list[list[Number]]:
    """2-D max or average pooling, square kernel, no padding, stride defaulting to the kernel."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {shown(mode)}")
    reduce = max if mode == "max" else (lambda w: math.fsum(w) / len(w))
    return [[reduce(w) for w in row] for row in pool_windows(matrix, kernel, stride)]


def compose_linear(a: Number, b: Number, times: int) -> list[Number]:
    """f(x) = ax + b applied t times is Ax + B: `[a^t, b(a^t − 1)/(a − 1)]`, `[1, bt]` if a = 1.

    |a|^t is checked against 10^15 by its logarithm before it is computed, so a huge `times`
    is refused at once instead of building an enormous power.
    """
    a, b = _real("a", a), _real("b", b)
    t = _int("times", times, 0, maximum=10**6)
    if abs(a) > 1 and t * math.log10(abs(a)) > 15:
        raise ValueError(f"a^t has more than 15 digits for a = {a}, t = {t}")
    power = a**t
    if a == 1:
        result = [power, b * t]
    elif isinstance(a, int) and isinstance(b, int):
        result = [power, b * ((power - 1) // (a - 1))]  # exact: (a^t − 1)/(a − 1) = Σ a^i
    else:
        result = [power, b * (power - 1) / (a - 1)]
    problem = answer_problem(result)
    if problem:
        raise ValueError(f"{problem}: a = {a}, b = {b}, t = {t}")
    return result


def gd_step(theta: Any, grad: Any, lr: Number) -> Any:
    """One gradient-descent step `θ − η·g`, for a number or a list of numbers."""
    eta = _real("lr", lr)
    if eta <= 0:
        raise ValueError(f"lr must be positive, got {shown(lr)}")
    if isinstance(theta, list | tuple) or isinstance(grad, list | tuple):
        thetas, grads = _vector("theta", theta), _vector("grad", grad)
        if len(thetas) != len(grads):
            raise ValueError(f"theta has {len(thetas)} values but grad has {len(grads)}")
        return [_step(t, g, eta) for t, g in zip(thetas, grads, strict=True)]
    return _step(_real("theta", theta), _real("grad", grad), eta)


def _step(theta: float, grad: float, lr: float) -> float:
    # In decimal arithmetic on the numbers as written, so 0.3 − 0.1·3 is 0, not −5.6e-17.
    exact = Decimal(repr(theta)) - Decimal(repr(lr)) * Decimal(repr(grad))
    return float(exact)


def inverted_dropout_scale(p: Number) -> float:
    """Inverted dropout's scale for the kept units, `1/(1 − p)`, with p the drop probability."""
    drop = _real("p", p)
    if not 0 <= drop < 1:
        raise ValueError(f"p (the drop probability) must be in [0, 1), got {shown(p)}")
    return 1 / (1 - drop)
