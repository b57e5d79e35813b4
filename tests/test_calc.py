"""`quiz calc`: argument parsing and the command's output."""

import pytest
from typer.testing import CliRunner

from quiz.calc import parse
from quiz.cli import app
from quiz.errors import UsageError


@pytest.mark.parametrize("name, words, expected", [
    ("conv", "--size 224 --kernel 7 --stride 2 --padding 3",
     ("conv_output_size", {"size": 224, "kernel": 7, "stride": 2, "padding": 3})),
    ("derivative", "sigmoid 0.5", ("derivative", {"name": "sigmoid", "x": 0.5})),
    ("derivative", "leaky-relu -1/2", ("derivative", {"name": "leaky_relu", "x": -0.5})),
    ("iterations", "--samples 10000 --batch 200",
     ("iterations_per_epoch", {"n_samples": 10000, "batch_size": 200})),
    ("iterations", "--samples 10000 --batch 200 --epochs 3 --drop-last",
     ("total_iterations", {"n_samples": 10000, "batch_size": 200, "epochs": 3,
                           "drop_last": True})),
    ("softmax", "1 2 3", ("softmax", {"xs": [1, 2, 3]})),
    ("pool2d", "--matrix=1,2;3,4 --kernel 2", ("pool2d", {"matrix": [[1, 2], [3, 4]],
                                                          "kernel": 2})),
    ("pool", "--size 7 --kernel 2 --ceil-mode false",
     ("pool_output_size", {"size": 7, "kernel": 2, "ceil_mode": False})),
])
def test_parse(name, words, expected):
    assert parse(name, words.split()) == expected


@pytest.mark.parametrize("name, words, message", [
    ("convolution", "", "unknown calculation 'convolution'"),
    ("conv", "--size 3 --kernal 3", "conv has no option --kernal"),
    ("conv", "1 2 3 4 5 6", "conv takes at most 5 values"),
    ("conv", "--size x", "--size:"),
    ("conv", "32 --size 32", "size is given twice"),
])
def test_parse_errors(name, words, message):
    with pytest.raises(UsageError, match=message):
        parse(name, words.split())


def test_calc_prints_the_value_and_worked_solution():
    result = CliRunner().invoke(app, ["calc", "iterations", "--samples", "10000", "--batch",
                                      "200", "--lang", "en"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "50"
    assert "10000" in result.output and "200" in result.output


def test_calc_bad_arguments_exit_2_with_the_reason():
    result = CliRunner().invoke(app, ["calc", "conv", "--size", "2", "--kernel", "7"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "kernel" in result.stderr
