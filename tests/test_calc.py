"""`quiz calc`: argument parsing and the command's output."""

import pytest
from conftest import examples, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quiz.cli import app
from quiz.errors import UsageError
from quiz.numeric import solutions
from quiz.numeric.calc import parse


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


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env


def test_calc_prints_the_value_and_worked_solution():
    result = run_cli("calc", "iterations", "--samples", "10000", "--batch", "200", "--lang", "en")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "50"
    assert "10000" in result.output and "200" in result.output


def test_calc_bad_arguments_exit_2_with_the_reason():
    result = run_cli("calc", "conv", "--size", "2", "--kernel", "7")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "kernel" in result.stderr


def run(*words):
    return CliRunner().invoke(app, ["calc", *words, "--lang", "en"])


@pytest.mark.parametrize(("words", "message"), [
    ((), "Error: name a calculation, e.g. quiz calc conv --size 32 --kernel 3 (quiz calc --list "
         "shows them all)"),
    (("conv", "--size", "5", "--size", "6", "--kernel", "3"), "Error: --size is given twice"),
    (("conv", "--size=5", "--size", "6"), "Error: --size is given twice"),
    (("compose", "--a", "2", "--b", "1", "--times", "100000000000"),
     "Error: times must be at most 1,000,000, got 100000000000"),
    (("compose", "--a", "10", "--b", "1", "--times", "20"),
     "Error: a^t has more than 15 digits for a = 10, t = 20"),
    (("compose", "--a", "1", "--b", "1e308", "--times", "2"),
     "Error: --b: '1e308' is too large (over 10^15)"),
    (("gd-step", "--theta", "1e308", "--grad", "-1e308", "--lr", "0.1"),
     "Error: --theta: '1e308' is too large (over 10^15)"),
    (("pool2d", "--mode", "avg", "--matrix", "1e308 1e308; 1e308 1e308", "--kernel", "2"),
     "Error: --matrix: '1e308' is too large (over 10^15)"),
    (("conv", "--size", "9" * 400, "--kernel", "3"),
     "Error: --size: '999999999999999999999999999...' is too large (over 10^15)"),
    (("conv-params", "--in", "1000000000", "--out", "1000000000", "--kernel", "9"),
     "Error: the answer is too large to ask (over 10^15 or not finite)"),
    (("conv-param",), "Error: unknown calculation 'conv-param' (did you mean 'conv-params'?); "
                      "quiz calc --list shows them all"),
])
def test_calc_errors_are_one_line_and_exit_2(words, message):
    result = run(*words)
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert "Traceback" not in result.output and "inf" not in result.stdout


def test_conv_params_takes_a_kh_kw_kernel_and_gd_step_takes_vectors():
    result = run("conv-params", "--in", "3", "--out", "64", "--kernel", "3", "5")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "2944"
    assert parse("conv-params", "--in 3 --out 64 --kernel 3,5".split())[1]["kernel"] == [3, 5]
    result = run("gd-step", "--theta", "0.5", "-1", "--grad", "2", "0.5", "--lr", "0.1")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "0.3, -1.05"
    assert parse("gd-step", ["--theta", "0.5 -1 2", "--grad", "1 1 1", "--lr", "0.5"]) == (
        "gd_step", {"theta": [0.5, -1, 2], "grad": [1, 1, 1], "lr": 0.5})


def test_calc_list_names_every_check_and_its_arguments():
    from quiz.numeric.solutions import REGISTRY

    result = run("--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(REGISTRY)
    for line, check in zip(lines, REGISTRY, strict=True):
        assert line.split()[0] == check.command and f"{check.name}:" in line
        assert all(argument in line for argument in check.arguments)


def test_calc_name_help_shows_that_calculations_arguments():
    result = run("conv", "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: quiz calc conv ")
    for argument in ("--size", "--kernel", "--stride", "--padding", "--dilation"):
        assert argument in result.stdout
    assert "required" in result.stdout and "default 1" in result.stdout
    general = run("--help")
    assert general.exit_code == 0 and "quiz calc --list" in general.stdout


def test_calc_names_and_bank_check_names_are_one_set():
    """Every name calc accepts is a check a bank may name, and the other way round."""
    from quiz.model import NumericSpec
    from quiz.numeric.solutions import CHECKS, REGISTRY, find, names
    from quiz.numeric.templates import spec_problems

    assert set(names()) == {c.command for c in REGISTRY} | set(CHECKS)
    for name in names():
        check = find(name)
        assert check is not None and parse(name, [])[0] in CHECKS
        problems = spec_problems(NumericSpec(name, {}), [])
        assert not any("unknown check" in p for p in problems), name
    assert "unknown check" in spec_problems(NumericSpec("deconv", {}), [])[0]
    with pytest.raises(UsageError, match="unknown calculation"):
        parse("deconv", [])


def test_gru_params_says_keras_counts_as_pytorch_by_default():
    result = run("gru-params", "100", "128")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "88320"
    text = " ".join(result.stdout.split())
    assert "reset_after=True" in text and "reset_after=False keeps one: 3·(h·(i + h) + h) = 87936" \
        in text


WORDS = ["--size", "--kernel", "--kernel=3", "--stride", "--bias", "--theta", "--grad", "--lr",
         "--matrix", "--mode", "--name", "--x", "--times", "--a", "--b", "--epochs", "--help",
         "--", "-", "3", "-1", "0", "0.5", "1e308", "-1e308", "9" * 400, "1/0", "nan", "inf",
         "true", "none", "avg", "relu", "1 2; 3 4", "1,000", "[[1]]", "x", "", "２", "1e-400"]


@settings(max_examples=examples(400), deadline=None)
@given(st.sampled_from(solutions.names()),
       st.lists(st.sampled_from(WORDS), max_size=8))
def test_calc_never_crashes(name, words):
    """Any words: a value with a finite answer, or a UsageError; never another exception."""
    from quiz.numeric.arguments import answer_problem
    from quiz.numeric.templates import explain

    try:
        check, args = parse(name, words)
        worked = explain(check, args)
    except UsageError:
        return
    except ValueError as err:  # the CLI turns it into a UsageError (exit 2)
        assert "Traceback" not in str(err) and "sys.set_int_max_str_digits" not in str(err)
        return
    except TypeError as err:  # likewise: a value of the wrong kind
        assert str(err)
        return
    assert answer_problem(worked.value) is None
