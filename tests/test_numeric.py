"""Numeric templates: validation, seeded draws, worked solutions and grading."""

from __future__ import annotations

import json
import math

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.errors import AnswerFormatError
from quiz.model import NumericSpec, Question, Text
from quiz.numeric import solutions
from quiz.numeric.templates import (
    CHECKS,
    EXACT,
    Instance,
    Tolerance,
    explain,
    format_value,
    grade,
    instantiate,
    parse_answer,
    spec_problems,
)
from quiz.numeric.typed_answers import format_number


def numeric(check: str, params: dict, zh: str, en: str, constraints=(), tolerance=None):
    spec = NumericSpec(check, params, tuple(constraints), tolerance)
    return Question(id=f"t-{check}", topic="t", prompt=Text(zh, en), type="numeric", numeric=spec)


MATRIX = {"rows": 4, "cols": 4, "min": 0, "max": 9}
BANK = [
    numeric(
        "conv_output_size",
        {"size": [28, 32, 64, 224], "kernel": [1, 3, 5, 7], "stride": [1, 2], "padding": [0, 1, 2]},
        "输入 {size}×{size}，卷积核 {kernel}×{kernel}，步长 {stride}，填充 {padding}。"
        "输出边长是多少？",
        "Input {size}×{size}, kernel {kernel}×{kernel}, stride {stride}, padding {padding}. "
        "Output side length?",
    ),
    numeric(
        "conv_transpose_output_size",
        {
            "size": {"min": 1, "max": 32},
            "kernel": [2, 3, 4],
            "stride": [1, 2],
            "padding": [0, 1],
            "output_padding": [0, 1],
        },
        "转置卷积 {size} {kernel} {stride} {padding} {output_padding}",
        "Transposed conv {size} {kernel} {stride} {padding} {output_padding}",
    ),
    numeric(
        "pool_output_size",
        {
            "size": {"min": 1, "max": 64},
            "kernel": [2, 3],
            "stride": [1, 2, 3],
            "padding": [0, 1],
            "ceil_mode": [True, False],
        },
        "池化 {size} {kernel} {stride} {padding} {ceil_mode}",
        "Pool {size} {kernel} {stride} {padding} {ceil_mode}",
        ["kernel <= size"],
    ),
    numeric(
        "same_padding",
        {"kernel": [1, 3, 5, 7], "dilation": [1, 2, 3]},
        "核 {kernel} 膨胀 {dilation}",
        "kernel {kernel} dilation {dilation}",
    ),
    numeric(
        "conv_params",
        {
            "in_channels": [3, 16, 64],
            "out_channels": [16, 32, 128],
            "kernel": [1, 3, 5],
            "bias": [True, False],
        },
        "{in_channels}→{out_channels} {kernel}",
        "{in_channels}→{out_channels} {kernel}",
    ),
    numeric(
        "linear_params",
        {"in_features": {"min": 1, "max": 1024}, "out_features": [10, 100]},
        "{in_features}→{out_features}",
        "{in_features}→{out_features}",
    ),
    numeric(
        "rnn_params",
        {"input_size": [8, 16], "hidden_size": [32, 64]},
        "RNN {input_size} {hidden_size}",
        "RNN {input_size} {hidden_size}",
    ),
    numeric(
        "lstm_params",
        {"input_size": [64, 128, 300], "hidden_size": [128, 256]},
        "LSTM {input_size} {hidden_size}",
        "LSTM {input_size} {hidden_size}",
    ),
    numeric(
        "gru_params",
        {"input_size": [64, 128], "hidden_size": [128, 256]},
        "GRU {input_size} {hidden_size}",
        "GRU {input_size} {hidden_size}",
    ),
    numeric(
        "iterations_per_epoch",
        {
            "n_samples": {"min": 1000, "max": 60000, "step": 100},
            "batch_size": [32, 64, 128],
            "drop_last": [True, False],
        },
        "{n_samples} 个样本，批大小 {batch_size}",
        "{n_samples} samples, batch {batch_size}",
    ),
    numeric(
        "total_iterations",
        {
            "n_samples": {"min": 1000, "max": 60000, "step": 100},
            "batch_size": [32, 64],
            "epochs": {"min": 1, "max": 100},
        },
        "{n_samples} {batch_size} {epochs}",
        "{n_samples} {batch_size} {epochs}",
    ),
    numeric(
        "activation",
        {"name": ["sigmoid", "tanh", "gelu", "softplus"], "x": {"min": -3, "max": 3, "step": 0.5}},
        "{name}({x}) = ?",
        "{name}({x}) = ?",
    ),
    numeric(
        "derivative",
        {
            "name": ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "softplus", "gelu"],
            "x": {"min": -3, "max": 3, "step": 0.5},
        },
        "{name} 在 x = {x} 处的导数",
        "derivative of {name} at x = {x}",
    ),
    numeric(
        "softmax", {"xs": {"length": 3, "min": -2, "max": 2}}, "softmax({xs})", "softmax({xs})"
    ),
    numeric(
        "pool2d",
        {"matrix": MATRIX, "kernel": 2, "stride": 2, "mode": ["max", "avg"]},
        "对下面的矩阵做 {kernel}×{kernel} 池化：{matrix}",
        "Pool {kernel}×{kernel}:{matrix}",
    ),
    numeric(
        "compose_linear",
        {"a": {"min": -3, "max": 3}, "b": {"min": -5, "max": 5}, "times": {"min": 1, "max": 5}},
        "f(x) = {a}x + {b} 作用 {times} 次",
        "f(x) = {a}x + {b}, {times} times",
    ),
    numeric(
        "gd_step",
        {
            "theta": {"min": -2, "max": 2, "step": 0.1},
            "grad": {"min": -5, "max": 5, "step": 0.5},
            "lr": [0.01, 0.1, 0.5],
        },
        "θ={theta} g={grad} η={lr:.2f}",
        "θ={theta} g={grad} η={lr:.2f}",
    ),
    numeric(
        "inverted_dropout_scale", {"p": {"min": 0, "max": 0.9, "step": 0.1}}, "p = {p}", "p = {p}"
    ),
    numeric("mha_params", {"embed_dim": [64, 512], "num_heads": [4, 8], "bias": [True, False]},
            "E={embed_dim} h={num_heads} {bias}", "E={embed_dim} h={num_heads} {bias}"),
    numeric("encoder_layer_params", {"d_model": [256, 512], "num_heads": [8],
                                     "dim_feedforward": [1024, 2048]},
            "d={d_model} h={num_heads} f={dim_feedforward}",
            "d={d_model} h={num_heads} f={dim_feedforward}"),
    numeric("attention_scores_mib", {"batch_size": [1, 2], "num_heads": [8], "seq_len": [1024],
                                     "bytes_per_element": [2, 4]},
            "{batch_size} {num_heads} {seq_len} {bytes_per_element}",
            "{batch_size} {num_heads} {seq_len} {bytes_per_element}"),
    numeric("kv_cache_mib", {"layers": [12], "batch_size": [1], "num_heads": [8],
                             "seq_len": [2048], "head_dim": [64], "bytes_per_element": [2]},
            "{layers} {batch_size} {num_heads} {seq_len} {head_dim} {bytes_per_element}",
            "{layers} {batch_size} {num_heads} {seq_len} {head_dim} {bytes_per_element}"),
    numeric("attention_flops", {"batch_size": [1, 2], "seq_len": [128], "d_model": [512]},
            "{batch_size} {seq_len} {d_model}", "{batch_size} {seq_len} {d_model}"),
    numeric("sinusoidal_position", {"pos": [0, 3], "dim": [0, 1], "d_model": [8]},
            "{pos} {dim} {d_model}", "{pos} {dim} {d_model}"),
    numeric("attention_weights", {"q": {"rows": 2, "cols": 2, "min": -1, "max": 1},
                                  "k": {"rows": 2, "cols": 2, "min": -1, "max": 1}},
            "Q={q} K={k}", "Q={q} K={k}"),
]


