"""Reference functions against independent oracles: brute force, explicit shapes, hand work."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quiz.numeric import formulas, solutions

sizes = st.integers(1, 300)
kernels = st.integers(1, 12)
strides = st.integers(1, 6)
pads = st.integers(0, 6)
dilations = st.integers(1, 4)


def windows_floor(n: int, k: int, s: int, p: int, d: int) -> int:
    """Slide a dilated window over a padded list; count the placements that fit."""
    padded = ["pad"] * p + ["x"] * n + ["pad"] * p
    count, start = 0, 0
    while start + d * (k - 1) < len(padded):
        taps = [padded[start + d * t] for t in range(k)]
        assert len(taps) == k
        count += 1
        start += s
    return count


def windows_ceil(n: int, k: int, s: int, p: int, d: int) -> int:
    """Ceil mode: windows may hang off the right end while they start in the input or left pad."""
    padded = ["pad"] * p + ["x"] * n + ["pad"] * p
    count, start = 1, 0
    while start + d * (k - 1) < len(padded) - 1 and start + s < p + n:
        start += s
        count += 1
    return count


def transpose_length(n: int, k: int, s: int, p: int, op: int, d: int) -> int:
    """Scatter every input position's kernel into a buffer, then crop the padding."""
    touched: set[int] = set()
    for j in range(n):
        for t in range(k):
            touched.add(j * s + t * d)
    buffer = [0] * (max(touched) + 1 + op)
    return len(buffer[p : len(buffer) - p])


def total(shapes: list[tuple[int, ...]]) -> int:
    return sum(math.prod(shape) for shape in shapes)


# --- sizes -----------------------------------------------------------------------------


@given(sizes, kernels, strides, pads, dilations)
def test_conv_output_size_counts_window_positions(n, k, s, p, d):
    assume(d * (k - 1) + 1 <= n + 2 * p)
    assert formulas.conv_output_size(n, k, s, p, d) == windows_floor(n, k, s, p, d)


@pytest.mark.parametrize(
    ("args", "expected"),
    [((32, 3, 1, 1), 32), ((224, 7, 2, 3), 112), ((28, 5), 24), ((64, 3, 2, 1), 32)],
)
def test_conv_output_size_textbook_cases(args, expected):
    assert formulas.conv_output_size(*args) == expected


@given(sizes, kernels, strides, pads, dilations, st.integers(0, 5))
def test_conv_transpose_output_size_matches_scatter(n, k, s, p, d, op):
    assume(op < s or op < d)
    length = transpose_length(n, k, s, p, op, d)
    assume(length >= 1)
    assert formulas.conv_transpose_output_size(n, k, s, p, op, d) == length


