"""The params grammar of numeric templates: checking an entry, drawing a value, showing it.

The grammar itself, with examples, is described in templates.py's docstring.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import random
import re
import string
from decimal import Decimal
from typing import Any

from quiz.numeric.arguments import in_bounds
from quiz.numeric.typed_answers import format_number, format_value

ATTEMPTS = 1000  # draws per seed before review gives up on finding a valid one
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
    if not all(in_bounds(v) for v in (low, high, step)):
        return f"parameter {name!r}: min, max and step must be within ±10^15"
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
    values = _range_table(param["min"], param["max"], param.get("step", 1))
    if values is not None:  # the same randrange call, so the same draw as computing it
        return values[rng.randrange(len(values))]
    low, high = Decimal(str(param["min"])), Decimal(str(param["max"]))
    step = Decimal(str(param.get("step", 1)))
    value = low + rng.randrange(int((high - low) // step) + 1) * step
    if all(isinstance(param.get(k, 1), int) for k in ("min", "max", "step")):
        return int(value)
    return float(value)


@functools.lru_cache(maxsize=256)
def _range_table(low: Any, high: Any, step: Any) -> tuple[int | float, ...] | None:
    """Every value of a range of at most 10,000 values (drawn from many times), else None."""
    if (Decimal(str(high)) - Decimal(str(low))) > Decimal(str(step)) * 10_000:
        return None
    return tuple(_range_values({"min": low, "max": high, "step": step}))


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


def _range_values(param: dict[str, Any]) -> list[int | float]:
    """Every value of a range, in order (only called on a range of bounded size)."""
    low, high = Decimal(str(param["min"])), Decimal(str(param["max"]))
    step = Decimal(str(param.get("step", 1)))
    count = int((high - low) // step) + 1
    as_int = all(isinstance(param.get(k, 1), int) for k in ("min", "max", "step"))
    return [int(v) if as_int else float(v) for v in (low + i * step for i in range(count))]


def outcomes(param: Any) -> int:
    """How many equally likely draws a `params` entry has (a repeated choice counts twice)."""
    if isinstance(param, list):
        return len(param)
    if not isinstance(param, dict):
        return 1
    low, high = Decimal(str(param["min"])), Decimal(str(param["max"]))
    count = int((high - low) // Decimal(str(param.get("step", 1)))) + 1
    cells = param.get("length", 1) * param.get("rows", 1) * param.get("cols", 1)
    if cells * math.log10(count) > 30:  # far past anything enumerable: no need to be exact
        return 10**30
    return count**cells


def weighted_values(param: Any) -> list[tuple[Any, int]]:
    """Each distinct value of an entry with how many of its outcomes give it, in order.

    Only for an entry whose `outcomes` are few: a vector or a matrix is expanded cell by cell.
    """
    if isinstance(param, list):
        counted: dict[str, list[Any]] = {}
        for choice in param:
            counted.setdefault(repr(choice), [choice, 0])[1] += 1
        return [(value, weight) for value, weight in counted.values()]
    if not isinstance(param, dict):
        return [(param, 1)]
    values = _range_values(param)
    if "length" in param:
        return [(list(v), 1) for v in itertools.product(values, repeat=param["length"])]
    if "rows" in param:
        rows, cols = param["rows"], param["cols"]
        return [([list(cells[r * cols:(r + 1) * cols]) for r in range(rows)], 1)
                for cells in itertools.product(values, repeat=rows * cols)]
    return [(v, 1) for v in values]


def extremes(param: Any) -> list[Any]:
    """The values at the edges of an entry: its first, last, smallest and largest choice; a
    range's min and max; a vector or matrix all at min, all at max, and alternating."""
    if isinstance(param, list):
        picks = [param[0], param[-1]]
        numbers = [c for c in param if is_number(c)]
        if numbers:
            picks += [min(numbers), max(numbers)]
        return _distinct(picks)
    if not isinstance(param, dict):
        return [param]
    low, high = _range_edges(param)
    if "length" in param:
        n = param["length"]
        return _distinct([[low] * n, [high] * n, [(low, high)[i % 2] for i in range(n)]])
    if "rows" in param:
        r, c = param["rows"], param["cols"]
        return _distinct([[[v] * c for _ in range(r)] for v in (low, high)]
                         + [[[(low, high)[(i + j) % 2] for j in range(c)] for i in range(r)]])
    return _distinct([low, high])


