"""What the shell completes for question ids, topics and tags: read from the bank cache in the
database (`quiz/bank/cache.py`'s table), never from the YAML, since it runs on every TAB.

The database is opened read-only and never created or migrated here; without a cache (no
database yet, or a command never ran) there is simply nothing to offer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# bank/cache.py's separator of joined tags, not imported from there: that would import the
# store and the schedulers (~60 ms) on every TAB. tests/test_setup.py checks they agree.
TAG_SEPARATOR = "\x1f"

_COLUMNS = {"id": "SELECT id FROM bank_questions ORDER BY pos",
            "topic": "SELECT DISTINCT topic FROM bank_questions ORDER BY pos",
            "tags": "SELECT DISTINCT tags FROM bank_questions WHERE tags != ''"}


def cached_names(db: Path, column: str) -> list[str]:
    """The cached bank's question ids, topics or tags (`column`), in bank order."""
    if not db.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    except (sqlite3.Error, ValueError, OSError):
        return []
    try:
        rows = [r[0] for r in conn.execute(_COLUMNS[column])]
    except sqlite3.Error:  # not a quiz database, or no cache table yet
        return []
    finally:
        conn.close()
    names = [str(r) for r in rows if r is not None]
    if column == "tags":
        names = list(dict.fromkeys(t for joined in names for t in joined.split(TAG_SEPARATOR)))
    return names


def matching(names: list[str], incomplete: str) -> list[str]:
    """The names that start with what was typed so far."""
    return [n for n in names if n.startswith(incomplete)]
