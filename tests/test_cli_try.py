"""`quiz try`: what a bank author sees for a question and a typed answer."""

import json
import re

import pytest
from typer.testing import CliRunner

from quiz.cli import app

runner = CliRunner()

BANK = """\
topic: demo
title: {zh: 演示, en: Demo}
questions:
  - id: demo-pooling
    zh: {q: 池化是什么？, a: 池化在局部窗口内取最大值或平均值来下采样，并扩大感受野。}
    en: {q: What is pooling?, a: "Pooling downsamples by taking the max or mean of windows."}
    key_points:
      - {zh: [下采样], en: [downsampling]}
      - {zh: [最大值, 平均值], en: [max, mean]}
      - {zh: [感受野], en: [receptive field]}
      - {zh: [平移不变], en: [translation invariance]}
  - id: demo-no-points
    zh: {q: 卷积是什么？, a: 在输入上滑动卷积核做加权求和。}
    en: {q: What is a convolution?, a: "A kernel slid over the input, taking weighted sums."}
  - id: demo-conv-size
    type: numeric
    check: conv_output_size
    params: {size: [28, 32, 64], kernel: [1, 3, 5], stride: [1, 2], padding: [0, 1, 2]}
    zh: {q: "输入边长 {size}，卷积核 {kernel}，步长 {stride}，填充 {padding}。输出边长？"}
    en: {q: "Input side {size}, kernel {kernel}, stride {stride}, padding {padding}. Output side?"}
"""
KEYS = ["id", "seed", "question", "expected", "covered", "suggested_grade", "correct"]


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def try_json(bank, *args):
    result = runner.invoke(app, ["try", *map(str, args), "--bank", str(bank), "--json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == KEYS
    return data


def test_an_open_answer_shows_the_points_it_covers_and_the_grade(bank):
    assert try_json(bank, "demo-pooling", "--answer", "池化就是下采样，取最大值") == {
        "id": "demo-pooling", "seed": None,
        "question": {"zh": "池化是什么？", "en": "What is pooling?"},
        "expected": None, "covered": [True, True, False, False],
        "suggested_grade": 3, "correct": None,
    }


@pytest.mark.parametrize("answer, covered, grade", [
    ("downsampling with the max; a larger receptive field", [True, True, True, False], 4),
    ("下采样、最大值、感受野、平移不变", [True, True, True, True], 5),
    ("it downsamples", [True, False, False, False], None),  # one point: no default
    ("a kind of normalisation", [False, False, False, False], 1),
])
def test_the_grade_follows_the_points_covered(bank, answer, covered, grade):
    data = try_json(bank, "demo-pooling", "--answer", answer)
    assert data["covered"] == covered and data["suggested_grade"] == grade


def test_without_an_answer_nothing_is_graded(bank):
    data = try_json(bank, "demo-pooling")
    assert data["covered"] == [False] * 4
    assert data["suggested_grade"] is None and data["correct"] is None


def test_a_question_without_key_points_offers_no_grade(bank):
    data = try_json(bank, "demo-no-points", "--answer", "a kernel slid over the input")
    assert data["covered"] == [] and data["suggested_grade"] is None


def conv_side(prompt: str) -> int:
    """The output side, computed from the numbers in the prompt: ⌊(n + 2p − k)/s⌋ + 1."""
    size, kernel, stride, padding = map(int, re.findall(r"\d+", prompt))
    return (size + 2 * padding - kernel) // stride + 1


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_a_numeric_template_shows_the_instance_of_its_seed(bank, seed):
    data = try_json(bank, "demo-conv-size", "--seed", seed)
    assert data["seed"] == seed
    assert re.fullmatch(r"Input side \d+, kernel \d, stride \d, padding \d\. Output side\?",
                        data["question"]["en"])
    side = conv_side(data["question"]["en"])
    assert conv_side(data["question"]["zh"]) == side  # the same instance in both languages
    assert data["expected"] == str(side)
    assert data["covered"] == [] and data["correct"] is None and data["suggested_grade"] is None
    assert try_json(bank, "demo-conv-size", "--seed", seed) == data  # same seed, same instance


def test_seeds_draw_different_instances(bank):
    prompts = {try_json(bank, "demo-conv-size", "--seed", s)["question"]["en"] for s in range(8)}
    assert len(prompts) > 1


def test_a_numeric_answer_is_graded_against_the_instance(bank):
    side = conv_side(try_json(bank, "demo-conv-size", "--seed", 3)["question"]["en"])
    right = try_json(bank, "demo-conv-size", "--seed", 3, "--answer", side)
    assert (right["correct"], right["suggested_grade"]) == (True, 4)
    wrong = try_json(bank, "demo-conv-size", "--seed", 3, "--answer", side + 1)
    assert (wrong["correct"], wrong["suggested_grade"]) == (False, 1)


def test_the_text_output_lists_each_point_and_the_grade(bank):
    result = runner.invoke(app, ["try", "demo-pooling", "--bank", str(bank), "--lang", "en",
                                 "--answer", "downsampling with the max"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "demo-pooling", "What is pooling?",
        "✓ downsampling", "✓ max", "✗ receptive field", "✗ translation invariance",
        "Key points 2/4", "Suggested grade 3",
    ]


def test_the_text_output_of_a_numeric_instance(bank):
    result = runner.invoke(app, ["try", "demo-conv-size", "--bank", str(bank), "--lang", "zh",
                                 "--seed", "2", "--answer", "0"], catch_exceptions=False)
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[0] == "demo-conv-size  seed 2"
    assert lines[2] == f"= {conv_side(lines[1])}"
    assert lines[3:] == ["✗ 不正确", "建议评分 1"]


def test_an_unknown_id_suggests_the_closest(bank):
    result = runner.invoke(app, ["try", "demo-poolin", "--bank", str(bank)])
    assert result.exit_code == 2
    assert result.stderr == "Error: no question with id 'demo-poolin'; did you mean " \
                            "demo-pooling, demo-no-points?\n"


def test_an_unreadable_numeric_answer_is_an_input_error(bank):
    result = runner.invoke(app, ["try", "demo-conv-size", "--bank", str(bank), "--lang", "en",
                                 "--answer", "abc"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot read the answer: cannot read 'abc'")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["--seed", "-1"], ["--seed", "x"], ["--lang", "fr"]])
def test_bad_options_are_usage_errors(bank, args):
    result = runner.invoke(app, ["try", "demo-conv-size", "--bank", str(bank), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