@given(sizes, kernels, strides, dilations, st.booleans(), st.data())
def test_pool_output_size_counts_window_positions(n, k, s, d, ceil, data):
    p = data.draw(st.integers(0, k // 2))
    assume(d * (k - 1) + 1 <= n + 2 * p)
    oracle = windows_ceil if ceil else windows_floor
    assert formulas.pool_output_size(n, k, s, p, d, ceil) == oracle(n, k, s, p, d)


def test_pool_output_size_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # n=4, k=2, s=2, p=1: ⌈4/2⌉ + 1 = 3 and the 3rd window starts at 4 < n + p = 5: kept.
    # n=5, k=3, s=3, p=1: ⌈4/3⌉ + 1 = 3 but the 3rd window starts at 6 ≥ n + p = 6: dropped.
    assert formulas.pool_output_size(4, 2, 2, 1, ceil_mode=True) == 3
    assert formulas.pool_output_size(5, 3, 3, 1, ceil_mode=True) == 2
    assert formulas.pool_output_size(5, 2, ceil_mode=True) == 3
    assert formulas.pool_output_size(5, 2) == 2


def test_pool_output_size_stride_defaults_to_kernel():
    assert formulas.pool_output_size(32, 2) == 16
    assert formulas.pool_output_size(7, 3) == 2


@given(kernels, dilations, sizes)
def test_same_padding_keeps_the_size(k, d, n):
    if d * (k - 1) % 2:
        with pytest.raises(ValueError, match="even"):
            formulas.same_padding(k, d)
        return
    p = formulas.same_padding(k, d)
    assume(d * (k - 1) + 1 <= n + 2 * p)
    assert windows_floor(n, k, 1, p, d) == n


# --- parameter counts ------------------------------------------------------------------


def recurrent_shapes(gates: int, i: int, h: int, bias: bool) -> list[tuple[int, ...]]:
    """PyTorch's tensors, split per gate: W_ih (h, i), W_hh (h, h), b_ih (h,), b_hh (h,)."""
    per_gate = [(h, i), (h, h)] + ([(h,), (h,)] if bias else [])
    return [shape for _ in range(gates) for shape in per_gate]


@given(st.integers(1, 512), st.integers(1, 512), st.booleans())
def test_recurrent_params_sum_the_weight_shapes(i, h, bias):
    assert formulas.rnn_params(i, h, bias) == total(recurrent_shapes(1, i, h, bias))
    assert formulas.lstm_params(i, h, bias) == total(recurrent_shapes(4, i, h, bias))
    assert formulas.gru_params(i, h, bias) == total(recurrent_shapes(3, i, h, bias))


def test_lstm_params_known_value():
    # nn.LSTM(64, 128): 4·(128·64 + 128·128 + 128 + 128)
    assert formulas.lstm_params(64, 128) == 99_328


@given(
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(1, 64),
    st.integers(1, 7),
    st.integers(1, 7),
    st.booleans(),
)
def test_conv_params_sum_the_weight_shapes(gi, go, g, kh, kw, bias):
    c_in, c_out = gi * g, go * g
    shapes = [(c_out, c_in // g, kh, kw)] + ([(c_out,)] if bias else [])
    assert formulas.conv_params(c_in, c_out, [kh, kw], bias, g) == total(shapes)
    if kh == kw:
        assert formulas.conv_params(c_in, c_out, kh, bias, g) == total(shapes)


@given(st.integers(1, 4096), st.integers(1, 4096), st.booleans())
def test_linear_params_sum_the_weight_shapes(n_in, n_out, bias):
    shapes = [(n_out, n_in)] + ([(n_out,)] if bias else [])
    assert formulas.linear_params(n_in, n_out, bias) == total(shapes)


# --- iterations ------------------------------------------------------------------------


def batches(n: int, b: int, drop_last: bool) -> list[range]:
    chunks = [range(n)[i : i + b] for i in range(0, n, b)]
    return [c for c in chunks if len(c) == b] if drop_last else chunks


@given(st.integers(1, 5000), st.integers(1, 600), st.integers(1, 5), st.booleans())
def test_iterations_match_chunking(n, b, epochs, drop_last):
    assert formulas.iterations_per_epoch(n, b, drop_last) == len(batches(n, b, drop_last))
    steps = sum(len(batches(n, b, drop_last)) for _ in range(epochs))
    assert formulas.total_iterations(n, b, epochs, drop_last) == steps


# --- softmax, pooling, composition, steps, dropout ---------------------------------------

finite = st.floats(-50, 50, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=12), finite)
def test_softmax_sums_to_one_and_ignores_shifts(xs, shift):
    ys = formulas.softmax(xs)
    assert math.isclose(math.fsum(ys), 1.0, rel_tol=1e-12)
    shifted = formulas.softmax([x + shift for x in xs])
    assert all(
        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12) for a, b in zip(ys, shifted, strict=True)
    )


@given(st.lists(finite, min_size=2, max_size=12))
def test_softmax_preserves_order(xs):
    ys = formulas.softmax(xs)
    for (xa, ya), (xb, yb) in itertools.combinations(zip(xs, ys, strict=True), 2):
        if xa < xb:
            assert ya <= yb


def test_softmax_is_stable_for_large_inputs():
    assert formulas.softmax([1000, 1000]) == [0.5, 0.5]
    assert formulas.softmax([-1000, 0])[1] == 1.0


HAND = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def test_pool2d_hand_worked_example():
    assert formulas.pool2d(HAND, 2, 2, "max") == [[6, 8], [3, 4]]
    assert formulas.pool2d(HAND, 2) == [[6, 8], [3, 4]]
    assert formulas.pool2d(HAND, 2, 2, "avg") == [[3.25, 5.25], [2.0, 2.0]]
    assert formulas.pool2d(HAND, 3, 1) == [[7, 8], [7, 8]]


@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(1, 3), st.data())
def test_pool2d_shape_and_values(h, w, k, s, data):
    assume(k <= h and k <= w)
    matrix = data.draw(
        st.lists(st.lists(st.integers(-9, 9), min_size=w, max_size=w), min_size=h, max_size=h)
    )
    out = formulas.pool2d(matrix, k, s)
    assert len(out) == windows_floor(h, k, s, 0, 1)
    assert all(len(row) == windows_floor(w, k, s, 0, 1) for row in out)
    for r, row in enumerate(out):
        for c, v in enumerate(row):
            window = [matrix[r * s + i][c * s + j] for i in range(k) for j in range(k)]
            assert v == max(window)


@given(st.integers(-5, 5), st.integers(-9, 9), st.integers(0, 12))
def test_compose_linear_matches_repeated_application_exactly(a, b, t):
    def apply(x: Fraction) -> Fraction:
        for _ in range(t):
            x = a * x + b
        return x

    big_a, big_b = formulas.compose_linear(a, b, t)
    assert (big_b, big_a + big_b) == (apply(Fraction(0)), apply(Fraction(1)))
    assert isinstance(big_a, int) and isinstance(big_b, int)


@given(st.floats(-3, 3), st.floats(-5, 5), st.integers(0, 10))
def test_compose_linear_floats(a, b, t):
    x0 = x1 = 0.0
    x1 = 1.0
    for _ in range(t):
        x0, x1 = a * x0 + b, a * x1 + b
    big_a, big_b = formulas.compose_linear(a, b, t)
    assert math.isclose(big_b, x0, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(big_a + big_b, x1, rel_tol=1e-9, abs_tol=1e-9)


@given(st.floats(0.1, 10), st.floats(-10, 10))
def test_gd_step_with_lr_one_over_curvature_lands_on_the_minimum(curvature, theta):
    # L(θ) = c/2·θ², ∇L = c·θ: one step with lr = 1/c reaches θ = 0.
    grad = curvature * theta
    assert math.isclose(formulas.gd_step(theta, grad, 1 / curvature), 0, abs_tol=1e-9)


def test_gd_step_vectors_step_each_coordinate():
    assert formulas.gd_step([1.0, 2.0], [0.5, -1.0], 0.1) == [0.95, 2.1]
    with pytest.raises(ValueError, match="theta has 2 values but grad has 1"):
        formulas.gd_step([1, 2], [1], 0.1)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.25, 0.5, 0.8])