def test_every_check_has_a_bank_example():
    assert {q.numeric.check for q in BANK} == set(CHECKS)


@pytest.mark.parametrize("question", BANK, ids=lambda q: q.numeric.check)
def test_bank_examples_have_no_problems(question):
    assert spec_problems(question.numeric, [question.prompt.zh, question.prompt.en]) == []


def wrong(expected):
    """A clearly wrong answer of the same shape."""
    if isinstance(expected, list):
        return [wrong(expected[0]), *expected[1:]]
    if isinstance(expected, int):
        return expected + 1
    return expected + max(1.0, abs(expected))


@pytest.mark.parametrize("question", BANK, ids=lambda q: q.numeric.check)
def test_instances_are_valid_gradable_and_deterministic(question):
    check = CHECKS[question.numeric.check]
    for seed in range(150):
        instance = instantiate(question, seed)
        assert instance == instantiate(question, seed)
        assert instance.values == json.loads(json.dumps(instance.values))
        assert explain(question.numeric.check, instance.values).value == instance.expected
        assert check.function(**instance.values) == instance.expected
        for name, value in instance.values.items():
            if f"{{{name}}}" in question.prompt.en and not isinstance(value, list):
                assert format_number(value) in instance.prompt.en
                assert format_number(value) in instance.prompt.zh
        assert grade(instance, instance.expected)
        assert grade(instance, format_value(instance.expected))
        assert not grade(instance, wrong(instance.expected))


def test_seeds_vary_the_draw():
    draws = {json.dumps(instantiate(BANK[0], seed).values) for seed in range(50)}
    assert len(draws) > 10


def test_conv_instance_shows_the_substituted_formula():
    question = numeric(
        "conv_output_size", {"size": 32, "kernel": 3, "stride": 1, "padding": 1}, "{size}", "{size}"
    )
    instance = instantiate(question, 7)
    assert instance.expected == 32
    assert instance.prompt == Text("32", "32")
    assert "⌊(32 + 2·1 − 1·(3−1) − 1)/1⌋ + 1 = ⌊31/1⌋ + 1 = 32" in instance.solution.en
    assert "⌊(32 + 2·1 − 1·(3−1) − 1)/1⌋ + 1" in instance.solution.zh
    assert "PyTorch" in instance.solution.en and "卷积" in instance.solution.zh
    assert instance.tolerance == EXACT


