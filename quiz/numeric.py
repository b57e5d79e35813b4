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
    en: {q: "Input side {size}, pooling kernel {kernel}, stride {stride}, ceil_mode={ceil_mode}. Output side?"}
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

import difflib
import math
import random
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from quiz.answers import format_number, format_value, parse_answer
from quiz.constraints import constraint_names, constraint_problem, satisfies
from quiz.model import NumericSpec, Question, Text
from quiz.solutions import CHECKS, Check, Worked, explain

__all__ = [
    "CHECKS", "Check", "Instance", "Worked", "explain", "format_value", "grade", "instantiate",
    "parse_answer", "spec_problems",
]

ATTEMPTS = 1000
DEFAULT_TOLERANCE = (1e-3, 1e-4)  # (relative, absolute): either one suffices
_RANGE_KEYS = {"min", "max", "step"}
_MAX_SIDE = 20


@dataclass(frozen=True)
class Instance:
    """One drawn numeric question: its values, prompt, expected answer and worked solution."""

    seed: int
    values: dict[str, Any] = field(hash=False)
    prompt: Text
    expected: Any  # int | float | list[float] | list[list[float]]
    tolerance: tuple[float, float]  # (relative, absolute)
    solution: Text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range_problem(name: str, param: dict[str, Any]) -> str | None:
    """What is wrong with a range / vector / matrix entry, or None."""
    shape_keys = {"length"} if "length" in param else {"rows", "cols"} if "rows" in param else set()
    unknown = sorted(set(param) - _RANGE_KEYS - shape_keys)
    missing = sorted((shape_keys | {"min", "max"}) - set(param))
    if unknown or missing:
        return (f"parameter {name!r}: a range takes {{min, max, step}} plus {{length}} for a "
                f"vector or {{rows, cols}} for a matrix"
                + (f"; unknown keys {unknown}" if unknown else "")
                + (f"; missing {missing}" if missing else ""))
    for key in sorted(shape_keys):
        side = param[key]
        if isinstance(side, bool) or not isinstance(side, int) or not 1 <= side <= _MAX_SIDE:
            return f"parameter {name!r}: {key} must be an integer from 1 to {_MAX_SIDE}"
    low, high, step = param["min"], param["max"], param.get("step", 1)
    if not all(_is_number(v) and math.isfinite(v) for v in (low, high, step)):
        return f"parameter {name!r}: min, max and step must be numbers"
    if "step" not in param and not (isinstance(low, int) and isinstance(high, int)):
        return f"parameter {name!r}: a decimal range needs a step"
    if low > high:
        return f"parameter {name!r}: min ({low}) is greater than max ({high})"
    if step <= 0:
        return f"parameter {name!r}: step must be positive, got {step}"
    return None


def _param_problem(name: str, param: Any) -> str | None:
    """What is wrong with one `params` entry, or None."""
    if isinstance(param, dict):
        return _range_problem(name, param)
    if isinstance(param, list) and not param:
        return f"parameter {name!r}: the list of choices is empty"
    if param is None:
        return f"parameter {name!r} has no value"
    return None