def test_inverted_dropout_keeps_the_expectation(p):
    # Enumerate every keep/drop mask of three units with its probability: E[output] = input.
    x = [1.5, -2.0, 4.0]
    scale = formulas.inverted_dropout_scale(p)
    expectation = [0.0, 0.0, 0.0]
    for mask in itertools.product([0, 1], repeat=3):
        weight = math.prod((1 - p) if keep else p for keep in mask)
        for i, keep in enumerate(mask):
            expectation[i] += weight * x[i] * keep * scale
    assert all(math.isclose(e, v, rel_tol=1e-12) for e, v in zip(expectation, x, strict=True))


# --- bad arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: formulas.conv_output_size(0, 3), "size must be at least 1"),
        (lambda: formulas.conv_output_size(32, 0), "kernel must be at least 1"),
        (lambda: formulas.conv_output_size(32, 3, 0), "stride must be at least 1"),
        (lambda: formulas.conv_output_size(32, 3, padding=-1), "padding must be at least 0"),
        (lambda: formulas.conv_output_size(4, 7), "the kernel spans 7 positions"),
        (lambda: formulas.conv_output_size(32.0, 3), "size must be an integer"),
        (lambda: formulas.conv_output_size(32, 2.5), "kernel must be an integer"),
        (lambda: formulas.conv_output_size(True, 1), "size must be an integer"),
        (lambda: formulas.conv_transpose_output_size(4, 3, 2, output_padding=2), "output_padding"),
        (lambda: formulas.conv_transpose_output_size(1, 1, padding=1), "removes the whole output"),
        (lambda: formulas.pool_output_size(32, 2, padding=2), "at most half"),
        (lambda: formulas.pool_output_size(2, 5, 1, 0), "does not fit"),
        (lambda: formulas.pool_output_size(8, 2, ceil_mode=1), "ceil_mode must be true or false"),
        (lambda: formulas.conv_params(3, 64, 3, groups=2), "groups"),
        (lambda: formulas.conv_params(3, 64, [3, 3, 3]), "pair"),
        (lambda: formulas.lstm_params(0, 10), "input_size must be at least 1"),
        (lambda: formulas.iterations_per_epoch(100, 0), "batch_size must be at least 1"),
        (lambda: formulas.total_iterations(100, 10, 0), "epochs must be at least 1"),
        (lambda: formulas.softmax([]), "non-empty"),
        (lambda: formulas.softmax([1, math.inf]), "finite"),
        (lambda: formulas.pool2d([[1, 2], [3]], 1), "different lengths"),
        (lambda: formulas.pool2d(HAND, 5), "does not fit"),
        (lambda: formulas.pool2d(HAND, 2, mode="min"), "mode"),
        (lambda: formulas.gd_step(1, 1, 0), "lr must be positive"),
        (lambda: formulas.inverted_dropout_scale(1), r"\[0, 1\)"),
        (lambda: formulas.inverted_dropout_scale(-0.1), r"\[0, 1\)"),
        (lambda: formulas.compose_linear(2.0, 1, 5000), "more than 15 digits"),
        (lambda: formulas.compose_linear(2, 1, -1), "times must be at least 0"),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- every argument bounded (issue 12) ---------------------------------------------------------