def test_matrix_prompt_shows_rows():
    question = numeric(
        "pool2d",
        {"matrix": [[[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]], "kernel": 2},
        "池化：{matrix}",
        "Pool:{matrix}",
    )
    instance = instantiate(question, 0)
    assert instance.prompt.en == "Pool:\n  1 1 2 4\n  5 6 7 8\n  3 2 1 0\n  1 2 3 4\n"
    assert instance.expected == [[6, 8], [3, 4]]
    assert grade(instance, parse_answer("6 8; 3 4"))
    assert grade(instance, parse_answer("6 8 3 4"))  # a flat row-major list is accepted
    assert not grade(instance, parse_answer("6 3 8 4"))
    for slip in ("6 8 3", "6", "6 8; 3 4; 1 2"):  # a shape slip is asked again, not wrong
        with pytest.raises(AnswerFormatError, match="2×2 matrix"):
            grade(instance, slip)
    assert "max(1, 1, 5, 6) = 6" in instance.solution.en


def test_decimal_ranges_are_exact():
    question = numeric(
        "inverted_dropout_scale", {"p": {"min": 0.1, "max": 0.3, "step": 0.1}}, "{p}", "{p}"
    )
    assert {instantiate(question, s).values["p"] for s in range(40)} == {0.1, 0.2, 0.3}


def test_integer_ranges_include_both_ends():
    question = numeric(
        "linear_params",
        {"in_features": {"min": 1, "max": 3}, "out_features": 1},
        "{in_features}",
        "{in_features}",
    )
    assert {instantiate(question, s).values["in_features"] for s in range(60)} == {1, 2, 3}


def test_constraints_hold_on_every_draw():
    question = numeric(
        "conv_output_size",
        {"size": {"min": 1, "max": 10}, "kernel": {"min": 1, "max": 10}, "stride": 1, "padding": 0},
        "{size}",
        "{size}",
        constraints=["size >= 2 * kernel", "kernel % 2 == 1"],
    )
    for seed in range(100):
        values = instantiate(question, seed).values
        assert values["size"] >= 2 * values["kernel"] and values["kernel"] % 2 == 1


def test_draws_the_check_rejects_are_redrawn():
    question = numeric(
        "conv_output_size", {"size": [2, 64], "kernel": [3, 5, 7]}, "{size}", "{size}"
    )
    assert {instantiate(question, s).values["size"] for s in range(50)} == {64}


def test_impossible_specs_raise_and_are_reported():
    question = numeric("conv_output_size", {"size": 2, "kernel": 5}, "{size}", "{size}")
    with pytest.raises(ValueError, match="no valid draw in 1000 attempts.*kernel spans 5"):
        instantiate(question, 0)
    assert spec_problems(question.numeric, []) == [
        "no draw meets the constraints and the check: 0 of 1 draws are valid (the kernel "
        "spans 5 positions but the padded input has only 2)"
    ]
    never = NumericSpec("conv_output_size", {"size": 8, "kernel": 3}, ("size < kernel",))
    assert spec_problems(never, []) == [
        "no draw meets the constraints and the check: 0 of 1 draws are valid "
        "(every draw broke a constraint)"
    ]


def test_open_questions_cannot_be_instantiated():
    with pytest.raises(ValueError, match="not numeric"):
        instantiate(Question(id="q", topic="t", prompt=Text("a", "b")), 0)


def test_tolerance_and_exact_grading():
    loose = numeric("derivative", {"name": "sigmoid", "x": 0.5}, "", "", tolerance={"rel": 0.01})
    instance = instantiate(loose, 0)
    assert instance.tolerance == Tolerance(rel=0.01)  # rel alone: no hidden abs
    assert grade(instance, "0.235") and grade(instance, "0.233")
    assert not grade(instance, "0.23")
    default = instantiate(numeric("derivative", {"name": "sigmoid", "x": 0.5}, "", ""), 0)
    assert default.tolerance == Tolerance(abs=0.0005)  # 0.235004: three decimals
    assert grade(default, "0.235") and grade(default, "0.2355") and not grade(default, "0.2344")
    count = instantiate(numeric("lstm_params", {"input_size": 64, "hidden_size": 128}, "", ""), 0)
    assert grade(count, "99328") and grade(count, "99328.0") and grade(count, "99,328")
    assert not grade(count, "99328.5") and not grade(count, "99329")
    with pytest.raises(AnswerFormatError, match="one number"):
        grade(count, [99328, 1])
    with pytest.raises(AnswerFormatError):
        grade(count, "ninety-nine thousand")


def test_grade_takes_a_hand_built_instance():
    instance = Instance(0, {}, Text("", ""), [0.5, 0.25], Tolerance(abs=0.01), Text("", ""))
    assert grade(instance, [0.509, 0.241])
    assert not grade(instance, [0.52, 0.25])
    with pytest.raises(AnswerFormatError, match="2 numbers"):
        grade(instance, [[0.5, 0.25], [1, 2]])


@pytest.mark.parametrize(
    ("spec", "templates", "expected"),
    [
        (
            NumericSpec("conv_size", {}),
            [],
            "unknown check 'conv_size' (did you mean 'conv_output_size'?)",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernal": 3}),
            [],
            "conv_output_size takes no argument 'kernal' (did you mean 'kernel'?) "
            "(arguments: size, kernel, stride, padding, dilation)",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32}),
            [],
            "conv_output_size needs the argument 'kernel' in params",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}),
            ["{size} {kernal}"],
            "placeholder {kernal} is not a parameter (did you mean 'kernel'?) "
            "(parameters: size, kernel)",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}),
            ["{size"],
            "template '{size': expected '}' before end of string",
        ),
        (
            NumericSpec("conv_output_size", {"size": [], "kernel": 3}),
            [],
            "parameter 'size': the list of choices is empty",
        ),
        (
            NumericSpec("conv_output_size", {"size": {"min": 9, "max": 3}, "kernel": 3}),
            [],
            "parameter 'size': min (9) is greater than max (3)",
        ),
        (
            NumericSpec("conv_output_size", {"size": {"min": 1, "max": 3, "step": 0}, "kernel": 1}),
            [],
            "parameter 'size': step must be positive, got 0",
        ),
        (
            NumericSpec("conv_output_size", {"size": {"min": 1, "max": "3"}, "kernel": 1}),
            [],
            "parameter 'size': min, max and step must be numbers",
        ),
        (
            NumericSpec("derivative", {"name": "relu", "x": {"min": 0, "max": 1.5}}),
            [],
            "parameter 'x': a decimal range needs a step",
        ),
        (
            NumericSpec("conv_output_size", {"size": {"low": 1, "max": 3}, "kernel": 1}),
            [],
            "parameter 'size': a range takes {min, max, step} plus {length} for a vector or "
            "{rows, cols} for a matrix; unknown keys ['low']; missing ['min']",
        ),
        (
            NumericSpec(
                "pool2d", {"matrix": {"rows": 0, "cols": 3, "min": 0, "max": 9}, "kernel": 1}
            ),
            [],
            "parameter 'matrix': rows must be an integer from 1 to 20",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}, ("kernel <= sise",)),
            [],
            "constraint 'kernel <= sise': names sise are not parameters",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}, ("size ** 9 > 1",)),
            [],
            "constraint 'size ** 9 > 1': Pow is not allowed (only arithmetic, comparisons, "
            "and/or/not)",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}, tolerance={"rell": 0.1}),
            [],
            "tolerance has unknown key 'rell' (keys: rel, abs)",
        ),
        (
            NumericSpec("conv_output_size", {"size": 32, "kernel": 3}, tolerance={"abs": -1}),
            [],
            "tolerance abs must be a non-negative number, got -1",
        ),
    ],
)
def test_spec_problems_messages(spec, templates, expected):
    assert any(problem.startswith(expected) for problem in spec_problems(spec, templates))


