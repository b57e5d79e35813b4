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

A check is named as the bank names it or as `quiz calc` does (`conv_output_size` or `conv`).
Every number a check takes or gives is within ±10^15, and a vector or a matrix has at most
20 entries a side (quiz.numeric.arguments): a larger one is a validation error, not a slow draw.

Arguments the check does not need may be left out (their defaults are used). `constraints`
are comparisons over parameters that every draw must satisfy, such as
`kernel <= size + 2*padding`: numbers, parameter names, + − * / // %, comparisons, and, or,
not. They are parsed with `ast` against that whitelist, never evaluated by Python. A draw
that breaks a constraint, or that the check rejects, is drawn again (deterministically, at
most 1000 times; validation makes sure at least 1 draw in 50 is valid, see quiz.numeric.space).

Grading, for each element of the answer:

- an integer expectation (a count, a size) is exact;
- `tolerance` applies as stated and symmetrically: `{abs: 0.001}` alone means |x − v| ≤ 0.001
  with v rounded to three decimals (the answer asked for: σ'(0.5) = 0.235004 → 0.235, so
  0.234 and 0.236 both pass and 0.2339 does not), `{rel: 0.01}` alone means
  |x − v| ≤ 0.01·|v|, both keys mean either one suffices; the comparison is done in decimal
  on the numbers as written, so float rounding never moves the boundary;
- with no `tolerance`, a real value that its check computes exactly (a piecewise-constant
  derivative such as relu'(−3) = 0, a decimal step such as θ − α·g, a max pool) is exact,
  and any other real value gets `{abs: 0.0005}`: an answer correctly rounded to three
  decimals (what the bundled prompts ask for) passes, a wrong third decimal does not.

"Exact" allows only float rounding (10⁻⁹ of the value): relu'(−3) = 0 refuses 0.0001.
An answer that is one number may use thousands separators (`7,850`, `7 850`).
An answer of the wrong shape (two numbers for one, a 3-vector for 2 values) is not graded:
`read_answer` raises AnswerFormatError so that it is asked again.

Templates use plain `{name}` placeholders for parameters, optionally with a simple format
spec such as `{lr:.2f}`, `{n:d}` or `{x:>6}` (width at most 40, precision at most 15); no
attribute or index lookups (`{a.b}`, `{a[0]}`), conversions (`!r`) or nested specs. A
rendered prompt has at most 4,000 characters. A vector shows as `[1, 2, 3]`; a matrix shows
as its rows, each on a new line.

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
from typing import Any

from quiz.model import NumericSpec, Question, Text
from quiz.numeric.arguments import shown
from quiz.numeric.constraints import constraint_names, constraint_problem
from quiz.numeric.grading import (
    DEFAULT_TOLERANCE,
    EXACT,
    Instance,
    Tolerance,
    grade,
    read_answer,
    tolerance_for,
)
from quiz.numeric.params import (
    ATTEMPTS,
    did_you_mean,
    draw,
    is_number,
    param_problem,
    placeholder_problems,
    render,
)
from quiz.numeric.solutions import CHECKS, Check, Worked, explain, find, names
from quiz.numeric.space import meets, space_problems
from quiz.numeric.typed_answers import format_value, parse_answer

__all__ = [
    "ATTEMPTS",
    "CHECKS",
    "DEFAULT_TOLERANCE",
    "EXACT",
    "Check",
    "Instance",
    "Tolerance",
    "Worked",
    "explain",
    "format_value",
    "grade",
    "instantiate",
    "parse_answer",
    "read_answer",
    "spec_problems",
]


def _tolerance_problems(spec: NumericSpec) -> list[str]:
    if spec.tolerance is None:
        return []
    if not isinstance(spec.tolerance, dict) or not spec.tolerance:
        return ["tolerance must be a mapping such as {abs: 0.001} or {rel: 0.01}"]
    problems = [
        f"tolerance has unknown key {k!r} (keys: rel, abs)"
        for k in spec.tolerance
        if k not in ("rel", "abs")
    ]
    for key, v in spec.tolerance.items():
        if key in ("rel", "abs") and not (is_number(v) and 0 <= v <= 1e6 and math.isfinite(v)):
            problems.append(f"tolerance {key} must be a non-negative number, got {shown(v)}")
    return problems


def _valid_draw(spec: NumericSpec, seed: int) -> tuple[dict[str, Any], Worked]:
    """The first draw from `seed` that meets the constraints and the check; else ValueError."""
    rng = random.Random(seed)
    last = "every draw broke a constraint"
    for _ in range(ATTEMPTS):
        values = {name: draw(param, rng) for name, param in spec.params.items()}
        if not meets(spec, values):
            continue
        try:
            return values, explain(spec.check, values)
        except (ValueError, TypeError) as err:  # TypeError: a value of the wrong kind
            last = str(err)
    raise ValueError(f"no valid draw in {ATTEMPTS} attempts ({last})")


def spec_problems(spec: NumericSpec, templates: list[str]) -> list[str]:
    """Every problem with a numeric spec and its templates, as plain English messages."""
    check = find(spec.check)
    if check is None:
        known = names()
        return [
            f"unknown check {spec.check!r}{did_you_mean(str(spec.check), known)} "
            f"(known: {', '.join(known)})"
        ]
    if not isinstance(spec.params, dict):
        return ["params must be a mapping from argument names to values"]
    params = list(spec.params)
    problems = [
        f"{check.name} takes no argument {n!r}{did_you_mean(n, check.arguments)} "
        f"(arguments: {', '.join(check.arguments)})"
        for n in params
        if n not in check.arguments
    ]
    problems += [
        f"{check.name} needs the argument {n!r} in params"
        for n in check.required
        if n not in spec.params
    ]
    problems += [p for n, param in spec.params.items() if (p := param_problem(n, param))]
    for text in spec.constraints:
        problem = constraint_problem(text)
        if problem is None:
            strangers = sorted(constraint_names(text) - set(params))
            if strangers:
                problem = f"names {', '.join(strangers)} are not parameters"
        if problem:
            problems.append(f"constraint {text!r}: {problem}")
    problems += _tolerance_problems(spec)
    for template in templates:
        problems += placeholder_problems(template, params)
    return problems or space_problems(spec, templates)


def instantiate(question: Question, seed: int) -> Instance:
    """Draw `question`'s parameters from `seed`: same seed, same instance."""
    spec = question.numeric
    if spec is None:
        raise ValueError(f"question {question.id!r} is not numeric")
    values, worked = _valid_draw(spec, seed)
    prompt = Text(render(question.prompt.zh, values), render(question.prompt.en, values))
    return Instance(seed, values, prompt, worked.value, tolerance_for(spec, worked),
                    worked.solution)


