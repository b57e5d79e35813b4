"""The SQLite store: an append-only review log (the truth) and card states derived from it.

sqlite-utils builds and migrates the schema; it is imported only when the schema needs
work, because importing it costs more than a whole `quiz stats` may take. Everyday reads
and the append path use the same connection through the standard library.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from quiz import replay, schedulers, sm2
from quiz.errors import StoreError
from quiz.model import Card, CardState, Review
from quiz.plan import INTERVIEW_RANGE
from quiz.schema import (
    COLUMN_RULES,
    COUNT_MAX,
    EF_RANGE,
    MIGRATIONS,
    REVIEW_DAYS_FROM_LOG,
    SCHEMA_VERSION,
    STABILITY_MAX,
    sql_day,
)

# Answers imported with their schedule (anki_import.py): a replay keeps their stored state.
IMPORTED_SESSIONS = ("import:anki",)
BUSY_TIMEOUT_MS = 10_000


class Store:
    """An open quiz database."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._identity: tuple[int, int] | None = None  # the file opened (set once made)
        self.created = False  # whether `open` made the file (the CLI then says where)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the database at `path`; ":memory:" for a throwaway one."""
        name = str(path)
        existed = True
        if name != ":memory:":
            _check_path(name)
            existed = os.path.lexists(name)
        try:
            conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {name}: {_why(name, exc)}") from None
        store = cls(conn, name)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot use the database {name}: {_why(name, exc)}") from None
        except StoreError:
            conn.close()
            raise
        store._identity = _identity(name)
        store.created = not existed
        return store

    def _prepare(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version < 0:
            raise StoreError(f"the database {self.path} has the schema version {version}, "
                             "which no quiz writes; it is not a quiz database, or it was "
                             "changed by hand (restore a backup, or give --db another file)")
        if version > SCHEMA_VERSION:
            raise StoreError(f"the database {self.path} was written by a newer quiz (schema "
                             f"{version}; this quiz knows {SCHEMA_VERSION}); upgrade quiz")
        if self.path != ":memory:":
            self._use_wal()
        self.conn.execute("PRAGMA synchronous = NORMAL" if self.path == ":memory:"
                          else "PRAGMA synchronous = FULL")
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _use_wal(self) -> None:
        # Turning WAL on needs the database to itself, and SQLite then fails at once instead
        # of waiting (the busy timeout does not apply): two quiz processes creating the same
        # database would see "database is locked". Wait here instead.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _migrate(self, version: int) -> None:
        import sqlite_utils  # only here: see the module docstring

        db = sqlite_utils.Database(self.conn)
        with self.transaction():
            # Another process may have migrated while we waited for the write lock.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](db)
                self.conn.execute(f"PRAGMA user_version = {target}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): one writer at a time, no lost update."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to {self.path}: {exc}") from None
        try:
            yield self.conn
            self._check_same_file()
        except BaseException as exc:
            # SQLite may have rolled back already (a full disk does): ROLLBACK would fail
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"cannot write to {self.path}: {exc}") from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreError(f"cannot write to {self.path}: {exc}") from None

    def _check_same_file(self) -> None:
        """A StoreError if the database file was deleted or replaced since it was opened.

        SQLite keeps writing to the file it opened: answers committed after someone deleted
        or replaced it would go nowhere anyone can read, so the write stops instead.
        """
        if self._identity is None or _identity(self.path) == self._identity:
            return
        raise StoreError(f"the database {self.path} was deleted or replaced while quiz was "
                         "running; this answer was not saved (the ones before it went to the "
                         "file quiz had opened). Start quiz again")

    def query(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only SQL query (for stats and export aggregates)."""
        try:
            cursor = self.conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None

    def rows(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """`query`'s rows as plain tuples: cheaper when there are thousands."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None

    def problems(self, tables: Iterable[str] | None = None, limit: int = 5) -> list[str]:
        """Stored values quiz cannot use (at most `limit`), each as `table.column of 'row'
        is value (expected …)`: a full scan, for when reading has failed."""
        found: list[str] = []
        for table in tables or COLUMN_RULES:
            key, rules = COLUMN_RULES[table]
            cases = " ".join(f"WHEN NOT coalesce({rule}, 0) THEN {index}"
                             for index, (_column, rule, _words) in enumerate(rules))
            rows = self.query(f"SELECT * FROM (SELECT *, CASE {cases} END AS quiz_bad_rule "
                              f"FROM {table}) WHERE quiz_bad_rule IS NOT NULL LIMIT ?",
                              (limit - len(found),))
            for row in rows:
                column, _rule, words = rules[row["quiz_bad_rule"]]
                found.append(f"{table}.{column} of {_shown(row[key])} is "
                             f"{_shown(row[column])} (expected {words})")
            if len(found) >= limit:
                break
        return found

    def unreadable(self, cause: BaseException | None = None,
                   tables: Iterable[str] | None = None) -> StoreError:
        """The StoreError for values that could not be read, naming them if it can."""
        found = self.problems(tables)
        if found:
            what = "; ".join(found)
        elif cause is not None:
            what = f"{type(cause).__name__}: {_clip(str(cause))}"
        else:
            what = "a value of the wrong type"
        return StoreError(f"the database {self.path} holds values quiz cannot use: {what}. "
                          "Restore a backup, or correct or delete those rows")

    @contextmanager
    def reading(self, *tables: str) -> Iterator[None]:
        """Turn a stored value the decoders cannot use into a StoreError naming it."""
        try:
            yield
        except (ValueError, TypeError, OverflowError, KeyError, ArithmeticError) as exc:
            raise self.unreadable(exc, tables) from None

    # -- settings ------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def json_setting(self, key: str) -> Any:
        """A setting stored as JSON (None if unset); a StoreError if it is not JSON."""
        value = self.setting(key)
        if value is None:
            return None
        try:
            return json.loads(value) if isinstance(value, str) else json.loads("?")
        except ValueError:
            raise StoreError(f"the database {self.path} holds the setting {key!r} = "
                             f"{_shown(value)}, which is not JSON; delete that row of the "
                             "settings table") from None

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or with None, remove) a setting."""
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                             (key, value))

    # -- the scheduler -------------------------------------------------------------------

    def scheduler(self) -> schedulers.Scheduler:
        """The scheduler the cards are derived with (settings `scheduler`, `desired_retention`)."""
        return _scheduler(self.conn, self.path)

    def use_scheduler(self, name: str, retention: float) -> bool:
        """Derive the cards with `name` at `retention` from now on, replaying the whole log
        into them if that changes anything; whether it did."""
        wanted = schedulers.get(name, retention)  # a ValueError for a bad name or retention
        if _scheduler_settings(self.conn, self.path) == (name, float(retention)):
            return False  # the everyday case: no write lock taken
        with self.transaction() as conn:
            if _scheduler_settings(conn, self.path) == (name, float(retention)):
                return False
            conn.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                             [("scheduler", name), ("desired_retention", str(float(retention)))])
            ids = [r[0] for r in conn.execute("SELECT DISTINCT question_id FROM reviews")]
            with self.reading("reviews"):
                for question_id in ids:
                    _rebuild_card(conn, question_id, wanted)
        return True

    # -- cards ---------------------------------------------------------------------------

    def cards(self, ids: Iterable[str] | None = None, *,
              due_by: date | None = None) -> dict[str, Card]:
        """The cards the store knows, keyed by question id: all, those of `ids`, or (with
        `due_by`) the live ones due by that day plus every buried one."""
        sql, params = "SELECT * FROM cards", []
        if ids is not None:
            sql += " WHERE question_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(ids)))
        elif due_by is not None:
            # and those whose due day is no day at all: the decoder then says which
            sql += (" WHERE retired = 0 AND (due <= ? OR buried_until IS NOT NULL OR "
                    f"NOT coalesce({sql_day('due')}, repetitions IS NULL))")
            params.append(due_by.isoformat())
        rows = self.query(sql, params)
        with self.reading("cards"):
            return {row["question_id"]: _card(row) for row in rows}

    def live_states(self, ids: Iterable[str]) -> list[CardState]:
        """The schedules of the started, live cards among `ids` (only the columns a state
        needs: `quiz stats` forecasts retention from them on every run)."""
        rows = self.query(
            "SELECT repetitions, interval, ef, due, stability, difficulty FROM cards "
            "WHERE retired = 0 AND repetitions IS NOT NULL "
            "AND question_id IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))])
        with self.reading("cards"):
            return [_state(row) for row in rows]

    def live_schedules(self, within: str | None = None
                       ) -> list[tuple[int, date, float | None, float | None, int]]:
        """What a recall prediction reads of the started, live cards (those among the ids
        the SQL query `within` selects, if given): (interval, due, FSRS stability, FSRS
        difficulty, how many cards have exactly these), checked as the card decoder checks
        them. `quiz stats` forecasts retention from them on every run."""
        rows = self.rows(
            "SELECT interval, due, stability, difficulty, count(*) FROM cards "
            "WHERE retired = 0 AND repetitions IS NOT NULL"
            + (f" AND question_id IN ({within})" if within else "")
            + " GROUP BY interval, due, stability, difficulty")
        days: dict[object, date] = {}  # a few hundred distinct due days: each parsed once
        found = []
        with self.reading("cards"):
            for interval, due, stability, difficulty, n in rows:
                if (day := days.get(due)) is None:
                    day = days[due] = stored_day(due)
                found.append((whole(interval, 0, sm2.MAX_INTERVAL), day,
                              _real(stability, 1e-9, STABILITY_MAX), _real(difficulty, 1, 10),
                              n))
        return found

    def started_ids(self, among: Iterable[str] | None = None) -> set[str]:
        """The ids of every card with a review that moved its schedule (of those `among`
        these ids: looked up by id, not a pass over every card)."""
        if among is None:
            return {row[0] for row in self.rows(
                "SELECT question_id FROM cards WHERE repetitions IS NOT NULL")}
        return {row[0] for row in self.rows(
            "SELECT question_id FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) "
            "AND repetitions IS NOT NULL", (json.dumps(list(among)),))}

    def card(self, question_id: str) -> Card | None:
        """One card, or None if never reviewed nor buried."""
        rows = self.query("SELECT * FROM cards WHERE question_id = ?", (question_id,))
        with self.reading("cards"):
            return _card(rows[0]) if rows else None

    def sync_retired(self, bank_ids: Iterable[str], gone_ids: Iterable[str]) -> None:
        """Cards of `bank_ids` are live; cards of `gone_ids` (questions gone from the files
        they came from, see BankCache.retirable) are retired, history kept; others unchanged."""
        live = json.dumps(sorted(set(bank_ids)))
        gone = json.dumps(sorted(set(gone_ids)))
        with self.transaction() as conn:
            conn.execute("UPDATE cards SET retired = 0 WHERE retired != 0 AND question_id IN "
                         "(SELECT value FROM json_each(?))", (live,))
            conn.execute("UPDATE cards SET retired = 1 WHERE retired != 1 AND question_id IN "
                         "(SELECT value FROM json_each(?)) AND question_id NOT IN "
                         "(SELECT value FROM json_each(?))", (gone, live))

    def bury(self, question_id: str, until: date) -> None:
        """Hide a card until the study day `until`."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO cards (question_id, buried_until) VALUES (?, ?) "
                         "ON CONFLICT (question_id) DO UPDATE SET buried_until = excluded."
                         "buried_until", (question_id, until.isoformat()))

    def new_introduced_count(self, day: date) -> int:
        """How many cards had their first review on study day `day`."""
        return self.query("SELECT count(*) FROM cards WHERE first_day = ? AND question_id IN "
                          # among that day's answers, not through every card
                          "(SELECT question_id FROM reviews WHERE study_day = ?)",
                          (day.isoformat(), day.isoformat()))[0][0]

    # -- the review log ------------------------------------------------------------------

    def record(self, review: Review) -> int:
        """Append one answer and update its card, committed before returning; the row id."""
        with self.transaction() as conn:
            row_id = _insert_review(conn, review)
            if review.state is not None:
                _apply_to_card(conn, review)
        return row_id

    def record_answer(self, review: Review,
                      decide: Callable[[CardState | None, bool], Review]) -> tuple[int, Review]:
        """Append an answer whose schedule is decided under the write lock; (row id, review).

        `decide(state, scheduled_today)` gets the card's state as it is inside the transaction
        and whether an answer already moved it on the review's study day, and returns the
        review to append (kind and state set): two sessions grading one card at once cannot
        overwrite each other's state.
        """
        with self.transaction() as conn:
            cursor = conn.execute("SELECT * FROM cards WHERE question_id = ?",
                                  (review.question_id,))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            already = _scheduled_on(conn, review.question_id, review.study_day.isoformat())
            with self.reading("cards"):
                previous = _state(row) if row is not None else None
            final = decide(previous, already)
            row_id = _insert_review(conn, final)
            if final.state is not None:
                _apply_to_card(conn, final)
        return row_id, final

    def undo(self, review_id: int) -> Review | None:
        """Remove review `review_id` from the log and restore its card; the removed review."""
        with self.transaction() as conn:
            cursor = conn.execute("SELECT * FROM reviews WHERE id = ?", (review_id,))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            scheduler = _scheduler(conn, self.path)
            with self.reading("reviews"):
                if row["repetitions"] is not None and row["kind"] == "review":
                    _promote_repeat(conn, row["question_id"], row["study_day"],
                                    _interview(conn, self.path), scheduler)
                _rebuild_card(conn, row["question_id"], scheduler)
                return _review(row)

    def reviews(self, question_id: str | None = None) -> list[Review]:
        """The log in order (all of it, or one question's)."""
        if question_id is None:
            rows = self.query("SELECT * FROM reviews ORDER BY id")
        else:
            rows = self.query("SELECT * FROM reviews WHERE question_id = ? ORDER BY id",
                              (question_id,))
        with self.reading("reviews"):
            return [_review(row) for row in rows]

    def scheduled_on(self, question_id: str, day: date) -> bool:
        """Whether an answer on study day `day` already moved the card's schedule."""
        return bool(self.query(SCHEDULED_ON, (question_id, day.isoformat())))

    def relearning(self, day: date) -> list[str]:
        """Cards whose latest answer on study day `day` was graded below 4 (asked again)."""
        rows = self.query(
            "SELECT question_id, quality FROM reviews WHERE id IN (SELECT max(id) FROM reviews "
            "WHERE study_day = ? AND kind IN ('review', 'repeat', 'mock') GROUP BY question_id)",
            (day.isoformat(),))
        with self.reading("reviews"):
            return [r["question_id"] for r in rows
                    if whole(r["quality"], 0, 5) < sm2.GOOD_ENOUGH]

    def import_reviews(self, reviews: Iterable[Review]) -> int:
        """Append answers brought from another tool, oldest first, then replay their cards;
        the number appended. An answer already in the log (same question, same time) is
        skipped, so importing twice adds nothing."""
        added, touched = 0, set()
        with self.transaction() as conn:
            for review in sorted(reviews, key=lambda r: r.reviewed_at):
                if conn.execute("SELECT 1 FROM reviews WHERE question_id = ? AND reviewed_at = ? "
                                "LIMIT 1", (review.question_id, review.reviewed_at.isoformat())
                                ).fetchone():
                    continue
                _insert_review(conn, review)
                if review.state is not None:
                    _apply_to_card(conn, review)
                added += 1
                touched.add(review.question_id)
            scheduler = _scheduler(conn, self.path)
            for question_id in touched:
                _rebuild_card(conn, question_id, scheduler)
        return added

    def rebuild_cards(self) -> None:
        """Re-derive every card's state by replaying the log (buries are kept), and the
        per-day aggregate `review_days` from scratch."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM review_days")
            conn.execute(REVIEW_DAYS_FROM_LOG)
            scheduler = _scheduler(conn, self.path)
            ids = [r[0] for r in conn.execute("SELECT DISTINCT question_id FROM reviews")]
            with self.reading("reviews"):
                for question_id in ids:
                    _rebuild_card(conn, question_id, scheduler)

    def scheduled_answers(self) -> dict[str, list[replay.Answer]]:
        """Every question's answers that moved its schedule, in order (for the comparison)."""
        found: dict[str, list[replay.Answer]] = {}
        rows = self.query("SELECT question_id, quality, study_day, cap_day FROM reviews "
                          "WHERE repetitions IS NOT NULL ORDER BY id")
        with self.reading("reviews"):
            for row in rows:
                found.setdefault(_text(row[0]), []).append(
                    replay.Answer(whole(row[1], 0, 5), stored_day(row[2]), _day(row[3])))
        return found

    def failed_on(self, day: date) -> set[str]:
        """The ids of cards with an answer graded below 3 on study day `day` (any kind)."""
        rows = self.query("SELECT question_id, quality FROM reviews WHERE study_day = ?",
                          (day.isoformat(),))
        with self.reading("reviews"):
            return {_text(r[0]) for r in rows if whole(r[1], 0, 5) < sm2.PASSING}