def test_spec_problems_reports_everything_at_once():
    spec = NumericSpec("conv_output_size", {"size": [], "kernal": 3}, ("size <",))
    assert len(spec_problems(spec, ["{oops}"])) == 5


def test_bad_format_spec_is_reported():
    spec = NumericSpec("derivative", {"name": "relu", "x": 1.5})
    assert spec_problems(spec, ["{name:.2f}"]) == [
        "with name=relu, x=1.5: placeholder {name:.2f} cannot show relu (format '.2f')"
    ]


@pytest.mark.parametrize(
    ("check", "args", "value", "line"),
    [
        (
            "conv_output_size",
            {"size": 224, "kernel": 7, "stride": 2, "padding": 3},
            112,
            "⌊(224 + 2·3 − 1·(7−1) − 1)/2⌋ + 1 = ⌊223/2⌋ + 1 = 112",
        ),
        (
            "pool_output_size",
            {"size": 5, "kernel": 3, "stride": 3, "padding": 1, "ceil_mode": True},
            2,
            "start at (3−1)·3 = 6 ≥ n + p = 6",
        ),
        (
            "derivative",
            {"name": "sigmoid", "x": 0.5},
            pytest.approx(0.2350037),
            "σ'(x) = σ(x)·(1 − σ(x)) = 0.622459·(1 − 0.622459) = 0.235004",
        ),
        ("derivative", {"name": "relu", "x": 0}, 0, "PyTorch uses 0"),
        (
            "lstm_params",
            {"input_size": 64, "hidden_size": 128},
            99328,
            "Keras keeps one bias per gate: 4·(h·(i + h) + h) = 98816",
        ),
        ("iterations_per_epoch", {"n_samples": 1000, "batch_size": 32}, 32, "⌈1000/32⌉ = 32"),
        (
            "total_iterations",
            {"n_samples": 1000, "batch_size": 32, "epochs": 10},
            320,
            "10·⌈1000/32⌉ = 10·32 = 320",
        ),
        ("compose_linear", {"a": 2, "b": 1, "times": 3}, [8, 7], "(2^3 − 1)"),
        ("inverted_dropout_scale", {"p": 0.2}, 1.25, "1/(1 − 0.2) = 1.25"),
        ("same_padding", {"kernel": 5}, 2, "1·(5−1)/2 = 2"),
    ],
)
def test_explain(check, args, value, line):
    worked = explain(check, args)
    assert worked.value == value
    assert line in worked.solution.en or line.replace("(2^3", "(8") in worked.solution.en
    assert worked.solution.zh != worked.solution.en


