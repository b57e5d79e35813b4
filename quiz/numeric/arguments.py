"""Argument checks shared by the reference functions: every number bounded, every list short.

A reference function answers a question a person types: no argument and no answer needs
more than fifteen digits, and no vector or matrix more than twenty entries a side. Bounding
the inputs here is what keeps every check fast and its arithmetic finite (no `inf`, no
OverflowError, no integer too long to print), whatever a bank or `quiz calc` passes in.
"""

from __future__ import annotations

import math
from typing import Any

Number = int | float

MAX_MAGNITUDE = 10**15  # no argument or answer is larger than this in absolute value
MAX_ENTRIES = 20  # values in a vector, rows and columns in a matrix


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def in_bounds(value: Any) -> bool:
    """Whether `value` is a finite number no larger than MAX_MAGNITUDE (a bool is not)."""
    kind = type(value)
    if kind is float:  # the common cases first: validation calls this thousands of times
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE  # False for nan and ±inf too
    if kind is int:
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    if not _is_number(value):
        return False
    if isinstance(value, int):  # compared as an int: math.isfinite overflows on 400 digits
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def integer(name: str, value: Any, minimum: int, maximum: int = MAX_MAGNITUDE) -> int:
    """`value` if it is an int (not a bool) from `minimum` to `maximum`, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {shown(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {shown(value)}")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {shown(value)}")
    return value


def real(name: str, value: Any) -> Number:
    """`value` if it is a finite int or float within ±MAX_MAGNITUDE, else ValueError."""
    if not _is_number(value):
        raise ValueError(f"{name} must be a number, got {shown(value)}")
    if not in_bounds(value):
        raise ValueError(f"{name} must be a finite number within ±10^15, got {shown(value)}")
    return value


def flag(name: str, value: Any) -> bool:
    """`value` if it is a bool, else ValueError."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {shown(value)}")
    return value


def vector(name: str, xs: Any) -> list[Number]:
    """A list of 1 to MAX_ENTRIES bounded numbers, else ValueError."""
    if not isinstance(xs, list | tuple) or not xs:
        raise ValueError(f"{name} must be a non-empty list of numbers, got {shown(xs)}")
    if len(xs) > MAX_ENTRIES:
        raise ValueError(f"{name} may have at most {MAX_ENTRIES} values, got {len(xs)}")
    return [real(f"{name}[{i}]", x) for i, x in enumerate(xs)]


def matrix(name: str, rows: Any) -> list[list[Number]]:
    """A rectangular list of at most MAX_ENTRIES rows of bounded numbers, else ValueError."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ValueError(f"{name} must be a non-empty list of rows, got {shown(rows)}")
    if len(rows) > MAX_ENTRIES:
        raise ValueError(f"{name} may have at most {MAX_ENTRIES} rows, got {len(rows)}")
    checked = [vector(f"{name} row {r}", row) for r, row in enumerate(rows)]
    if len({len(row) for row in checked}) != 1:
        raise ValueError(f"{name} rows have different lengths")
    return checked


def answer_problem(value: Any) -> str | None:
    """Why a computed answer cannot be asked (not finite, or too large to type), or None."""
    cells = value if isinstance(value, list) else [value]
    for cell in cells:
        for v in cell if isinstance(cell, list) else [cell]:
            if _is_number(v) and not in_bounds(v):
                return "the answer is too large to ask (over 10^15 or not finite)"
    return None


def shown(value: Any) -> str:
    """A value for an error message, cut short: a 400-digit int must not fill the screen."""
    if isinstance(value, int) and not isinstance(value, bool) and not in_bounds(value):
        return "a number over 10^15" if value > 0 else "a number below -10^15"
    try:
        text = repr(value)
    except ValueError:  # an int inside a list too long for Python to print
        return "a value too long to show"
    return text if len(text) <= 60 else text[:57] + "..."
