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
20 entries a side (quiz.arguments): a larger one is a validation error, not a slow draw.

Arguments the check does not need may be left out (their defaults are used). `constraints`
are comparisons over parameters that every draw must satisfy, such as
`kernel <= size + 2*padding`: numbers, parameter names, + − * / // %, comparisons, and, or,
not. They are parsed with `ast` against that whitelist, never evaluated by Python. A draw
that breaks a constraint, or that the check rejects, is drawn again (deterministically, at
most 1000 times; validation makes sure at least 1 draw in 50 is valid, see `space_problems`).

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

import itertools
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from quiz.answers import format_value, parse_answer
from quiz.arguments import answer_problem, shown
from quiz.constraints import constraint_names, constraint_problem, satisfies
from quiz.errors import AnswerFormatError
from quiz.model import NumericSpec, Question, Text
from quiz.params import (
    MAX_PROMPT_CHARS,
    did_you_mean,
    draw,
    extremes,
    format_field,
    is_number,
    outcomes,
    param_problem,
    placeholder_problems,
    render,
    template_fields,
    weighted_values,
)
from quiz.solutions import CHECKS, Check, Worked, explain, find, names

__all__ = [
    "CHECKS",
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

ATTEMPTS = 1000
MIN_VALID_SHARE = 1 / 50  # (49/50)^1000 < 2e-9: the chance that a seed finds no valid draw
ENUMERATE_LIMIT = 1500  # parameter spaces up to this size are validated point by point
SAMPLE_DRAWS = 120  # otherwise: the extremes, then this many random draws
EXTREME_LIMIT = 256  # combinations of extremes tried together; past it, one at a time


@dataclass(frozen=True)
class Tolerance:
    """How far a real answer x may be from the expected value v: |x − v| ≤ abs or ≤ rel·|v|.

    For abs, v is first rounded to as many decimals as abs has (0.235004 → 0.235 for
    abs 0.001): the tolerance is then symmetric around the answer the prompt asks for.
    None for a key means it is not used; both None means exact (up to float rounding).
    """

    rel: float | None = None
    abs: float | None = None

    def accepts(self, expected: Any, answer: Any) -> bool:
        """Whether number `answer` is close enough to number `expected`."""
        if not is_number(answer):
            return False
        if isinstance(expected, int):
            return answer == expected
        # decimal on the shortest repr of each float: 0.236 − 0.235 is exactly 0.001
        v, x = Decimal(repr(float(expected))), Decimal(repr(float(answer)))
        diff = abs(x - v)
        if self.rel is None and self.abs is None:
            return diff <= Decimal("1e-9") * max(Decimal(1), abs(v))
        if self.abs is not None:
            bound = Decimal(repr(float(self.abs)))
            # around v rounded to abs's decimals, the answer the prompt asks for: 0.235004
            # → 0.235 for abs 0.001, so 0.234 and 0.236 pass alike and 2.86 fails for 2.857722
            places = max(0, -bound.normalize().as_tuple().exponent)
            if abs(x - v.quantize(Decimal(1).scaleb(-places))) <= bound:
                return True
        return self.rel is not None and diff <= Decimal(repr(float(self.rel))) * abs(v)


EXACT = Tolerance()
DEFAULT_TOLERANCE = Tolerance(abs=0.0005)  # correct to three decimals


@dataclass(frozen=True)
class Instance:
    """One drawn numeric question: its values, prompt, expected answer and worked solution."""

    seed: int
    values: dict[str, Any] = field(hash=False)
    prompt: Text
    expected: Any  # int | float | list[float] | list[list[float]]
    tolerance: Tolerance
    solution: Text


def _tolerance(spec: NumericSpec, worked: Worked) -> Tolerance:
    """The stated tolerance, else exact for an exact value, else DEFAULT_TOLERANCE."""
    if all(isinstance(v, int) for v in _flat(worked.value)):
        return EXACT  # counts and sizes: no tolerance applies
    if spec.tolerance:
        return Tolerance(spec.tolerance.get("rel"), spec.tolerance.get("abs"))
    return EXACT if worked.exact else DEFAULT_TOLERANCE


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


def _meets(spec: NumericSpec, values: dict[str, Any]) -> bool:
    return all(satisfies(c, values) for c in spec.constraints)


def _valid_draw(spec: NumericSpec, seed: int) -> tuple[dict[str, Any], Worked]:
    """The first draw from `seed` that meets the constraints and the check; else ValueError."""
    rng = random.Random(seed)
    last = "every draw broke a constraint"
    for _ in range(ATTEMPTS):
        values = {name: draw(param, rng) for name, param in spec.params.items()}
        if not _meets(spec, values):
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


def _shown(values: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={format_value(v)}" for k, v in values.items())
    return text if len(text) <= 120 else text[:117] + "..."


class _Rejected(Exception):
    """A point that is not a valid draw: it breaks a constraint or the check refuses it."""


def _evaluate(spec: NumericSpec, check: Check, values: dict[str, Any]) -> tuple[Any, bool]:
    """(value, exact) of the check at a valid draw; _Rejected if `values` is not one.

    The same rules as `explain`, without writing the worked solution (validation visits
    thousands of points; `space_problems` writes the solutions of a bounded subset).
    """
    if not _meets(spec, values):
        raise _Rejected("every draw broke a constraint")
    full = {**check.defaults, **values}
    try:
        value = check.function(**full)
    except (ValueError, TypeError) as err:  # the check refuses it: it is drawn again
        raise _Rejected(str(err)) from None
    problem = answer_problem(value)
    if problem:
        raise _Rejected(problem)
    return value, check.exact(full, value)


def _render_problem(templates: list[str], valid: list[dict[str, Any]]) -> str | None:
    """Whether every valid draw renders in every template, checked field by field.

    A rendered prompt is its literals joined with each field's text, and a field's text
    depends only on its own parameter's value: so every distinct value of a parameter among
    the valid draws is formatted once per field that shows it, which is the same as
    rendering every draw. The length bound is checked on the longest value of each field;
    only if that sum is too long are the draws themselves rendered, to find a real one.
    """
    seen: dict[str, dict[str, Any]] = {}
    for values in valid:
        for name, value in values.items():
            seen.setdefault(name, {}).setdefault(repr(value), value)
    for template in templates:
        longest = 0
        for literal, name, spec in template_fields(template):
            longest += len(literal)
            if name is None:
                continue
            widths = []
            for value in seen.get(name, {}).values():
                try:
                    widths.append(len(format_field(name, value, spec)))
                except ValueError as err:
                    example = next(v for v in valid if repr(v[name]) == repr(value))
                    return f"with {_shown(example)}: {err}"
            longest += max(widths, default=0)
        if longest > MAX_PROMPT_CHARS:
            for values in valid:
                try:
                    render(template, values)
                except ValueError as err:
                    return f"with {_shown(values)}: {err}"
    return None


SOLVED_POINTS = 48  # valid draws whose worked solution validation writes in full


def space_problems(spec: NumericSpec, templates: list[str]) -> list[str]:
    """Whether every draw of the template can be rendered and graded, and draws do not fail.

    Every draw is a point of the product of the parameters' values. A space of at most
    ENUMERATE_LIMIT points is checked point by point: the valid share is then exact, and
    every valid point is rendered in both languages and its expected answer graded.
    A larger space (a vector or matrix of drawn cells, long ranges) cannot be walked, so it
    is checked where mistakes hide and then at random: every combination of the parameters'
    extremes (min and max of a range, first/last/smallest/largest choice, a vector all at
    min, all at max and alternating) — one parameter at a time against seed 0's draw when
    there are more than EXTREME_LIMIT combinations — and SAMPLE_DRAWS random points, which
    also estimate the valid share. Format and size errors depend on a value's type and
    magnitude, which the extremes cover; constraint and check rejections depend on
    combinations, which the share measures. A share under 1 in 50 is an error: review draws
    at most ATTEMPTS times per seed, and (49/50)^1000 < 2e-9.

    "Graded" means the expected answer, shown as the learner would read it, is accepted
    (a value shown to 6 digits must be within its tolerance); "rendered" is checked field by
    field (`_render_problem`). The worked solutions of the first SOLVED_POINTS valid points
    and of every extreme are written too, so that a solution that cannot be written is found.
    """
    check = find(spec.check)
    assert check is not None  # spec_problems checked it
    params = spec.params
    total = math.prod(outcomes(param) for param in params.values())
    sampled = total > ENUMERATE_LIMIT
    if not sampled:
        columns = [weighted_values(param) for param in params.values()]
        points = [({name: value for name, (value, _) in zip(params, combo, strict=True)},
                   math.prod(weight for _, weight in combo))
                  for combo in itertools.product(*columns)]
    else:
        points = [(values, 0) for values in _extreme_points(spec)]
        rng = random.Random(f"validate {spec.check}")
        points += [({name: draw(param, rng) for name, param in params.items()}, 1)
                   for _ in range(SAMPLE_DRAWS)]
        total = SAMPLE_DRAWS
    valid_weight, reason = 0, ""
    valid: list[dict[str, Any]] = []
    graded: set[str] = set()
    for values, weight in points:
        try:
            value, exact = _evaluate(spec, check, values)
        except _Rejected as rejected:
            reason = str(rejected)
            continue
        valid.append(values)
        valid_weight += weight
        if (weight == 0 or len(valid) <= SOLVED_POINTS) and (
                problem := _solution_problem(spec, values)):
            return [problem]
        if all(isinstance(v, int) for v in _flat(value)):
            continue  # an int reads back as itself
        key = f"{value!r} {exact}"
        if key not in graded:
            graded.add(key)
            if problem := _grading_problem(spec, values, value, exact):
                return [problem]
    if problem := _render_problem(templates, valid):
        return [problem]
    seen = f"{valid_weight} of {total} {'sampled ' if sampled else ''}draws"
    if valid_weight == 0 and not valid:
        return [f"no draw meets the constraints and the check: {seen} are valid ({reason})"]
    if valid_weight < MIN_VALID_SHARE * total:
        return [f"only {seen} meet the constraints and the check; at least 1 in "
                f"{round(1 / MIN_VALID_SHARE)} must, or review may find no valid draw"]
    return []


def _solution_problem(spec: NumericSpec, values: dict[str, Any]) -> str | None:
    try:
        explain(spec.check, values)
    except (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError) as err:
        return f"with {_shown(values)}: the worked solution cannot be written ({err})"
    return None


def _grading_problem(spec: NumericSpec, values: dict[str, Any], value: Any, exact: bool
                     ) -> str | None:
    worked = Worked(value, Text("", ""), exact)
    instance = Instance(0, values, Text("", ""), value, _tolerance(spec, worked), Text("", ""))
    shown = format_value(value)
    try:
        right = grade(instance, shown)
    except AnswerFormatError:
        right = False
    if right:
        return None
    return (f"with {_shown(values)}: the expected answer shown to the learner, {shown}, "
            "is not graded right (give a tolerance)")


def _extreme_points(spec: NumericSpec) -> list[dict[str, Any]]:
    """Every combination of the parameters' extremes, or each extreme against seed 0's draw."""
    edges = {name: extremes(param) for name, param in spec.params.items()}
    if math.prod(len(e) for e in edges.values()) <= EXTREME_LIMIT:
        return [dict(zip(edges, combo, strict=True))
                for combo in itertools.product(*edges.values())]
    base = {name: draw(param, random.Random(0)) for name, param in spec.params.items()}
    return [{**base, name: value} for name, values in edges.items() for value in values]


def instantiate(question: Question, seed: int) -> Instance:
    """Draw `question`'s parameters from `seed`: same seed, same instance."""
    spec = question.numeric
    if spec is None:
        raise ValueError(f"question {question.id!r} is not numeric")
    values, worked = _valid_draw(spec, seed)
    prompt = Text(render(question.prompt.zh, values), render(question.prompt.en, values))
    return Instance(seed, values, prompt, worked.value, _tolerance(spec, worked),
                    worked.solution)


def _shape(value: Any) -> tuple[int, ...]:
    """() for a number, (n,) for a list, (rows, cols) for a list of rows."""
    if not isinstance(value, list):
        return ()
    if value and all(isinstance(row, list) for row in value):
        return (len(value), len(value[0]))
    return (len(value),)


def _flat(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    return [v for row in value for v in (row if isinstance(row, list) else [row])]


def _shape_error(want: tuple[int, ...], got: Any) -> AnswerFormatError:
    count = len(_flat(got))
    if not want:
        return AnswerFormatError(
            f"答案应是一个数，你输入了 {count} 个；若是一个大数，请不用分隔符输入",
            f"the answer is one number, you typed {count}; for a large number, type it "
            "without separators",
        )
    if len(want) == 1:
        return AnswerFormatError(f"答案应是 {want[0]} 个数，你输入了 {count} 个",
                                 f"the answer is {want[0]} numbers, you typed {count}")
    rows, cols = want
    return AnswerFormatError(
        f"答案应是 {rows}×{cols} 矩阵（{rows * cols} 个数，行之间用分号），你输入了 {count} 个",
        f"the answer is a {rows}×{cols} matrix ({rows * cols} numbers, rows separated by ;), "
        f"you typed {count}",
    )


def _check_shape(instance: Instance, answer: Any) -> None:
    """AnswerFormatError if `answer` has another shape than the expected value.

    A matrix may be answered as its elements in one flat row-major list (`6 8 3 4`).
    """
    want, got = _shape(instance.expected), _shape(answer)
    if want and math.prod(want) == 1 and got in ((), (1,)):
        return  # one number for a 1×1 result
    if got == want or (len(want) == 2 and got == (want[0] * want[1],)):
        if len(got) == 2 and any(len(row) != got[1] for row in answer):
            raise _shape_error(want, answer)
        return
    raise _shape_error(want, answer)


def read_answer(instance: Instance, text: str) -> Any:
    """A typed answer, read for this instance: thousands separators when one number is
    expected; AnswerFormatError for text that cannot be read or an answer of the wrong shape."""
    answer = parse_answer(text, scalar=_shape(instance.expected) == ())
    _check_shape(instance, answer)
    return answer


def grade(instance: Instance, answer: Any) -> bool:
    """Whether `answer` (parsed, or text to read) matches the instance's expected value.

    Text that cannot be read, or an answer of the wrong shape, raises AnswerFormatError.
    """
    if isinstance(answer, str):
        answer = read_answer(instance, answer)
    else:
        _check_shape(instance, answer)
    want, got = _flat(instance.expected), _flat(answer)
    return all(instance.tolerance.accepts(w, g) for w, g in zip(want, got, strict=True))