@pytest.mark.parametrize(
    ("check", "args", "message"),
    [
        ("conv_sise", {}, "unknown check 'conv_sise'"),
        ("conv_output_size", {"size": 3}, "needs the argument 'kernel'"),
        ("conv_output_size", {"size": 3, "kernel": 1, "pad": 1}, "takes no argument 'pad'"),
        ("derivative", {"name": "selu", "x": 1}, "unknown activation 'selu'"),
    ],
)
def test_explain_rejects_bad_calls(check, args, message):
    with pytest.raises(ValueError, match=message):
        explain(check, args)


@settings(max_examples=examples(60))
@given(st.integers(0, 2**64), st.sampled_from(BANK))
def test_any_seed_gives_a_gradable_instance(seed, question):
    instance = instantiate(question, seed)
    assert grade(instance, instance.expected)
    assert all(math.isfinite(v) for v in _numbers(instance.expected))


def _numbers(value):
    if isinstance(value, list):
        return [v for item in value for v in _numbers(item)]
    return [value]


def test_a_huge_format_width_is_a_problem_not_a_memory_error():
    spec = NumericSpec(check="conv_output_size", params={"size": [32], "kernel": [3]})
    problems = spec_problems(spec, ["{size:>99999999999} {kernel}", "{size:.2} {kernel:>5}"])
    assert problems == ["placeholder {size:>99999999999}: the format spec '>99999999999' is not "
                        "a simple one such as .3f, d or >5"]


# -- issue 13: tolerance as stated, exact values, shape slips --------------------------------

from decimal import Decimal  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

from quiz.bank.reader import load_bank, parse_text  # noqa: E402
from quiz.numeric.templates import read_answer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def hand_built(expected, tolerance):
    return Instance(0, {}, Text("", ""), expected, tolerance, Text("", ""))


def test_abs_alone_is_abs_alone_and_symmetric():
    sigma = instantiate(numeric("derivative", {"name": "sigmoid", "x": 0.5}, "", "",
                                tolerance={"abs": 0.001}), 0)
    assert sigma.expected == pytest.approx(0.235004, abs=1e-6)
    assert grade(sigma, "0.236") and grade(sigma, "0.234")  # 0.235 ± 0.001, both sides
    assert not grade(sigma, "0.2339") and not grade(sigma, "0.2361")
    assert not grade(sigma, "0.233") and not grade(sigma, "0.237")
    assert not grade(hand_built(2.857722, Tolerance(abs=0.001)), "2.86")  # no hidden rel 1e-3
    assert not grade(hand_built(2.5, Tolerance(abs=0.001)), "2.502")
    assert grade(hand_built(0.235, Tolerance(abs=0.001)), "0.236")  # the boundary, both ways
    assert grade(hand_built(0.235, Tolerance(abs=0.001)), "0.234")


decimals = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)


@given(decimals, st.decimals(min_value=0, max_value=5, places=4), st.sampled_from(["abs", "rel"]),
       st.sampled_from(["0.0001", "0.0005", "0.001", "0.0025", "0.01", "0.5", "1", "3"]))
def test_tolerance_is_symmetric_and_matches_exact_arithmetic(v, d, key, t):
    """The oracle is Fraction arithmetic on the decimals as written (v already has no more
    decimals than abs, so the rounding of v to abs's decimals does not move it)."""
    t = Decimal(t)
    if key == "abs":
        v = v.quantize(Decimal(1).scaleb(t.normalize().as_tuple().exponent))
    tolerance = Tolerance(**{key: float(t)})
    instance = hand_built(float(v), tolerance)
    bound = Fraction(t) * (1 if key == "abs" else abs(Fraction(v)))
    want = Fraction(d) <= bound
    assert grade(instance, str(v + d)) == want
    assert grade(instance, str(v - d)) == want


@given(st.decimals(min_value=-100, max_value=100, places=3), st.integers(1, 9))
def test_exact_values_accept_only_themselves(v, step):
    exact = hand_built(float(v), EXACT)
    assert grade(exact, str(v))
    assert not grade(exact, str(v + Decimal(step) / 10000))
    assert not grade(exact, str(v - Decimal(step) / 10000))


@pytest.mark.parametrize(("name", "x", "right", "wrong"), [
    ("relu", -3, "0", "0.0001"), ("leaky_relu", 0, "0.01", "0.0101"),
    ("leaky_relu", -1.5, "0.01", "0.0099"), ("relu", 1.5, "1", "1.0004"),
])
def test_piecewise_constant_derivatives_are_exact(name, x, right, wrong):
    instance = instantiate(numeric("derivative", {"name": name, "x": x}, "", ""), 0)
    assert instance.tolerance == EXACT
    assert grade(instance, right) and not grade(instance, wrong)


def test_decimal_results_are_exact_and_other_reals_get_three_decimals():
    step = instantiate(numeric("gd_step", {"theta": 0.3, "grad": -2.5, "lr": 0.05}, "", ""), 0)
    assert step.expected == 0.425 and step.tolerance == EXACT
    assert grade(step, "0.425") and not grade(step, "0.4251")
    avg = instantiate(numeric("pool2d", {"matrix": [[[1, 2], [3, 5]]], "kernel": 2,
                                         "mode": "avg"}, "", ""), 0)
    assert avg.tolerance == EXACT and grade(avg, "2.75") and not grade(avg, "2.7501")
    scale = instantiate(numeric("inverted_dropout_scale", {"p": 0.3}, "", ""), 0)
    assert scale.tolerance == Tolerance(abs=0.0005)
    assert grade(scale, "1.429") and grade(scale, "1.4286") and not grade(scale, "1.43")


