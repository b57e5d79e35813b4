"""Numeric templates: draw a question's parameters from a seed, grade the typed answer.

A `type: numeric` question names a `check` (a reference function, see `CHECKS`) and gives
`params`, one entry per argument of the check. Each entry is one of:

- a fixed value: `stride: 2`, `name: sigmoid`, `bias: false`;
- a list of choices, one picked per draw: `kernel: [1, 3, 5]`, `name: [relu, gelu]`;
  a choice may itself be a list, so a fixed vector is written `xs: [[1, 2, 3]]`;
- a range `{min, max, step}`: every `min + i·step` up to `max`; integers when all three are
  integers (step defaults to 1 then), otherwise decimals (step required): `{min: -2, max: 2,
  step: 0.5}` draws from -2, -1.5, …, 2;
- a vector `{length, min, max, step}`: `length` independent draws from that range;
- a matrix `{rows, cols, min, max, step}`: rows × cols independent draws from that range.

Arguments the check does not need may be left out (their defaults are used). `constraints`
are comparisons over parameters that every draw must satisfy, such as
`kernel <= size + 2*padding`: numbers, parameter names, + − * / // %, comparisons, and, or,
not. They are parsed with `ast` against that whitelist, never evaluated by Python. A draw
that breaks a constraint, or that the check rejects, is drawn again (deterministically, at
most 1000 times). `tolerance: {rel: 0.01, abs: 0.001}` loosens the grading of real answers
(default rel 1e-3 or abs 1e-4, either suffices); integer answers are always exact.

Templates use `{name}` placeholders for parameters (a format spec such as `{lr:.2f}` is
allowed). A vector shows as `[1, 2, 3]`; a matrix shows as its rows, each on a new line.

```yaml
  - id: cnn-pool-output-size
    type: numeric
    check: pool_output_size
    params: {size: {min: 5, max: 64}, kernel: [2, 3], stride: [1, 2], ceil_mode: [true, false]}
    zh: {q: "输入边长 {size}，池化核 {kernel}，步长 {stride}，ceil_mode={ceil_mode}。输出边长？"}
    en: {q: "Input side {size}, kernel {kernel}, stride {stride}, ceil_mode={ceil_mode}. Output?"}
  - id: act-derivative
    type: numeric
    check: derivative
    params: {name: [sigmoid, tanh, gelu], x: {min: -3, max: 3, step: 0.5}}
    tolerance: {rel: 0.01}
    zh: {q: "{name} 在 x = {x} 处的导数是多少？（保留三位小数）"}
    en: {q: "What is the derivative of {name} at x = {x}? (three decimals)"}
  - id: cnn-max-pool-by-hand
    type: numeric
    check: pool2d
    params: {matrix: {rows: 4, cols: 4, min: 0, max: 9}, kernel: 2, stride: 2, mode: max}
    zh: {q: "对下面的矩阵做 {kernel}×{kernel} 最大池化，步长 {stride}：{matrix}"}
    en: {q: "Apply {kernel}×{kernel} max pooling with stride {stride} to:{matrix}"}
```
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from quiz.answers import format_value, parse_answer
from quiz.constraints import constraint_names, constraint_problem, satisfies
from quiz.model import NumericSpec, Question, Text
from quiz.params import did_you_mean, draw, is_number, param_problem, placeholder_problems, render
from quiz.solutions import CHECKS, Check, Worked, explain

__all__ = [
    "CHECKS",
    "Check",
    "Instance",
    "Worked",
    "explain",
    "format_value",
    "grade",
    "instantiate",
    "parse_answer",
    "spec_problems",
]

ATTEMPTS = 1000
DEFAULT_TOLERANCE = (1e-3, 1e-4)  # (relative, absolute): either one suffices


@dataclass(frozen=True)
class Instance:
    """One drawn numeric question: its values, prompt, expected answer and worked solution."""

    seed: int
    values: dict[str, Any] = field(hash=False)
    prompt: Text
    expected: Any  # int | float | list[float] | list[list[float]]
    tolerance: tuple[float, float]  # (relative, absolute)
    solution: Text


def _tolerance(spec: NumericSpec) -> tuple[float, float]:
    given = spec.tolerance or {}
    return (given.get("rel", DEFAULT_TOLERANCE[0]), given.get("abs", DEFAULT_TOLERANCE[1]))


def _tolerance_problems(spec: NumericSpec) -> list[str]:
    if spec.tolerance is None:
        return []
    if not isinstance(spec.tolerance, dict):
        return ["tolerance must be a mapping such as {rel: 0.01, abs: 0.001}"]
    problems = [
        f"tolerance has unknown key {k!r} (keys: rel, abs)"
        for k in spec.tolerance
        if k not in ("rel", "abs")
    ]
    for key in ("rel", "abs"):
        v = spec.tolerance.get(key, 0)
        if not (is_number(v) and math.isfinite(v) and v >= 0):
            problems.append(f"tolerance {key} must be a non-negative number, got {v!r}")
    return problems


def _valid_draw(spec: NumericSpec, seed: int) -> tuple[dict[str, Any], Worked]:
    """The first draw from `seed` that meets the constraints and the check; else ValueError."""
    rng = random.Random(seed)
    last = "every draw broke a constraint"
    for _ in range(ATTEMPTS):
        values = {name: draw(param, rng) for name, param in spec.params.items()}
        if not all(satisfies(c, values) for c in spec.constraints):
            continue
        try:
            return values, explain(spec.check, values)
        except (ValueError, TypeError) as err:  # TypeError: a value of the wrong kind
            last = str(err)
    raise ValueError(f"no valid draw in {ATTEMPTS} attempts ({last})")


def spec_problems(spec: NumericSpec, templates: list[str]) -> list[str]:
    """Every problem with a numeric spec and its templates, as plain English messages."""
    if spec.check not in CHECKS:
        return [
            f"unknown check {spec.check!r}{did_you_mean(spec.check, list(CHECKS))} "
            f"(known: {', '.join(sorted(CHECKS))})"
        ]
    check = CHECKS[spec.check]
    if not isinstance(spec.params, dict):
        return ["params must be a mapping from argument names to values"]
    names = list(spec.params)
    problems = [
        f"{spec.check} takes no argument {n!r}{did_you_mean(n, check.arguments)} "
        f"(arguments: {', '.join(check.arguments)})"
        for n in names
        if n not in check.arguments
    ]
    problems += [
        f"{spec.check} needs the argument {n!r} in params"
        for n in check.required
        if n not in spec.params
    ]
    problems += [p for n, param in spec.params.items() if (p := param_problem(n, param))]
    for text in spec.constraints:
        problem = constraint_problem(text)
        if problem is None:
            strangers = sorted(constraint_names(text) - set(names))
            if strangers:
                problem = f"names {', '.join(strangers)} are not parameters"
        if problem:
            problems.append(f"constraint {text!r}: {problem}")
    problems += _tolerance_problems(spec)
    for template in templates:
        problems += placeholder_problems(template, names)
    if problems:
        return problems
    try:
        values, _ = _valid_draw(spec, 0)
        for template in templates:
            render(template, values)
    except (ValueError, TypeError, KeyError, IndexError) as err:
        problems.append(str(err))
    return problems


def instantiate(question: Question, seed: int) -> Instance:
    """Draw `question`'s parameters from `seed`: same seed, same instance."""
    spec = question.numeric
    if spec is None:
        raise ValueError(f"question {question.id!r} is not numeric")
    values, worked = _valid_draw(spec, seed)
    prompt = Text(render(question.prompt.zh, values), render(question.prompt.en, values))
    return Instance(seed, values, prompt, worked.value, _tolerance(spec), worked.solution)


