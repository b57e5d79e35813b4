"""Constraints on drawn parameters, such as `kernel <= size + 2*padding`.

A constraint is parsed with `ast` and walked by hand over a whitelist: numbers, strings,
parameter names, + − * / // % and unary minus, comparisons, and / or / not. Nothing is ever
passed to eval; powers and calls are not allowed, so no constraint can take long to run.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from functools import cache
from typing import Any

_MAX_CHARS = 300

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    *_BINARY,
    *_COMPARE,
)


def _parse(text: Any) -> ast.Expression | str:
    """The checked syntax tree of a constraint, or why it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        return "a constraint must be a non-empty string"
    return _parse_text(text)


@cache
def _parse_text(text: str) -> ast.Expression | str:
    """`_parse` for a string, cached: the same constraint is checked on every draw."""
    if len(text) > _MAX_CHARS:
        return f"a constraint may have at most {_MAX_CHARS} characters"
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        return f"not a valid expression ({getattr(err, 'msg', err)})"
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            return (
                f"{type(node).__name__} is not allowed (only arithmetic, comparisons, and/or/not)"
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float | str)
        ):
            return f"the constant {node.value!r} is not allowed"
    if not isinstance(tree.body, ast.Compare | ast.BoolOp) and not (
        isinstance(tree.body, ast.UnaryOp) and isinstance(tree.body.op, ast.Not)
    ):
        return "a constraint must be a comparison, such as kernel <= size"
    return tree


def constraint_problem(text: str) -> str | None:
    """Why `text` is not an allowed constraint, or None if it is."""
    parsed = _parse(text)
    return parsed if isinstance(parsed, str) else None


def constraint_names(text: str) -> set[str]:
    """The names a valid constraint refers to."""
    parsed = _parse(text)
    if isinstance(parsed, str):
        return set()
    return {node.id for node in ast.walk(parsed) if isinstance(node, ast.Name)}


def _number(value: Any) -> int | float:
    """Arithmetic operands must be numbers (so "ab" * 10**9 can never happen)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return value


def _evaluate(node: ast.AST, values: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not operand
        return -_number(operand) if isinstance(node.op, ast.USub) else _number(operand)
    if isinstance(node, ast.BinOp):
        left = _number(_evaluate(node.left, values))
        return _BINARY[type(node.op)](left, _number(_evaluate(node.right, values)))
    if isinstance(node, ast.BoolOp):
        results = (bool(_evaluate(v, values)) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    assert isinstance(node, ast.Compare)
    left = _evaluate(node.left, values)
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = _evaluate(comparator, values)
        if not _COMPARE[type(op)](left, right):
            return False
        left = right
    return True


def satisfies(text: str, values: dict[str, Any]) -> bool:
    """Whether `values` meet constraint `text`; an invalid or failing constraint is not met."""
    parsed = _parse(text)
    if isinstance(parsed, str):
        raise ValueError(f"constraint {text!r}: {parsed}")
    try:
        return bool(_evaluate(parsed.body, values))
    except (TypeError, KeyError, ZeroDivisionError, OverflowError):
        return False