@pytest.mark.parametrize(("check", "params", "typed", "reason"), [
    ("conv_output_size", {"size": 224, "kernel": 1, "stride": 2}, "112 112", "one number"),
    ("conv_output_size", {"size": 224, "kernel": 1, "stride": 2}, "112; 112", "one number"),
    ("compose_linear", {"a": 2, "b": 1, "times": 2}, "4 3 1", "2 numbers"),
    ("compose_linear", {"a": 2, "b": 1, "times": 2}, "4", "2 numbers"),
    ("gd_step", {"theta": [[0.5, 0, -2]], "grad": [[1, 0, 3]], "lr": 0.1}, "0.4 0", "3 numbers"),
])
def test_shape_slips_are_asked_again_with_a_reason_in_both_languages(check, params, typed,
                                                                     reason):
    instance = instantiate(numeric(check, params, "", ""), 0)
    with pytest.raises(AnswerFormatError, match=reason) as caught:
        read_answer(instance, typed)
    assert caught.value.reason_zh and caught.value.reason_zh != caught.value.reason_en


def test_thousands_separators_grade_a_count_and_never_a_vector():
    count = instantiate(numeric("conv_params", {"in_channels": 256, "out_channels": 256,
                                                "kernel": 3, "bias": False}, "", ""), 0)
    assert count.expected == 589824
    for typed in ("589,824", "589 824", "589，824"):
        assert grade(count, typed)
    assert not grade(count, "589,825")
    pair = instantiate(numeric("compose_linear", {"a": 2, "b": 1, "times": 2}, "", ""), 0)
    assert read_answer(pair, "4, 3") == [4, 3]  # a list stays a list


# -- issue 12: templates, bounds and the whole space ------------------------------------------


@pytest.mark.parametrize(("template", "message"), [
    ("x {kernel:{size}} y", "may not contain another placeholder"),
    ("{size.__class__}", "only plain parameter names"),
    ("{size[0]}", "only plain parameter names"),
    ("{size!r}", "conversions such as !r are not allowed"),
    ("{}", "only plain parameter names"),
    ("{size:>41}", "the width is over 40"),
    ("{size:.16f}", "the precision is over 15"),
    ("{size:%Y-%m}", "not a simple one"),
    ("{size}" * 65, "at most 64 placeholders"),
])
def test_only_plain_placeholders_with_bounded_specs(template, message):
    spec = NumericSpec("conv_output_size", {"size": [32, 300000000], "kernel": 3})
    problems = spec_problems(spec, [template])
    assert len(problems) == 1 and message in problems[0]


def test_render_refuses_what_validation_refuses():
    """A template that skipped validation (say, from a tampered cache) still cannot run."""
    from quiz.numeric.params import render

    for template in ("{size.__class__}", "{size:{size}}", "{size!r}"):
        with pytest.raises(ValueError):
            render(template, {"size": 3})
    with pytest.raises(ValueError, match="longer than 4,000 characters"):
        render("{m}" * 64, {"m": [[123456] * 20] * 20})


def test_every_value_of_a_small_space_is_rendered():
    """Seed 0 draws an int here; the float choice must still be found."""
    spec = NumericSpec("inverted_dropout_scale", {"p": [0, 0, 0, 0, 0.5]})
    assert random_first_choice(spec) == 0
    assert spec_problems(spec, ["p = {p:d}"]) == [
        "with p=0.5: placeholder {p:d} cannot show 0.5 (format 'd')"
    ]


def random_first_choice(spec):
    import random

    return spec.params["p"][random.Random(0).randrange(5)]


def test_every_extreme_of_a_large_space_is_rendered():
    spec = NumericSpec("softmax", {"xs": {"length": 3, "min": -2, "max": 3, "step": 0.5}})
    assert spec_problems(spec, ["{xs}"]) == []
    assert "cannot show" in spec_problems(spec, ["{xs:d}"])[0]


def test_a_constraint_that_few_draws_meet_is_an_error():
    values = list(range(1, 101))
    rare = NumericSpec("conv_output_size", {"size": values, "kernel": 1}, ("size == 28",))
    assert spec_problems(rare, []) == [
        "only 1 of 100 draws meet the constraints and the check; at least 1 in 50 must, "
        "or review may find no valid draw"
    ]
    seed0 = instantiate(numeric("conv_output_size", {"size": {"min": 1, "max": 100000},
                                                     "kernel": 1}, "", ""), 0).values["size"]
    only_seed0 = NumericSpec("conv_output_size", {"size": {"min": 1, "max": 100000}, "kernel": 1},
                             (f"size == {seed0}",))
    assert spec_problems(only_seed0, [])[0].startswith("no draw meets the constraints")
    fine = NumericSpec("conv_output_size", {"size": values, "kernel": 1}, ("size <= 10",))
    assert spec_problems(fine, []) == []


