"""Grading a typed numeric answer: its shape, then each number against a Tolerance.

The rules (exact counts, tolerances as stated, exact-by-construction values, shape slips
asked again) are described in quiz.numeric.templates's docstring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from quiz.errors import AnswerFormatError
from quiz.model import NumericSpec, Text
from quiz.numeric.params import is_number
from quiz.numeric.reference import Worked
from quiz.numeric.typed_answers import parse_answer


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


def tolerance_for(spec: NumericSpec, worked: Worked) -> Tolerance:
    """The stated tolerance, else exact for an exact value, else DEFAULT_TOLERANCE."""
    if all(isinstance(v, int) for v in flat(worked.value)):
        return EXACT  # counts and sizes: no tolerance applies
    if spec.tolerance:
        return Tolerance(spec.tolerance.get("rel"), spec.tolerance.get("abs"))
    return EXACT if worked.exact else DEFAULT_TOLERANCE


def shape(value: Any) -> tuple[int, ...]:
    """() for a number, (n,) for a list, (rows, cols) for a list of rows."""
    if not isinstance(value, list):
        return ()
    if value and all(isinstance(row, list) for row in value):
        return (len(value), len(value[0]))
    return (len(value),)


def flat(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    return [v for row in value for v in (row if isinstance(row, list) else [row])]


def _shape_error(want: tuple[int, ...], got: Any) -> AnswerFormatError:
    count = len(flat(got))
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


def _checkshape(instance: Instance, answer: Any) -> None:
    """AnswerFormatError if `answer` has another shape than the expected value.

    A matrix may be answered as its elements in one flat row-major list (`6 8 3 4`).
    """
    want, got = shape(instance.expected), shape(answer)
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
    answer = parse_answer(text, scalar=shape(instance.expected) == ())
    _checkshape(instance, answer)
    return answer


def grade(instance: Instance, answer: Any) -> bool:
    """Whether `answer` (parsed, or text to read) matches the instance's expected value.

    Text that cannot be read, or an answer of the wrong shape, raises AnswerFormatError.
    """
    if isinstance(answer, str):
        answer = read_answer(instance, answer)
    else:
        _checkshape(instance, answer)
    want, got = flat(instance.expected), flat(answer)
    return all(instance.tolerance.accepts(w, g) for w, g in zip(want, got, strict=True))