HUGE = [10**400, -(10**400), 10**16, 1e308, -1e308, math.inf, math.nan, 2**63]


@pytest.mark.parametrize("name", sorted(solutions.CHECKS))
@pytest.mark.parametrize("huge", HUGE, ids=repr)
def test_no_check_accepts_a_number_it_cannot_compute_or_show(name, huge):
    """Every numeric argument at a huge value: a plain ValueError, never inf, nan or a crash."""
    from quiz.numeric.solutions import CHECKS, explain

    check = CHECKS[name]
    base = {"conv_output_size": {"size": 8, "kernel": 3}, "conv_transpose_output_size":
            {"size": 8, "kernel": 3}, "pool_output_size": {"size": 8, "kernel": 2},
            "same_padding": {"kernel": 3}, "conv_params": {"in_channels": 3, "out_channels": 8,
                                                           "kernel": 3},
            "linear_params": {"in_features": 3, "out_features": 4},
            "rnn_params": {"input_size": 3, "hidden_size": 4},
            "lstm_params": {"input_size": 3, "hidden_size": 4},
            "gru_params": {"input_size": 3, "hidden_size": 4},
            "iterations_per_epoch": {"n_samples": 100, "batch_size": 8},
            "total_iterations": {"n_samples": 100, "batch_size": 8, "epochs": 2},
            "activation": {"name": "elu", "x": 1.0}, "derivative": {"name": "gelu", "x": 1.0},
            "softmax": {"xs": [1, 2]}, "pool2d": {"matrix": [[1, 2], [3, 4]], "kernel": 2,
                                                  "mode": "avg"},
            "compose_linear": {"a": 1.5, "b": 2, "times": 3},
            "gd_step": {"theta": [1.0, 2.0], "grad": [0.5, 0.5], "lr": 0.1},
            "inverted_dropout_scale": {"p": 0.5},
            "mha_params": {"embed_dim": 8, "num_heads": 2},
            "encoder_layer_params": {"d_model": 8, "num_heads": 2, "dim_feedforward": 16},
            "attention_scores_mib": {"batch_size": 1, "num_heads": 2, "seq_len": 4,
                                     "bytes_per_element": 2},
            "kv_cache_mib": {"layers": 2, "batch_size": 1, "num_heads": 2, "seq_len": 4,
                             "head_dim": 8, "bytes_per_element": 2},
            "attention_flops": {"batch_size": 1, "seq_len": 4, "d_model": 8},
            "sinusoidal_position": {"pos": 3, "dim": 1, "d_model": 8},
            "attention_weights": {"q": [[1, 0], [0, 1]], "k": [[1, 2], [0, 1]]}}[name]
    assert set(base) <= set(check.arguments)
    for argument, value in base.items():
        if isinstance(value, str) or isinstance(value, bool):
            continue
        if isinstance(value, list):
            bad = [[huge] * len(value[0])] * len(value) if isinstance(value[0], list) \
                else [huge] * len(value)
        else:
            bad = huge
        args = {**base, argument: bad}
        with pytest.raises(ValueError) as caught:
            explain(name, args)
        message = str(caught.value)
        assert "sys.set_int_max_str_digits" not in message and len(message) < 300


@given(st.floats(-1e15, 1e15), st.floats(-1e15, 1e15), st.integers(0, 10**6))
def test_compose_linear_is_finite_or_refused(a, b, times):
    try:
        result = formulas.compose_linear(a, b, times)
    except ValueError as err:
        assert "15 digits" in str(err) or "too large" in str(err)
        return
    assert all(math.isfinite(v) and abs(v) <= 10**15 for v in result)