@pytest.mark.parametrize(("params", "message"), [
    ({"a": 2, "b": 1, "times": 2000000}, "times must be at most 1,000,000"),
    ({"a": 10, "b": 1, "times": 20}, "a^t has more than 15 digits"),
    ({"a": 1, "b": 10**400, "times": 2}, "b must be a finite number within ±10^15, got a number "
                                          "over 10^15"),
    ({"a": 1.5, "b": 1e308, "times": 2}, "within ±10^15"),
])
def test_parameters_are_bounded_by_what_the_check_can_compute(params, message):
    problems = spec_problems(NumericSpec("compose_linear", params), ["{a} {b} {times}"])
    assert len(problems) == 1 and message in problems[0]
    assert "sys.set_int_max_str_digits" not in problems[0]


def test_huge_matrices_and_answers_are_refused():
    big = [[[1] * 21] * 21]
    assert "at most 20 rows" in spec_problems(NumericSpec("pool2d", {"matrix": big,
                                                                     "kernel": 2}), [])[0]
    assert "too large" in spec_problems(NumericSpec("conv_params", {
        "in_channels": 10**9, "out_channels": 10**9, "kernel": 9}), [])[0]


HOSTILE = """\
topic: hostile
title: {zh: 敌意, en: Hostile}
questions:
  - id: nested-spec
    type: numeric
    check: conv_output_size
    params: {size: [300000000], kernel: 3}
    zh: {q: "x {kernel:{size}} y"}
    en: {q: "x {kernel:{size.__class__}} y"}
  - id: amplified
    type: numeric
    check: pool2d
    params: {matrix: {rows: 20, cols: 20, min: 100000, max: 999999}, kernel: 2}
    zh: {q: "MATRIX"}
    en: {q: "{matrix}"}
  - id: compose-forever
    type: numeric
    check: compose
    params: {a: 2, b: 1, times: 2000000}
    zh: {q: "{a} {b} {times}"}
    en: {q: "{a} {b} {times}"}
  - id: huge-number
    type: numeric
    check: conv_output_size
    params: {size: [BIG], kernel: 3}
    zh: {q: "{size}"}
    en: {q: "{size}"}
  - id: int-format-on-floats
    type: numeric
    check: inverted_dropout_scale
    params: {p: [0, 0, 0, 0.5]}
    zh: {q: "p = {p:d}"}
    en: {q: "p = {p:d}"}
""".replace("MATRIX", "{matrix}" * 60).replace("BIG", "9" * 400)


@pytest.mark.slow
def test_a_hostile_bank_names_every_question_by_its_line():
    _, questions, problems = parse_text(HOSTILE, "hostile.yaml")
    lines = {line for _, line, _ in problems}
    messages = " | ".join(message for _, _, message in problems)
    assert lines == {6, 12, 18, 24, 30}  # each question's `check:` line
    assert "may not contain another placeholder" in messages
    assert "longer than 4,000 characters" in messages
    assert "times must be at most 1,000,000" in messages
    assert "a number over 10^15" in messages
    assert "with p=0.5: placeholder {p:d} cannot show 0.5" in messages
    assert "sys.set_int_max_str_digits" not in messages and "<class" not in messages


@pytest.mark.slow
def test_a_hostile_bank_is_refused_in_bounded_memory_and_time(tmp_path):
    """In a child limited to 1 GiB of address space and 30 s of CPU: exit 2, no traceback."""
    import subprocess
    import sys

    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    child = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (30, 30))\n"
        "from quiz.cli import main\n"
        f"sys.argv = ['quiz', 'validate', {str(tmp_path / 'hostile.yaml')!r}]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    reported = {line.split(":")[1] for line in result.stderr.splitlines()
                if "hostile.yaml:" in line}
    assert reported == {"6", "12", "18", "24", "30"}


def test_the_bundled_bank_validates_across_its_whole_space():
    bank = load_bank([ROOT / "questions"])
    numeric_questions = [q for q in bank.questions if q.numeric is not None]
    assert len(numeric_questions) >= 25
    for q in numeric_questions:
        assert spec_problems(q.numeric, [q.prompt.zh, q.prompt.en]) == [], q.id


def test_no_activation_question_carries_another_functions_text():
    bank = load_bank([ROOT / "questions"])
    (question,) = [q for q in bank.questions if q.id == "activations-value-at-point"]
    for seed in range(60):
        instance = instantiate(question, seed)
        name = instance.values["name"]
        for text in (instance.prompt.zh, instance.prompt.en):
            if name != "silu":
                assert "swish" not in text and "β" not in text and "silu" not in text


def test_the_gradient_step_question_and_its_solution_use_one_symbol():
    bank = load_bank([ROOT / "questions"])
    (question,) = [q for q in bank.questions if q.id == "training-gd-step"]
    instance = instantiate(question, 3)
    for prompt, solution in ((instance.prompt.zh, instance.solution.zh),
                             (instance.prompt.en, instance.solution.en)):
        assert "α" in prompt and "α" in solution
        assert "η" not in prompt and "η" not in solution


# -- worked solutions --------------------------------------------------------------------------


