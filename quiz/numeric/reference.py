"""What a reference function is to the bank and to `quiz calc`: a Check, and its Worked result.

Kept apart from quiz.numeric.solutions so that a module of new reference functions can build its
own Check objects without importing the registry (which then imports that module).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from quiz.model import Text


@dataclass(frozen=True)
class Worked:
    """A computed value, its worked solution, and whether the value is exact by construction."""

    value: Any
    solution: Text
    exact: bool = False


def inexact(args: dict[str, Any], value: Any) -> bool:
    """The default: a real value is a rounded one."""
    return False


def always(args: dict[str, Any], value: Any) -> bool:
    """For a check whose every value is exact (computed in decimal, or picked from input)."""
    return True


@dataclass(frozen=True)
class Check:
    """A reference function that a bank (`check:`) and `quiz calc` both name.

    `command` is its `quiz calc` name; the bank and calc accept either name (see `find`).
    `kinds` says how calc reads an argument that is not a single number: "text", "vector",
    "matrix", or "numbers" (one number or a vector). `exact` says whether a real value is
    exact by construction (a decimal computed exactly, a piecewise-constant derivative), so
    that it is graded exactly when the template states no tolerance; integers always are.
    """

    name: str
    function: Callable[..., Any]
    solve: Callable[[dict[str, Any], Any], Text]
    command: str = ""
    kinds: dict[str, str] = field(default_factory=dict)
    exact: Callable[[dict[str, Any], Any], bool] = inexact

    @property
    def summary(self) -> str:
        """The first line of the reference function's docstring."""
        return (inspect.getdoc(self.function) or "").splitlines()[0]

    @cached_property
    def arguments(self) -> tuple[str, ...]:
        """Every argument, in the function's order."""
        return tuple(inspect.signature(self.function).parameters)

    @cached_property
    def required(self) -> tuple[str, ...]:
        """The arguments without a default."""
        params = inspect.signature(self.function).parameters.values()
        return tuple(p.name for p in params if p.default is inspect.Parameter.empty)

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The optional arguments and their defaults."""
        params = inspect.signature(self.function).parameters.values()
        return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def solution_text(zh: str, en: str, *lines: str) -> Text:
    """A worked solution: a heading in each language, then the maths lines both share."""
    return Text("\n".join([zh, *lines]), "\n".join([en, *lines]))


def one_formula(zh: str, en: str, formula: str, substituted: str
                ) -> Callable[[dict[str, Any], Any], Text]:
    """The solver of a check whose worked solution is one formula: the heading in each
    language, the formula, then `substituted`, a str.format template over the arguments (by
    their names) and the `value`."""
    def solve(args: dict[str, Any], value: Any) -> Text:
        return solution_text(zh, en, formula, substituted.format(**args, value=value))

    return solve
