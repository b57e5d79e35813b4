"""Validating a numeric template across its whole space of draws, not just seed 0's.

`space_problems` says why (and where) a template's draws could fail in review: a format
spec that cannot show some value, a prompt too long, an expected answer that does not
grade as right when typed as shown, or constraints that leave too few valid draws.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

from quiz.errors import AnswerFormatError
from quiz.model import NumericSpec, Text
from quiz.numeric.arguments import answer_problem
from quiz.numeric.constraints import satisfies
from quiz.numeric.grading import Instance, flat, grade, tolerance_for
from quiz.numeric.params import (
    MAX_PROMPT_CHARS,
    draw,
    extremes,
    format_field,
    outcomes,
    render,
    template_fields,
    weighted_values,
)
from quiz.numeric.reference import Check, Worked
from quiz.numeric.solutions import explain, find
from quiz.numeric.typed_answers import format_value

MIN_VALID_SHARE = 1 / 50  # (49/50)^1000 < 2e-9: the chance that a seed finds no valid draw
ENUMERATE_LIMIT = 1500  # parameter spaces up to this size are validated point by point
SAMPLE_DRAWS = 120  # otherwise: the extremes, then this many random draws
EXTREME_LIMIT = 256  # combinations of extremes tried together; past it, one at a time


def meets(spec: NumericSpec, values: dict[str, Any]) -> bool:
    """Whether `values` satisfy every constraint of `spec`."""
    return all(satisfies(c, values) for c in spec.constraints)


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
    if not meets(spec, values):
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


SOLVED_POINTS = 24  # valid draws whose worked solution validation writes in full


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
        if all(isinstance(v, int) for v in flat(value)):
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
    instance = Instance(0, values, Text("", ""), value, tolerance_for(spec, worked), Text("", ""))
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
