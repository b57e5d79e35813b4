"""Where the bank files are: the bundled folder, and the YAML files a list of paths names.

Kept apart from reader.py so that finding and fingerprinting the files costs no yaml import.

A folder is searched for `*.yaml` / `*.yml` files, following symbolic links (each folder once)
but skipping hidden entries (names starting with `.`: `.git`, editors' lock files). The walk
is bounded — at most MAX_ENTRIES entries and MAX_WALK_DEPTH levels under each folder given —
so that `QUIZ_BANKS=/` is an error after a moment, not a walk of the whole file system. Every
entry that cannot be listed, read or used is a problem naming its path: nothing is skipped
silently while validate says OK.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from quiz.errors import os_reason

BANK_SUFFIXES = (".yaml", ".yml")
MAX_ENTRIES = 20_000  # entries looked at under one folder; the bundled banks are a dozen
MAX_WALK_DEPTH = 16  # folder levels under one folder
MAX_FILE_BYTES = 2_000_000  # per bank file; the largest bundled bank is 57 kB

Problem = tuple[str, int, str]


class BankFileError(Exception):
    """A bank path that cannot be used; the message says why (no path in it)."""


def bundled_dir() -> Path:
    """The folder of the banks shipped with quiz: `questions/` in a clone or in the wheel."""
    package = Path(__file__).resolve().parent.parent  # quiz/, this file is quiz/bank/files.py
    for candidate in (package / "questions", package.parent / "questions"):
        if candidate.is_dir():
            return candidate
    return package.parent / "questions"


def _not_a_file(mode: int) -> str | None:
    """Why a file of this mode cannot be a bank, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a bank file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a bank file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a bank file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a bank file"
    return "it is not a regular file"


def _stat(path: Path) -> os.stat_result:
    """os.stat, with a missing target of a symbolic link told apart from a missing path."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise BankFileError("it is a symbolic link to a file that does not exist") from None
        raise BankFileError("no such file or folder") from None
    except OSError as exc:
        raise BankFileError(f"cannot be opened: {os_reason(exc)}") from None


def read_bank_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a bank file, at most `limit + 1` of them; BankFileError if unusable.

    Opened without blocking (a FIFO would wait for a writer forever) and checked to be a
    regular file before reading (a symbolic link to /dev/zero never ends).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and os.path.islink(path):
            raise BankFileError("it is a symbolic link to a file that does not exist") from None
        raise BankFileError(f"cannot be read: {os_reason(exc)}") from None
    try:
        why = _not_a_file(os.fstat(fd).st_mode)
        if why is not None:
            raise BankFileError(why)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise BankFileError(f"cannot be read: {os_reason(exc)}") from None
    finally:
        os.close(fd)


def bank_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files named by `paths` (files, or folders searched recursively), and problems.

    A problem is `(path, 0, message)`: a path that is missing, unreadable or not a file or
    folder, a folder that cannot be listed, a walk that went past its bounds.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            mode = _stat(path).st_mode
        except BankFileError as exc:
            problems.append((str(path), 0, str(exc)))
            continue
        if stat.S_ISDIR(mode):
            found, walk_problems = _walk(path)
            files += sorted(found)
            problems += walk_problems
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            problems.append((str(path), 0, _not_a_file(mode) or "it is not a regular file"))
    unique: dict[Path, Path] = {}
    for file in reversed(files):  # the first naming of each file wins
        try:
            unique[file.resolve()] = file
        except (OSError, RuntimeError):  # a link loop or a name too long: keep the name
            unique[file] = file
    return list(reversed(unique.values())), problems


def _walk(root: Path) -> tuple[list[Path], list[Problem]]:
    """The bank files under `root`, within the bounds, and the problems met."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    pending = [(root, 0)]
    entries = 0
    while pending:
        folder, depth = pending.pop()
        try:
            info = os.stat(folder)
        except OSError as exc:
            problems.append((str(folder), 0, f"cannot be opened: {os_reason(exc)}"))
            continue
        if (info.st_dev, info.st_ino) in seen:  # a symbolic link back to a folder seen
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append((str(folder), 0, f"cannot list the folder: {os_reason(exc)}"))
            continue
        for entry in children:
            entries += 1
            if entries > MAX_ENTRIES:
                problems.append((str(root), 0, f"more than {MAX_ENTRIES:,} files and folders "
                                               "under this folder; give the folder that holds "
                                               "the banks"))
                return files, problems
            if entry.name.startswith("."):
                continue
            path = Path(folder) / entry.name
            try:
                is_dir = entry.is_dir()  # follows symbolic links
            except OSError as exc:
                problems.append((str(path), 0, f"cannot be opened: {os_reason(exc)}"))
                continue
            if is_dir:
                if depth + 1 > MAX_WALK_DEPTH:
                    problems.append((str(path), 0, f"folders nested more than {MAX_WALK_DEPTH} "
                                                   "deep under the bank folder"))
                else:
                    pending.append((path, depth + 1))
            elif path.suffix in BANK_SUFFIXES:
                try:
                    why = _not_a_file(_stat(path).st_mode)
                except BankFileError as exc:
                    why = str(exc)
                if why is None:
                    files.append(path)
                else:
                    problems.append((str(path), 0, why))
    return files, problems


def signature(paths: Iterable[Path]) -> str:
    """One line per bank file (path, size, mtime) or problem: changes when a file does."""
    files, problems = bank_files(paths)
    lines = [f"problem\t{path}\t{message}" for path, _line, message in problems]
    for file in files:
        try:
            info = file.stat()
            where = file.resolve()
        except (OSError, RuntimeError):
            lines.append(f"missing\t{file}")
            continue
        lines.append(f"{where}\t{info.st_size}\t{info.st_mtime_ns}")
    return "\n".join(lines)