def _check_path(name: str) -> None:
    """A StoreError unless `name` can be a database file: not a folder, its folder made."""
    target = Path(name)
    try:
        is_folder = target.is_dir()  # a folder that cannot be searched fails here
    except OSError as exc:
        raise StoreError(f"cannot use the database path {name}: {exc.strerror}") from None
    if is_folder:
        raise StoreError(f"the database path {name} is a folder, not a file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.exists()  # a name over 255 bytes fails here
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {name}: {exc.strerror}") from None


def _why(name: str, exc: sqlite3.Error) -> str:
    """SQLite's reason, with what it means when it only says it cannot open the file."""
    folder = os.path.dirname(os.path.abspath(name))
    if (("unable to open" in str(exc) or "readonly" in str(exc))
            and not os.access(folder, os.W_OK | os.X_OK)):
        return (f"{exc} (quiz needs to write in the folder {folder}, for the database and its "
                "-wal and -shm files: make it writable, or give --db another place)")
    return str(exc)


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the database file; None for an in-memory one."""
    if path == ":memory:" or path == "":
        return None
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1)  # gone: never equal to the file that was opened
    return info.st_dev, info.st_ino


def _shown(value: object) -> str:
    """A stored value as a message shows it: quoted, cut short."""
    return _clip(repr(value))


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


# The decoders: a ValueError or TypeError for any value outside COLUMN_RULES' bounds.


def whole(value: object, low: int, high: int) -> int:
    """`value` if it is an int from `low` to `high` (a ValueError otherwise)."""
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{value!r} is not a whole number from {low} to {high}")
    return value


def stored_day(text: object) -> date:
    """A stored YYYY-MM-DD day (a ValueError or TypeError for anything else)."""
    if type(text) is not str:
        raise TypeError(f"{text!r} is not a date")
    day = date.fromisoformat(text)
    if not 1000 <= day.year <= 2999 or len(text) != 10:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD from 1000 to 2999")
    return day


def _day(text: object) -> date | None:
    return None if text is None else stored_day(text)


def _scheduler_settings(conn: sqlite3.Connection, path: str) -> tuple[str, float]:
    """The stored (scheduler, desired retention), defaults filled in; checked."""
    try:
        values = dict(conn.execute("SELECT key, value FROM settings WHERE key IN "
                                   "('scheduler', 'desired_retention')").fetchall())
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from None
    name = values.get("scheduler") or schedulers.DEFAULT
    retention = values.get("desired_retention") or str(schedulers.DEFAULT_RETENTION)
    try:
        schedulers.get(name, float(retention))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"the database {path} holds the scheduler setting {name!r} at "
                         f"retention {retention!r}, which quiz cannot use ({exc}); choose one "
                         "again with quiz scheduler sm2 (or fsrs)") from None
    return name, float(retention)


def _scheduler(conn: sqlite3.Connection, path: str) -> schedulers.Scheduler:
    return schedulers.get(*_scheduler_settings(conn, path))


def _real(value: object, low: float, high: float) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not low <= value <= high:
        raise ValueError(f"{value!r} is not a number from {low} to {high}")
    return float(value)


def _text(value: object) -> str | None:
    if value is not None and type(value) is not str:
        raise TypeError(f"{value!r} is not text")
    return value


def _state(row: sqlite3.Row) -> CardState | None:
    if row["repetitions"] is None:
        return None
    return CardState(repetitions=whole(row["repetitions"], 0, COUNT_MAX),
                     interval=whole(row["interval"], 0, sm2.MAX_INTERVAL),
                     efactor=Fraction(whole(row["ef"], *EF_RANGE), 100), due=stored_day(row["due"]),
                     stability=_real(row["stability"], 1e-9, STABILITY_MAX),
                     difficulty=_real(row["difficulty"], 1, 10))


def _card(row: sqlite3.Row) -> Card:
    retired = row["retired"]
    return Card(question_id=_text(row["question_id"]), state=_state(row),
                fingerprint=_text(row["fingerprint"]) or "", first_day=_day(row["first_day"]),
                last_day=_day(row["last_day"]), lapses=whole(row["lapses"] or 0, 0, COUNT_MAX),
                reviews=whole(row["reviews"] or 0, 0, COUNT_MAX),
                buried_until=_day(row["buried_until"]),
                retired=bool(whole(retired, 0, 1) if retired is not None else 0))


def _review(row: sqlite3.Row) -> Review:
    values = json.loads(row["params"]) if row["params"] else None
    if values is not None and not isinstance(values, dict):
        raise TypeError(f"params {row['params']!r} is not a JSON object")
    offset = row["utc_offset"]
    reviewed_at = datetime.fromisoformat(_text(row["reviewed_at"]) or "")
    kind = row["kind"]
    if kind not in ("review", "repeat", "practice", "mock"):
        raise ValueError(f"{kind!r} is not a kind of answer")
    return Review(
        question_id=_text(row["question_id"]), reviewed_at=reviewed_at,
        utc_offset=None if offset is None else whole(offset, -1439, 1439),
        study_day=stored_day(row["study_day"]), quality=whole(row["quality"], 0, 5),
        state=_state(row), kind=kind, answer=_text(row["answer"]),
        duration_ms=whole(row["duration_ms"] or 0, 0, 2**53),
        fingerprint=_text(row["fingerprint"]) or "",
        seed=None if row["seed"] is None else whole(row["seed"], -2**63, 2**63 - 1),
        values=values, session=_text(row["session"]), cap_day=_day(row["cap_day"]))


def _ef_hundredths(ef: Fraction) -> int:
    hundredths = ef * 100
    if hundredths.denominator != 1:
        raise ValueError(f"E-Factor {ef} is not a whole number of hundredths")
    return int(hundredths)


def _insert_review(conn: sqlite3.Connection, review: Review) -> int:
    state = review.state
    cursor = conn.execute(
        "INSERT INTO reviews (question_id, reviewed_at, utc_offset, study_day, quality, kind, "
        "answer, duration_ms, repetitions, interval, ef, due, fingerprint, seed, params, "
        "session, stability, difficulty, cap_day, last_interval) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        # the card's interval before this answer (0 when new): its row is updated after
        "coalesce((SELECT interval FROM cards WHERE question_id = ?), 0))",
        (review.question_id, review.reviewed_at.isoformat(), review.utc_offset,
         review.study_day.isoformat(), review.quality, review.kind, review.answer,
         review.duration_ms, state.repetitions if state else None,
         state.interval if state else None, _ef_hundredths(state.efactor) if state else None,
         state.due.isoformat() if state else None, review.fingerprint, review.seed,
         json.dumps(review.values, ensure_ascii=False) if review.values is not None else None,
         review.session, state.stability if state else None,
         state.difficulty if state else None,
         review.cap_day.isoformat() if review.cap_day else None, review.question_id))
    return cursor.lastrowid


def _apply_to_card(conn: sqlite3.Connection, review: Review) -> None:
    state = review.state
    day = review.study_day.isoformat()
    conn.execute(
        "INSERT INTO cards (question_id, repetitions, interval, ef, due, fingerprint, first_day, "
        "last_day, lapses, reviews, buried_until, retired, stability, difficulty) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, 0, ?, ?) "
        "ON CONFLICT (question_id) DO UPDATE SET repetitions = excluded.repetitions, "
        "interval = excluded.interval, ef = excluded.ef, due = excluded.due, "
        "stability = excluded.stability, difficulty = excluded.difficulty, "
        "fingerprint = excluded.fingerprint, first_day = coalesce(cards.first_day, "
        "excluded.first_day), last_day = excluded.last_day, "
        "lapses = cards.lapses + excluded.lapses, reviews = cards.reviews + 1, "
        "buried_until = NULL",
        (review.question_id, state.repetitions, state.interval, _ef_hundredths(state.efactor),
         state.due.isoformat(), review.fingerprint, day, day,
         int(review.quality < sm2.PASSING), state.stability, state.difficulty))


# "Already scheduled on that day": an answer of the day that moved the card's schedule.
SCHEDULED_ON = ("SELECT 1 FROM reviews WHERE question_id = ? AND study_day = ? AND "
                "repetitions IS NOT NULL LIMIT 1")


def _scheduled_on(conn: sqlite3.Connection, question_id: str, day: str) -> bool:
    return conn.execute(SCHEDULED_ON, (question_id, day)).fetchone() is not None


def _interview(conn: sqlite3.Connection, path: str) -> date | None:
    row = conn.execute("SELECT value FROM settings WHERE key = 'interview'").fetchone()
    return parse_interview(row[0] if row else None, path)


def parse_interview(value: object, path: str) -> date | None:
    """The stored interview date (None if unset); a StoreError if it is not a date."""
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not INTERVIEW_RANGE[0] <= day <= INTERVIEW_RANGE[1]:
        raise StoreError(f"the database {path} holds the interview date {value!r}, which is "
                         "not a date from 2000 to 2999; set it again with quiz plan "
                         "--interview YYYY-MM-DD, or quiz plan --clear")
    return day


def _promote_repeat(conn: sqlite3.Connection, question_id: str, day: str,
                    interview: date | None, scheduler: schedulers.Scheduler) -> None:
    """After the day's scheduled answer is undone, let that day's first repeat schedule.

    Another session's grade of the same card on the same day was logged as a repeat only
    because the undone answer came first; without it, that grade is the day's review.
    """
    if _scheduled_on(conn, question_id, day):
        return
    first = conn.execute("SELECT id, quality FROM reviews WHERE question_id = ? AND "
                         "study_day = ? AND kind = 'repeat' ORDER BY id LIMIT 1",
                         (question_id, day)).fetchone()
    if first is None:
        return
    row_id, quality = first[0], whole(first[1], 0, 5)
    before = _replay(conn.execute(
        f"SELECT {REPLAY_COLUMNS} FROM reviews WHERE question_id = ? AND "
        "repetitions IS NOT NULL AND id < ? ORDER BY id", (question_id, row_id)).fetchall(),
        scheduler)[0]
    from quiz.plan import latest_due

    cap_day = latest_due(question_id, stored_day(day), interview)
    state = replay.cap(scheduler.next_state(before, quality, stored_day(day)), stored_day(day),
                       cap_day)
    conn.execute("UPDATE reviews SET kind = 'review', repetitions = ?, interval = ?, ef = ?, "
                 "due = ?, stability = ?, difficulty = ?, cap_day = ? WHERE id = ?",
                 (state.repetitions, state.interval, _ef_hundredths(state.efactor),
                  state.due.isoformat(), state.stability, state.difficulty,
                  cap_day.isoformat() if cap_day else None, row_id))


REPLAY_COLUMNS = ("quality, study_day, fingerprint, cap_day, session, repetitions, interval, ef, "
                  "due, stability, difficulty")


def _replayed(row: tuple[Any, ...]) -> replay.Answer:
    """One scheduled answer of the log (a row of REPLAY_COLUMNS) as the replay takes it."""
    quality, day, _fp, cap, session, repetitions, interval, ef, due, stability, difficulty = row
    kept = None
    if session in IMPORTED_SESSIONS:  # another tool's schedule: taken as it was
        kept = CardState(whole(repetitions, 0, COUNT_MAX), whole(interval, 0, sm2.MAX_INTERVAL),
                         Fraction(whole(ef, *EF_RANGE), 100), stored_day(due),
                         stability=stability, difficulty=difficulty)
    return replay.Answer(whole(quality, 0, 5), stored_day(day), _day(cap), kept)


def _replay(rows: list[tuple[Any, ...]], scheduler: schedulers.Scheduler
            ) -> tuple[CardState | None, str | None, str | None, str, int]:
    """(state, first day, last day, fingerprint, lapses) after the scheduled `rows`
    (of REPLAY_COLUMNS), replayed through `scheduler`."""
    state = replay.final_state((_replayed(row) for row in rows), scheduler)
    first, last, fingerprint, lapses = None, None, "", 0
    for quality, day, fp, *_rest in rows:
        first = first or day
        last, fingerprint = day, fp
        lapses += quality < sm2.PASSING
    return state, first, last, fingerprint, lapses


def _rebuild_card(conn: sqlite3.Connection, question_id: str,
                  scheduler: schedulers.Scheduler) -> None:
    """Replay one question's log into its card row (kept if it only holds a bury)."""
    rows = conn.execute(
        f"SELECT {REPLAY_COLUMNS} FROM reviews WHERE question_id = ? AND "
        "repetitions IS NOT NULL ORDER BY id", (question_id,)).fetchall()
    state, first, last, fingerprint, lapses = _replay(rows, scheduler)
    if state is None:  # no scheduled review left: only a bury can keep the row
        conn.execute("DELETE FROM cards WHERE question_id = ? AND buried_until IS NULL",
                     (question_id,))
        conn.execute("UPDATE cards SET repetitions = NULL, interval = NULL, ef = NULL, "
                     "due = NULL, stability = NULL, difficulty = NULL, first_day = NULL, "
                     "last_day = NULL, lapses = 0, reviews = 0 "
                     "WHERE question_id = ?", (question_id,))
        return
    conn.execute(
        "INSERT INTO cards (question_id, repetitions, interval, ef, due, fingerprint, first_day, "
        "last_day, lapses, reviews, stability, difficulty) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (question_id) DO UPDATE SET repetitions = excluded.repetitions, "
        "interval = excluded.interval, ef = excluded.ef, due = excluded.due, "
        "fingerprint = excluded.fingerprint, first_day = excluded.first_day, "
        "last_day = excluded.last_day, lapses = excluded.lapses, reviews = excluded.reviews, "
        "stability = excluded.stability, difficulty = excluded.difficulty",
        (question_id, state.repetitions, state.interval, _ef_hundredths(state.efactor),
         state.due.isoformat(), fingerprint, first, last, lapses, len(rows), state.stability,
         state.difficulty))