def _close(expected: Any, answer: Any, rel: float, abs_: float) -> bool:
    """One element: exact for an integer expectation, within tolerance for a real one."""
    if not is_number(answer):
        return False
    if isinstance(expected, int):
        return answer == expected
    diff = abs(answer - expected)
    return diff <= abs_ or diff <= rel * abs(expected)


def _flat(value: Any) -> tuple[tuple[int, ...], list[Any]]:
    """(shape, elements) of a number, a list or a list of rows."""
    if not isinstance(value, list):
        return (), [value]
    if value and all(isinstance(row, list) for row in value):
        return (len(value), len(value[0])), [v for row in value for v in row]
    return (len(value),), list(value)


def grade(instance: Instance, answer: Any) -> bool:
    """Whether `answer` (parsed, or text to parse) matches the instance's expected value.

    Shapes must match, except that a matrix may be answered as its elements in one flat
    row-major list (`6 8 3 4` for `6 8; 3 4`). Text that cannot be read raises
    AnswerFormatError.
    """
    if isinstance(answer, str):
        answer = parse_answer(answer)
    want_shape, want = _flat(instance.expected)
    got_shape, got = _flat(answer)
    if got_shape != want_shape and not (len(want_shape) == 2 and got_shape == (len(want),)):
        return False
    if len(got) != len(want) or (
        len(got_shape) == 2 and any(len(row) != got_shape[1] for row in answer)
    ):
        return False
    rel, abs_ = instance.tolerance
    return all(_close(w, g, rel, abs_) for w, g in zip(want, got, strict=True))
