"""The params grammar of numeric templates: checking an entry, drawing a value, showing it.

The grammar itself, with examples, is described in numeric.py's docstring.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import string
from decimal import Decimal
from typing import Any

from quiz.answers import format_number, format_value

_RANGE_KEYS = {"min", "max", "step"}
_MAX_SIDE = 20
_MAX_VALUES = 10**9  # values in one range; far more would overflow the decimal draw


def is_number(value: Any) -> bool:
    """Whether `value` is an int or a float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range_problem(name: str, param: dict[str, Any]) -> str | None:
    """What is wrong with a range / vector / matrix entry, or None."""
    shape_keys = {"length"} if "length" in param else {"rows", "cols"} if "rows" in param else set()
    unknown = sorted(set(param) - _RANGE_KEYS - shape_keys)
    missing = sorted((shape_keys | {"min", "max"}) - set(param))
    if unknown or missing:
        return (
            f"parameter {name!r}: a range takes {{min, max, step}} plus {{length}} for a "
            f"vector or {{rows, cols}} for a matrix"
            + (f"; unknown keys {unknown}" if unknown else "")
            + (f"; missing {missing}" if missing else "")
        )
    for key in sorted(shape_keys):
        side = param[key]
        if isinstance(side, bool) or not isinstance(side, int) or not 1 <= side <= _MAX_SIDE:
            return f"parameter {name!r}: {key} must be an integer from 1 to {_MAX_SIDE}"
    low, high, step = param["min"], param["max"], param.get("step", 1)
    # an int is always finite (math.isfinite overflows on one of 400 digits)
    if not all(is_number(v) and (isinstance(v, int) or math.isfinite(v))
               for v in (low, high, step)):
        return f"parameter {name!r}: min, max and step must be numbers"
    if "step" not in param and not (isinstance(low, int) and isinstance(high, int)):
        return f"parameter {name!r}: a decimal range needs a step"
    if low > high:
        return f"parameter {name!r}: min ({low}) is greater than max ({high})"
    if step <= 0:
        return f"parameter {name!r}: step must be positive, got {step}"
    if high - low > step * _MAX_VALUES:
        return f"parameter {name!r}: the range has more than {_MAX_VALUES:,} values"
    return None


def param_problem(name: str, param: Any) -> str | None:
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


def draw(param: Any, rng: random.Random) -> Any:
    """One value of a `params` entry (see the module docstring for the grammar)."""
    if isinstance(param, list):
        return param[rng.randrange(len(param))]
    if not isinstance(param, dict):
        return param
    if "length" in param:
        return [_draw_range(param, rng) for _ in range(param["length"])]
    if "rows" in param:
        return [
            [_draw_range(param, rng) for _ in range(param["cols"])] for _ in range(param["rows"])
        ]
    return _draw_range(param, rng)


def display(value: Any) -> str:
    """A drawn value as shown in a prompt: a matrix as rows on their own lines."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        cells = [[format_number(v) for v in row] for row in value]
        width = max(len(c) for row in cells for c in row)
        return "".join("\n  " + " ".join(c.rjust(width) for c in row) for row in cells) + "\n"
    if isinstance(value, list):
        return f"[{format_value(value)}]"
    return format_number(value)


class _Template(string.Formatter):
    """str.format that shows values with `display` unless a format spec is given."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return format(value, format_spec) if format_spec else display(value)


def render(template: str, values: dict[str, Any]) -> str:
    """`template` with its `{name}` placeholders filled from `values`."""
    return _Template().vformat(template, (), values)


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    """ " (did you mean 'kernel'?)" for a near miss, else nothing."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


MAX_FORMAT_WIDTH = 100


def placeholder_problems(template: str, names: list[str]) -> list[str]:
    """Placeholders in `template` that are not parameters, or a malformed template."""
    try:
        parsed = [(f, spec) for _, f, spec, _ in string.Formatter().parse(template)
                  if f is not None]
    except ValueError as err:
        return [f"template {template!r}: {err}"]
    problems = []
    for f, spec in parsed:
        # `{size:>99999999999}` would make drawing allocate gigabytes: widths stay small.
        if any(int(width) > MAX_FORMAT_WIDTH for width in re.findall(r"\d+", spec or "")):
            problems.append(f"placeholder {{{f}:{spec}}} asks for a width or precision over "
                            f"{MAX_FORMAT_WIDTH}")
            continue
        if f not in names:
            problems.append(
                f"placeholder {{{f}}} is not a parameter{did_you_mean(f, names)} "
                f"(parameters: {', '.join(names) or 'none'})"
            )
    return problems
