"""The bank's question ids and topics, kept in the store so `quiz stats` need not parse YAML.

Importing the bank loader and parsing the bundled bank takes longer than all of `quiz stats`
may. The ids and topics are saved in the settings table with the paths, sizes and
modification times of the bank files, and read from the YAML again only when those change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.errors import StoreError

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store import Store

SETTING = "bank_index"
SUFFIXES = (".yaml", ".yml")  # bank.BANK_SUFFIXES


def bundled_dir() -> Path:
    """The bundled banks' folder, as `quiz.bank.bundled_dir` finds it (without its imports)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questions", here.parent / "questions"):
        if candidate.is_dir():
            return candidate
    return here.parent / "questions"


def signature(paths: Iterable[Path]) -> str:
    """One line per bank file (path, size, mtime) or missing path: changes when a file does."""
    lines = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            files = [path]
        for file in files:
            try:
                info = file.stat()
            except OSError:
                lines.append(f"missing\t{file}")
                continue
            lines.append(f"{file.resolve()}\t{info.st_size}\t{info.st_mtime_ns}")
    return "\n".join(lines)


def question_topics(store: Store, paths: list[Path], load: Callable[[], Bank]) -> dict[str, str]:
    """Question id → topic of the bank at `paths`; `load()` parses it when the cache is stale."""
    key = signature(paths)
    cached = store.setting(SETTING)
    if cached is not None:
        cached_key, _, topics = cached.partition("\x1f")
        if cached_key == key:
            return json.loads(topics)
    topics = {q.id: q.topic for q in load().questions}
    try:
        store.set_setting(SETTING, key + "\x1f" + json.dumps(topics, ensure_ascii=False))
    except (StoreError, sqlite3.Error):  # e.g. a read-only database: no cache, same answer
        pass
    return topics

