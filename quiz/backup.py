"""`quiz backup`: a consistent copy of the database through SQLite's own backup API.

The copy is written beside the target under a temporary name and renamed over it only when
complete and checked, so an interrupted backup never leaves half a file at the target; a
session writing meanwhile is safe (the API copies a consistent snapshot).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.errors import QuizError, UsageError

if TYPE_CHECKING:
    from quiz.store import Store


@dataclass(frozen=True)
class Copied:
    """A finished backup: where, its size, and how many log rows it holds."""

    path: Path
    size: int
    reviews: int


def check_target(database: Path, target: Path, *, force: bool) -> None:
    """A UsageError if `target` is the database (or one of its side files), is not a regular
    file, or exists and `force` is off."""
    side_files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"),
                  Path(f"{database}-journal")]
    for same in side_files:
        if _same_file(same, target):
            raise UsageError(f"{target} is the database itself; give the backup another name")
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give the backup a file name, e.g. "
                         f"{target / 'quiz-backup.db'}")
    if os.path.lexists(target):
        if not target.is_file():
            raise UsageError(f"{target} is not a regular file; quiz will not write over it")
        if not force:
            raise UsageError(f"{target} already exists; add --force to overwrite it")
    if not target.parent.is_dir():
        raise UsageError(f"the folder {target.parent} does not exist")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist: compare the names
        return a.resolve() == b.resolve()


def backup(store: Store, target: Path, *, force: bool = False) -> Copied:
    """Copy `store`'s database to `target` (see `check_target`); the copy is checked to open
    and is a single file (no WAL) that any SQLite opens."""
    check_target(Path(store.path), target, force=force)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        copy = sqlite3.connect(partial)
        try:
            store.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise QuizError(f"the copy at {target} did not pass SQLite's check; the "
                                "database may be damaged (try `sqlite3 DB .recover`)")
            reviews = copy.execute("SELECT count(*) FROM reviews").fetchone()[0]
        finally:
            copy.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise QuizError(f"cannot back up {store.path} to {target}: {exc}") from None
    finally:
        if partial.exists():
            partial.unlink()
    return Copied(target, target.stat().st_size, reviews)
