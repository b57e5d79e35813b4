"""The settings file, `config.toml`: read with the standard library's tomllib, every problem
reported as `file:line: what to fix`.

tomllib gives no positions for the values it returns, only for syntax errors; the line of a
setting is found again in the text (`key =` at the top level, or a `[key]` table header).
What each value must be is config.py's business: this module reads, it does not judge.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from quiz.errors import UsageError

# `key =`, `"key" =`, `key.sub =` or a `[key]` / `[[key]]` header, at the start of a line
_KEY_LINE = re.compile(r"""\s*(?:\[\[?\s*)?(["']?)([A-Za-z0-9_-]+)\1\s*[=.\]]""")
_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


class FileValue(NamedTuple):
    """A value as the file gives it, and the line it is on."""

    value: object
    line: int


@dataclass(frozen=True)
class SettingsFile:
    """A settings file read: where it is, whether it exists, its values by key."""

    path: Path
    exists: bool
    values: dict[str, FileValue] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """`path:line` of the setting `key`."""
        return f"{self.path}:{self.values[key].line}"


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) each top-level key is first written on."""
    lines: dict[str, int] = {}
    in_string = False  # inside a multi-line string: nothing there is a key
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_string:
            found = _KEY_LINE.match(line)
            if found:
                lines.setdefault(found.group(2), number)
        if (line.count('"""') + line.count("'''")) % 2:
            in_string = not in_string
    return lines


def read(path: Path, known: Collection[str]) -> SettingsFile:
    """The file at `path` (a missing file has no values); a UsageError naming the file and
    line for a file that cannot be read, is not TOML, or has a key not in `known`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SettingsFile(path, exists=False)
    except NotADirectoryError:  # a parent of the path is a file
        return SettingsFile(path, exists=False)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the config file ({exc.strerror or exc}); fix "
                         "it, or point QUIZ_CONFIG at another file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise UsageError(f"{path}:{line}: the config file is not UTF-8 text; save it as "
                         "UTF-8") from None
    import tomllib  # only now: most commands never get here with a file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _SYNTAX_AT.search(message)
        if at:
            message = message[:at.start()]
            where = f"{path}:{at.group(1)}"
            message = f"{message} (column {at.group(2)})"
        else:  # "at end of document"
            where = f"{path}:{text.count(chr(10)) + 1}"
        raise UsageError(f"{where}: not valid TOML: {_lower_first(message)}; see the example "
                         "in the README") from None
    lines = key_lines(text)
    values = {key: FileValue(value, lines.get(key, 1)) for key, value in data.items()}
    problems = [f"{path}:{found.line}: unknown setting '{key}'{_hint(key, known)}"
                for key, found in values.items() if key not in known]
    if problems:
        raise UsageError("\n".join(problems))
    return SettingsFile(path, exists=True, values=values)


def _hint(key: str, known: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; the settings are {', '.join(sorted(known))}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