@pytest.mark.parametrize("check", ["conv_params", "linear_params"])
def test_the_heading_says_biases_only_when_there_are_biases(check):
    args = ({"in_channels": 3, "out_channels": 8, "kernel": 3} if check == "conv_params"
            else {"in_features": 3, "out_features": 8})
    with_bias = explain(check, {**args, "bias": True}).solution
    without = explain(check, {**args, "bias": False}).solution
    assert "weights + biases" in with_bias.en and "权重 + 偏置" in with_bias.zh
    assert "biases)" not in without.en.replace("no biases", "") and "偏置）" not in \
        without.zh.replace("无偏置", "")
    assert "weights only" in without.en and "只有权重" in without.zh


def test_the_vanilla_rnn_solution_has_no_gates():
    solution = explain("rnn_params", {"input_size": 100, "hidden_size": 128}).solution
    assert "每个门一组" not in solution.zh and "门" in solution.zh  # it says there are none
    assert "per gate" not in solution.en and "no gates" in solution.en
    lstm = explain("lstm_params", {"input_size": 100, "hidden_size": 128}).solution
    assert "每个门一组" in lstm.zh and "one per gate" in lstm.en


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish",
                                  "softplus", "gelu"])
@pytest.mark.parametrize("x", [-2.5, -1.5, 0, 0.5, 3])
def test_activation_solutions_show_steps_without_double_parentheses(name, x):
    for check in ("activation", "derivative"):
        worked = explain(check, {"name": name, "x": x})
        for text in (worked.solution.zh, worked.solution.en):
            assert "((" not in text and "(−(" not in text and "−(-" not in text, text
            assert format_number(worked.value) in text.splitlines()[-1]
        if check == "activation" and name in ("tanh", "swish", "sigmoid", "softplus"):
            steps = worked.solution.en.splitlines()[-1]
            assert steps.count("=") >= 3, steps  # substituted, computed parts, value


def test_tanh_and_swish_steps_compute_the_parts():
    tanh = explain("activation", {"name": "tanh", "x": -1.5}).solution.en
    assert "(e^(-1.5) − e^1.5)/(e^(-1.5) + e^1.5) = (0.22313 − 4.48169)/(0.22313 + 4.48169)" \
        in tanh
    swish = explain("activation", {"name": "swish", "x": -1.5}).solution.en
    assert "= -1.5·σ(-1.5) = -1.5·0.182426 = -0.273638" in swish


def test_a_shape_slip_in_review_is_asked_again_not_graded(store, bank_dir):
    """`112 112` for one side length: the session shows the reason and asks again."""
    from datetime import datetime, timedelta, timezone

    from script_ui import ScriptUI

    from quiz.session import run_session

    conv = load_bank([bank_dir]).questions[2]
    replies = ["112 112", "1 2 3", lambda view: format_value(view.instance.expected), "5"]
    shown = []

    def ask(kind, view):
        reply = replies.pop(0) if replies else None
        return reply(view) if callable(reply) else reply

    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    run_session(store, [conv], ui=ScriptUI(ask, lambda e, p: shown.append((e, p))),
                now=lambda: now, seed=lambda: 7)
    errors = [payload for event, payload in shown if event == "answer_error"]
    assert [e.reason_en for e in errors] == [
        "the answer is one number, you typed 2; for a large number, type it without separators",
        "the answer is one number, you typed 3; for a large number, type it without separators",
    ]
    (entry,) = store.reviews()
    assert entry.quality == 5


@pytest.mark.parametrize("check, args, line", [
    ("conv_transpose_output_size",
     {"size": 8, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1},
     "= (8−1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 16"),
    ("attention_flops", {"batch_size": 2, "seq_len": 128, "d_model": 64},
     "= 4·2·128²·64 = 8,388,608"),
    ("kv_cache_mib", {"layers": 2, "batch_size": 1, "num_heads": 4, "seq_len": 128,
                      "head_dim": 64, "bytes_per_element": 2},
     "= 2·2·1·4·128·64·2 = 262,144 B = 262,144/2^20 MiB = 0.25 MiB"),
    ("attention_scores_mib", {"batch_size": 2, "num_heads": 8, "seq_len": 256,
                              "bytes_per_element": 4},
     "= 2·8·256·256·4 = 4,194,304 B = 4,194,304/2^20 MiB = 4 MiB"),
    ("mha_params", {"embed_dim": 512, "num_heads": 8, "bias": False}, "= 4·512² = 1,048,576"),
    ("linear_params", {"in_features": 3, "out_features": 4, "bias": False}, "out·in = 4·3 = 12"),
    ("conv_params", {"in_channels": 3, "out_channels": 8, "kernel": 3},
     "C_out·(C_in/g)·k_h·k_w + C_out = 8·(3/1)·3·3 + 8 = 224"),
    ("pool_output_size", {"size": 5, "kernel": 2, "stride": 2, "padding": 1, "ceil_mode": True},
     "= ⌈(5 + 2·1 − 1·(2−1) − 1)/2⌉ + 1 = ⌈5/2⌉ + 1 = 4"),
])
def test_worked_solutions_substitute_the_arguments_by_name(check, args, line):
    """Each line worked out by hand; both languages share the maths lines."""
    worked = solutions.explain(check, args)
    assert line in worked.solution.en.splitlines()
    assert line in worked.solution.zh.splitlines()
