"""Typed numeric answers: reading them (parse_answer) and showing expected ones (format_value).

Accepted input, after full-width characters from a Chinese IME are folded to ASCII
(NFKC, plus 。→. 、→, and the Unicode minus signs → -):

- a number: `32`, `-3`, `0.25`, `.25`, `5.`, `1e-3`, `1/4`, `25%` (integers stay int);
- a list: `6 8 3 4` or `6, 8, 3, 4` (commas and spaces both separate);
- for an answer that is one number (`scalar=True`), thousands separators: `7,850`, `7 850`,
  `7，850`, `1,576,960.5` — one kind of separator, 1 to 3 digits before the first, exactly
  three digits in every later group. Groups that are all the same (`112 112`, `64,64`) are
  not read as one number: that is a value typed twice, a shape slip, so the caller asks again;
- a matrix: rows separated by `;` or by new lines: `6,8;3,4`, `6 8; 3 4`, `6 8\\n3 4`;
  brackets are ignored, so `[[6, 8], [3, 4]]` reads as the matrix and `[6, 8]` as the list.

One row reads as a list and one value as a number. Anything else raises AnswerFormatError.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from quiz.errors import AnswerFormatError

Value = int | float | list[Any]

_FOLD = str.maketrans({"。": ".", "、": ",", "−": "-", "–": "-", "—": "-"})
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_TOKEN = re.compile(rf"(?P<num>{_NUMBER})(?:/(?P<den>{_NUMBER})|(?P<pct>%))?", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_MAX_CHARS = 10_000
_THOUSANDS = re.compile(
    r"(?P<sign>[+-]?)(?P<head>[1-9][0-9]{0,2})(?P<sep>[, ])(?P<tail>[0-9]{3}(?:(?P=sep)[0-9]{3})*)"
    r"(?P<frac>\.[0-9]+)?",
    re.ASCII,
)


def _number(token: str) -> int | float:
    """One token (`3`, `.25`, `1e-3`, `1/4`, `25%`) as a number, or AnswerFormatError."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise AnswerFormatError(
            f"无法识别“{token}”：请输入数字，如 3、0.25、1/4、25%、1e-3",
            f"cannot read {token!r}: type a number such as 3, 0.25, 1/4, 25% or 1e-3",
        )
    num, den = match["num"], match["den"]
    if den is not None and float(den) == 0:
        raise AnswerFormatError(f"“{token}”除以零", f"{token!r} divides by zero")
    try:
        if den is None and match["pct"] is None and _INTEGER.fullmatch(num):
            value: int | float = int(num)
        else:
            value = float(num) / (float(den) if den is not None else 1)
            if match["pct"] is not None:
                value /= 100
    except (ValueError, OverflowError):  # e.g. an integer longer than Python's digit limit
        value = math.inf
    # no answer is over 10^15 (quiz.numeric.arguments.MAX_MAGNITUDE): larger is a typo, asked again
    if isinstance(value, float) and not math.isfinite(value) or abs(value) > 10**15:
        raise AnswerFormatError(f"“{_short(token)}”太大了（超过 10^15）",
                               f"{_short(token)!r} is too large (over 10^15)")
    return value


def _short(token: str) -> str:
    return token if len(token) <= 30 else token[:27] + "..."


def thousands(folded: str) -> int | float | None:
    """`folded` (already NFKC-folded) as one number written with thousands separators, or None.

    `7,850` → 7850 and `1 576 960.5` → 1576960.5; `7,85`, `7,850 000`, `0,500` and groups that
    are all the same (`112 112`) are None.
    """
    match = _THOUSANDS.fullmatch(folded.strip())
    if match is None:
        return None
    groups = [match["head"], *match["tail"].split(match["sep"])]
    if len(set(groups)) == 1 and match["frac"] is None:
        return None
    return _number(match["sign"] + "".join(groups) + (match["frac"] or ""))


def parse_answer(text: str, scalar: bool = False) -> Value:
    """A typed answer as a number, a list or a matrix (list of rows); AnswerFormatError if not.

    With `scalar` (the expected answer is one number), thousands separators are read too.
    """
    if len(text) > _MAX_CHARS:
        raise AnswerFormatError("答案太长了", "the answer is too long")
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if scalar:
        number = thousands(folded)
        if number is not None:
            return number
    folded = re.sub(r"\]\s*,\s*\[", ";", folded)  # [[1, 2], [3, 4]] → 1, 2; 3, 4
    folded = re.sub(r"[\[\]()]", " ", folded)
    folded = re.sub(r"\s*/\s*", "/", folded)
    rows = [row.strip() for row in re.split(r"[;\n\r]", folded)]
    rows = [row for row in rows if row]
    if not rows:
        raise AnswerFormatError("答案是空的", "the answer is empty")
    matrix = []
    for row in rows:
        tokens = [t for t in re.split(r"[,\s]+", row) if t]
        if not tokens:
            raise AnswerFormatError(f"“{row}”里没有数字", f"no number in {row!r}")
        matrix.append([_number(t) for t in tokens])
    lengths = [len(row) for row in matrix]
    if len(set(lengths)) > 1:
        shown = ", ".join(map(str, lengths))
        raise AnswerFormatError(
            f"矩阵各行长度不一致（{shown}）", f"the rows have different lengths ({shown})"
        )
    if len(matrix) > 1:
        return matrix
    return matrix[0] if len(matrix[0]) > 1 else matrix[0][0]


def format_number(value: Any) -> str:
    """A number for display: ints as they are, floats to 6 significant digits (32.0 → 32)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        # past 10^15 no answer is typed; str() would also fail past Python's digit limit
        return str(value) if abs(value) <= 10**15 else f"{Decimal(value):.6g}"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_operand(value: Any) -> str:
    """A number to follow an operator in a formula: in parentheses when negative, `(-2)`."""
    return f"({format_number(value)})" if value < 0 else format_number(value)


def format_value(value: Any) -> str:
    """An expected answer as text the learner could type: `6, 8; 3, 4` for a matrix."""
    if isinstance(value, list | tuple):
        if value and all(isinstance(row, list | tuple) for row in value):
            return "; ".join(", ".join(format_number(v) for v in row) for row in value)
        return ", ".join(format_number(v) for v in value)
    return format_number(value)