def _draw_range(param: dict[str, Any], rng: random.Random) -> int | float:
    """One value of `min + i·step ≤ max`, exact in decimal (0.1 + 0.2 stays 0.3)."""
    low, high = Decimal(str(param["min"])), Decimal(str(param["max"]))
    step = Decimal(str(param.get("step", 1)))
    value = low + rng.randrange(int((high - low) // step) + 1) * step
    if all(isinstance(param.get(k, 1), int) for k in ("min", "max", "step")):
        return int(value)
    return float(value)


def _draw(param: Any, rng: random.Random) -> Any:
    """One value of a `params` entry (see the module docstring for the grammar)."""
    if isinstance(param, list):
        return param[rng.randrange(len(param))]
    if not isinstance(param, dict):
        return param
    if "length" in param:
        return [_draw_range(param, rng) for _ in range(param["length"])]
    if "rows" in param:
        return [[_draw_range(param, rng) for _ in range(param["cols"])] for _ in range(param["rows"])]
    return _draw_range(param, rng)


def _display(value: Any) -> str:
    """A drawn value as shown in a prompt: a matrix as rows on their own lines."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        cells = [[format_number(v) for v in row] for row in value]
        width = max(len(c) for row in cells for c in row)
        return "".join("\n  " + " ".join(c.rjust(width) for c in row) for row in cells) + "\n"
    if isinstance(value, list):
        return f"[{format_value(value)}]"
    return format_number(value)


class _Template(string.Formatter):
    """str.format that shows values with `_display` unless a format spec is given."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return format(value, format_spec) if format_spec else _display(value)


def _render(template: str, values: dict[str, Any]) -> str:
    return _Template().vformat(template, (), values)


def _hint(name: str, known: list[str] | tuple[str, ...]) -> str:
    """ " (did you mean 'kernel'?)" for a near miss, else nothing."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _placeholder_problems(template: str, names: list[str]) -> list[str]:
    """Placeholders in `template` that are not parameters, or a malformed template."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as err:
        return [f"template {template!r}: {err}"]
    problems = []
    for f in fields:
        if f not in names:
            problems.append(f"placeholder {{{f}}} is not a parameter{_hint(f, names)} "
                            f"(parameters: {', '.join(names) or 'none'})")
    return problems


def _tolerance(spec: NumericSpec) -> tuple[float, float]:
    given = spec.tolerance or {}
    return (given.get("rel", DEFAULT_TOLERANCE[0]), given.get("abs", DEFAULT_TOLERANCE[1]))


def _tolerance_problems(spec: NumericSpec) -> list[str]:
    if spec.tolerance is None:
        return []
    if not isinstance(spec.tolerance, dict):
        return ["tolerance must be a mapping such as {rel: 0.01, abs: 0.001}"]
    problems = [f"tolerance has unknown key {k!r} (keys: rel, abs)"
                for k in spec.tolerance if k not in ("rel", "abs")]
    for key in ("rel", "abs"):
        v = spec.tolerance.get(key, 0)
        if not (_is_number(v) and math.isfinite(v) and v >= 0):
            problems.append(f"tolerance {key} must be a non-negative number, got {v!r}")
    return problems


def _valid_draw(spec: NumericSpec, seed: int) -> tuple[dict[str, Any], Worked]:
    """The first draw from `seed` that meets the constraints and the check; else ValueError."""
    rng = random.Random(seed)
    last = "every draw broke a constraint"
    for _ in range(ATTEMPTS):
        values = {name: _draw(param, rng) for name, param in spec.params.items()}
        if not all(satisfies(c, values) for c in spec.constraints):
            continue
        try:
            return values, explain(spec.check, values)
        except ValueError as err:
            last = str(err)
    raise ValueError(f"no valid draw in {ATTEMPTS} attempts ({last})")


def spec_problems(spec: NumericSpec, templates: list[str]) -> list[str]:
    """Every problem with a numeric spec and its templates, as plain English messages."""
    if spec.check not in CHECKS:
        return [f"unknown check {spec.check!r}{_hint(spec.check, list(CHECKS))} "
                f"(known: {', '.join(sorted(CHECKS))})"]
    check = CHECKS[spec.check]
    if not isinstance(spec.params, dict):
        return ["params must be a mapping from argument names to values"]
    names = list(spec.params)
    problems = [f"{spec.check} takes no argument {n!r}{_hint(n, check.arguments)} "
                f"(arguments: {', '.join(check.arguments)})" for n in names if n not in check.arguments]
    problems += [f"{spec.check} needs the argument {n!r} in params" for n in check.required
                 if n not in spec.params]
    problems += [p for n, param in spec.params.items() if (p := _param_problem(n, param))]
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
        problems += _placeholder_problems(template, names)
    if problems:
        return problems
    try:
        values, _ = _valid_draw(spec, 0)
        for template in templates:
            _render(template, values)
    except (ValueError, TypeError, KeyError, IndexError) as err:
        problems.append(str(err))
    return problems


def instantiate(question: Question, seed: int) -> Instance:
    """Draw `question`'s parameters from `seed`: same seed, same instance."""
    spec = question.numeric
    if spec is None:
        raise ValueError(f"question {question.id!r} is not numeric")
    values, worked = _valid_draw(spec, seed)
    prompt = Text(_render(question.prompt.zh, values), _render(question.prompt.en, values))
    return Instance(seed, values, prompt, worked.value, _tolerance(spec), worked.solution)


def _close(expected: Any, answer: Any, rel: float, abs_: float) -> bool:
    """One element: exact for an integer expectation, within tolerance for a real one."""
    if not _is_number(answer):
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
    if len(got) != len(want) or (len(got_shape) == 2 and any(
            len(row) != got_shape[1] for row in answer)):
        return False
    rel, abs_ = instance.tolerance
    return all(_close(w, g, rel, abs_) for w, g in zip(want, got, strict=True))
