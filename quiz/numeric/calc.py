"""`quiz calc`: the bank's reference functions from the command line.

The names are the registry's (quiz.numeric.solutions.REGISTRY): a check's `command` (`conv`) or its
bank name (`conv_output_size`), so calc and the bank's `check:` accept one set of names.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any

from quiz.errors import AnswerFormatError, UsageError
from quiz.numeric.solutions import REGISTRY, Check, find, names
from quiz.numeric.typed_answers import format_value, parse_answer

OPTION_ALIASES = {
    "samples": "n_samples", "batch": "batch_size", "in": "in_channels", "out": "out_channels",
    "input": "input_size", "hidden": "hidden_size", "in-features": "in_features",
    "out-features": "out_features", "ceil": "ceil_mode", "ceil-mode": "ceil_mode",
    "drop-last": "drop_last", "output-padding": "output_padding", "heads": "num_heads",
    "ff": "dim_feedforward", "seq": "seq_len", "bytes": "bytes_per_element",
}
_KIND_HELP = {
    "number": "a number",
    "text": "a name",
    "vector": "numbers, e.g. 1 2 3",
    "matrix": 'a matrix, rows separated by ";", e.g. "1 2; 3 4"',
    "numbers": "a number, or numbers: e.g. 3 5",
}
_MULTI = {"vector", "matrix", "numbers"}  # an option of these kinds takes every word up to the next


def _option(argument: str) -> str:
    return "--" + argument.replace("_", "-")


def _kind(check: Check, argument: str) -> str:
    return check.kinds.get(argument, "number")


def _resolve(name: str | None) -> Check:
    if not name:
        raise UsageError("name a calculation, e.g. quiz calc conv --size 32 --kernel 3 "
                         "(quiz calc --list shows them all)")
    check = find(name.replace("_", "-")) or find(name)
    if check is None:
        close = difflib.get_close_matches(name, names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"unknown calculation '{name}'{hint}; quiz calc --list shows them all")
    return check


def _signature(check: Check) -> str:
    """`size kernel [stride=1] …`: the arguments, optional ones with their defaults."""
    parts = []
    for argument in check.arguments:
        if argument in check.required:
            parts.append(argument)
        else:
            default = check.defaults[argument]
            shown = (str(default).lower() if isinstance(default, bool) or default is None
                     else format_value(default))
            parts.append(f"[{argument}={shown}]")
    return " ".join(parts)


def listing() -> list[str]:
    """One line per calculation: its name, the check's name and its arguments."""
    width = max(len(c.command or c.name) for c in REGISTRY)
    return [f"{(c.command or c.name):<{width}}  {c.name}: {_signature(c)}" for c in REGISTRY]


def usage(name: str) -> str:
    """The help of one calculation: what it computes and every argument it takes."""
    check = _resolve(name)
    command = check.command or check.name
    aliases: dict[str, list[str]] = {}
    for alias, argument in OPTION_ALIASES.items():
        aliases.setdefault(argument, []).append("--" + alias)
    lines = [f"Usage: quiz calc {command} [VALUES...] [--OPTION VALUE ...]", "",
             f"{check.name}: {check.summary}", "",
             "Arguments (bare values fill them in this order; each is also an option):"]
    parameters = inspect.signature(check.function).parameters
    for argument in check.arguments:
        spelled = ", ".join([_option(argument), *sorted(set(aliases.get(argument, [])) -
                                                           {_option(argument)})])
        default = parameters[argument].default
        if default is inspect.Parameter.empty:
            state = "required"
        elif isinstance(default, bool) or default is None:
            state = f"default {str(default).lower()}"
        else:
            state = f"default {format_value(default)}"
        kind = "true or false" if isinstance(default, bool) else _KIND_HELP[_kind(check, argument)]
        lines.append(f"  {spelled:<28} {state}; {kind}")
    if check.name == "iterations_per_epoch":
        lines.append("  --epochs N                   counts every epoch: total-iterations")
    flags = [a for a, v in check.defaults.items() if isinstance(v, bool)]
    if flags:
        lines += ["", f"A flag given alone ({_option(flags[0])}) means true; "
                      f"{_option(flags[0])} false turns it off."]
    return "\n".join(lines)


def _words(check: Check, words: list[str]) -> tuple[list[str], dict[str, str]]:
    """(bare values, options) from the words after the name; a repeated option is an error."""
    options: dict[str, str] = {}
    bare: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not (word.startswith("--") and len(word) > 2):
            bare.append(word)
            continue
        key, equals, value = word[2:].partition("=")
        key = OPTION_ALIASES.get(key, key).replace("-", "_")
        if not equals:
            taken = []
            while index < len(words) and not words[index].startswith("--"):
                taken.append(words[index])
                index += 1
                if _kind(check, key) not in _MULTI:
                    break
            value = " ".join(taken) if taken else "true"
        if key in options:
            raise UsageError(f"{_option(key)} is given twice")
        options[key] = value
    return bare, options


def parse(name: str | None, words: list[str]) -> tuple[str, dict[str, Any]]:
    """The check and its arguments from `quiz calc NAME [VALUES...] [--key value ...]`.

    Bare values fill the check's arguments in order (all of them, for a check whose one
    argument is a vector); an option of a vector kind takes every word up to the next
    option (`--theta 0.5 -1 2`); `--epochs` turns `iterations` into `total_iterations`;
    `--flag` alone means true. A repeated option is an error.
    """
    check = _resolve(name)
    shown = name or check.name
    bare, options = _words(check, words)
    if check.name == "iterations_per_epoch" and "epochs" in options:
        check = _resolve("total_iterations")
    arguments = check.arguments
    raw: dict[str, str] = {}
    if len(arguments) == 1 and _kind(check, arguments[0]) in _MULTI and bare:
        raw[arguments[0]] = " ".join(bare)
    else:
        if len(bare) > len(arguments):
            raise UsageError(f"{shown} takes at most {len(arguments)} values "
                             f"({', '.join(arguments)}), not {len(bare)}")
        raw.update(zip(arguments, bare, strict=False))
    for key, value in options.items():
        if key not in arguments:
            close = difflib.get_close_matches(key, arguments, n=1)
            hint = f" (did you mean {_option(close[0])}?)" if close else ""
            raise UsageError(f"{shown} has no option {_option(key)}{hint} "
                             f"(options: {', '.join(_option(a) for a in arguments)})")
        if key in raw:
            raise UsageError(f"{key} is given twice")
        raw[key] = value
    return check.name, {key: _value(_kind(check, key), key, text) for key, text in raw.items()}


def _value(kind: str, key: str, text: str) -> Any:
    """One argument's text as the value its kind takes; UsageError if it cannot be."""
    lowered = text.strip().lower()
    if kind == "text":
        return lowered.replace("-", "_")
    if lowered in ("true", "yes", "false", "no"):
        return lowered in ("true", "yes")
    if lowered == "none":
        return None
    try:
        value = parse_answer(text, scalar=kind == "number")
    except AnswerFormatError as exc:
        raise UsageError(f"{_option(key)}: {exc.reason_en}") from None
    is_matrix = isinstance(value, list) and value and isinstance(value[0], list)
    if kind == "matrix":
        return value if is_matrix else [value if isinstance(value, list) else [value]]
    if is_matrix:
        raise UsageError(f"{_option(key)} takes {_KIND_HELP[kind]}, not a matrix")
    if kind == "vector":
        return value if isinstance(value, list) else [value]
    if kind == "number" and isinstance(value, list):
        raise UsageError(f"{_option(key)} takes one number, not a list")
    return value