def _range_edges(param: dict[str, Any]) -> tuple[int | float, int | float]:
    """A range's smallest and largest drawable value (max itself may fall between steps)."""
    low, high = Decimal(str(param["min"])), Decimal(str(param["max"]))
    step = Decimal(str(param.get("step", 1)))
    last = low + ((high - low) // step) * step
    if all(isinstance(param.get(k, 1), int) for k in ("min", "max", "step")):
        return int(low), int(last)
    return float(low), float(last)


def _distinct(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for v in values:
        seen.setdefault(repr(v), v)
    return list(seen.values())


def display(value: Any) -> str:
    """A drawn value as shown in a prompt: a matrix as rows on their own lines."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        cells = [[format_number(v) for v in row] for row in value]
        width = max(len(c) for row in cells for c in row)
        return "".join("\n  " + " ".join(c.rjust(width) for c in row) for row in cells) + "\n"
    if isinstance(value, list):
        return f"[{format_value(value)}]"
    return format_number(value)


# A format spec is simple and bounded: [[fill]align][sign][0][width][,|_][.precision][type].
_SPEC = re.compile(
    r"(?:[^{}]?[<>=^])?[+\- ]?0?(?P<width>[0-9]{1,4})?[,_]?"
    r"(?:\.(?P<precision>[0-9]{1,4}))?[dfFeEgGs%]?"
)
MAX_FORMAT_WIDTH = 40
MAX_PRECISION = 15
MAX_PLACEHOLDERS = 64
MAX_PROMPT_CHARS = 4000  # a rendered prompt; far more would only fill the screen (or memory)


def _field_problem(name: str, spec: str, conversion: str | None) -> str | None:
    """Why one `{name:spec}` placeholder is not allowed, or None."""
    shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
    shown += "}"
    if not name.isidentifier():
        return (f"placeholder {shown}: only plain parameter names are allowed, such as "
                "{size} (no attributes, indexes or empty {})")
    if conversion is not None:
        return f"placeholder {shown}: conversions such as !r are not allowed"
    if "{" in spec or "}" in spec:
        return f"placeholder {shown}: a format spec may not contain another placeholder"
    match = _SPEC.fullmatch(spec)
    if match is None:
        return (f"placeholder {shown}: the format spec {spec!r} is not a simple one "
                "such as .3f, d or >5")
    if int(match["width"] or 0) > MAX_FORMAT_WIDTH:
        return f"placeholder {shown}: the width is over {MAX_FORMAT_WIDTH}"
    if int(match["precision"] or 0) > MAX_PRECISION:
        return f"placeholder {shown}: the precision is over {MAX_PRECISION}"
    return None


@functools.lru_cache(maxsize=512)
def _fields(template: str) -> tuple[tuple[str, str | None, str, str | None], ...]:
    """(literal, name, spec, conversion) pieces of `template`; ValueError if it is malformed."""
    return tuple((literal, name, spec or "", conversion)
                 for literal, name, spec, conversion in string.Formatter().parse(template))


@functools.lru_cache(maxsize=512)
def _allowed(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """(literal, name, spec) pieces of `template`; ValueError for a placeholder not allowed."""
    pieces = []
    for literal, name, spec, conversion in _fields(template):
        if name is not None:
            problem = _field_problem(name, spec, conversion)
            if problem:
                raise ValueError(problem)
        pieces.append((literal, name, spec))
    return tuple(pieces)


def template_fields(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """(literal, name, spec) pieces of `template`; ValueError for a placeholder not allowed."""
    return _allowed(template)


def format_field(name: str, value: Any, spec: str) -> str:
    """One placeholder's text: `display(value)`, or `format(value, spec)`; ValueError if the
    spec cannot show the value (`{x:d}` for 0.5)."""
    if not spec:
        return display(value)
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        raise ValueError(f"placeholder {{{name}:{spec}}} cannot show {_shown(value)} "
                         f"(format {spec!r})") from None


def render(template: str, values: dict[str, Any]) -> str:
    """`template` with its `{name}` placeholders filled from `values`.

    Only plain placeholders with simple specs are filled (nothing is looked up on a value),
    and the result is bounded: ValueError for a longer prompt than MAX_PROMPT_CHARS, for a
    placeholder that is not allowed, or for a value its format spec cannot show.
    """
    out: list[str] = []
    length = 0
    for literal, name, spec in _allowed(template):
        pieces = [literal]
        if name is not None:
            if name not in values:
                raise ValueError(f"placeholder {{{name}}} is not a parameter")
            pieces.append(format_field(name, values[name], spec))
        for piece in pieces:
            length += len(piece)
            if length > MAX_PROMPT_CHARS:
                raise ValueError(f"the prompt is longer than {MAX_PROMPT_CHARS:,} characters")
            out.append(piece)
    return "".join(out)


def _shown(value: Any) -> str:
    try:
        text = display(value)
    except ValueError:
        return "a value too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    """ " (did you mean 'kernel'?)" for a near miss, else nothing."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def placeholder_problems(template: str, names: list[str]) -> list[str]:
    """Placeholders in `template` that are not allowed or not parameters; a malformed template."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in _fields(template)
                  if name is not None]
    except ValueError as err:
        return [f"template {template[:60]!r}: {err}"]
    if len(fields) > MAX_PLACEHOLDERS:
        return [f"a template may have at most {MAX_PLACEHOLDERS} placeholders, "
                f"not {len(fields)}"]
    problems = []
    for name, spec, conversion in fields:
        problem = _field_problem(name, spec, conversion)
        if problem:
            problems.append(problem)
        elif name not in names:
            problems.append(
                f"placeholder {{{name}}} is not a parameter{did_you_mean(name, names)} "
                f"(parameters: {', '.join(names) or 'none'})"
            )
    return problems
