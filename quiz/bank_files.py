"""Where the bank files are: the bundled folder, and the YAML files a list of paths names.

Kept apart from bank.py so that finding and fingerprinting the files costs no yaml import.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

BANK_SUFFIXES = (".yaml", ".yml")


def bundled_dir() -> Path:
    """The folder of the banks shipped with quiz: `questions/` in a clone or in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questions", here.parent / "questions"):
        if candidate.is_dir():
            return candidate
    return here.parent / "questions"


def bank_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, int, str]]]:
    """The YAML files named by `paths` (files, or folders searched recursively)."""
    files: list[Path] = []
    problems: list[tuple[str, int, str]] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append((str(path), 0, "no such file or folder"))
    unique = {p.resolve(): p for p in reversed(files)}  # first naming of each file wins
    return list(reversed(unique.values())), problems


def signature(paths: Iterable[Path]) -> str:
    """One line per bank file (path, size, mtime) or missing path: changes when a file does."""
    files, problems = bank_files(paths)
    lines = [f"missing\t{path}" for path, _line, _message in problems]
    for file in files:
        try:
            info = file.stat()
        except OSError:
            lines.append(f"missing\t{file}")
            continue
        lines.append(f"{file.resolve()}\t{info.st_size}\t{info.st_mtime_ns}")
    return "\n".join(lines)
