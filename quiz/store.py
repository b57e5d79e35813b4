"""The SQLite store: an append-only review log (the truth) and card states derived from it.

sqlite-utils builds and migrates the schema; it is imported only when the schema needs
work, because importing it costs more than a whole `quiz stats` may take. Everyday reads
and the append path use the same connection through the standard library.
"""

from __future__ import annotations

import json
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

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 10_000


def _migrate_to_1(db: Any) -> None:
    db["reviews"].create({
        "id": int, "question_id": str, "reviewed_at": str, "utc_offset": int,
        "study_day": str, "quality": int, "kind": str, "answer": str, "duration_ms": int,
        "repetitions": int, "interval": int, "ef": int, "due": str, "fingerprint": str,
        "seed": int, "params": str, "session": str,
    }, pk="id", not_null={"question_id", "reviewed_at", "study_day", "quality", "kind"})
    db["cards"].create({
        "question_id": str, "repetitions": int, "interval": int, "ef": int, "due": str,
        "fingerprint": str, "first_day": str, "last_day": str, "lapses": int, "reviews": int,
        "buried_until": str, "retired": int,
    }, pk="question_id", defaults={"lapses": 0, "reviews": 0, "retired": 0})
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["reviews"].create_index(["question_id", "id"])
    db["reviews"].create_index(["study_day"])
    db["reviews"].create_index(["kind", "study_day"])
    db["cards"].create_index(["due"])


def _migrate_to_2(db: Any) -> None:
    # The card's interval when each answer was given (Anki's lastIvl): `quiz stats` splits
    # retention into young and mature cards by it. NULL for answers logged before schema 2,
    # for which stats.py looks the previous state up in the log instead.
    db.execute("ALTER TABLE reviews ADD COLUMN last_interval INTEGER")
    # `quiz stats --topic`: a topic's study days from the index alone.
    db["reviews"].create_index(["question_id", "study_day", "kind"])


def _migrate_to_3(db: Any) -> None:
    # The parsed bank (see bank_cache.py): one row per question in bank order, the columns
    # that queues and filters need, and the whole question as JSON for when it is asked.
    db["bank_questions"].create({
        "pos": int, "id": str, "topic": str, "type": str, "tags": str, "data": str,
    }, pk="pos", not_null={"id", "topic", "type", "tags", "data"})
    db["bank_questions"].create_index(["id"], unique=True)


def _migrate_to_4(db: Any) -> None:
    # FSRS's memory state beside SM-2's (NULL under SM-2), and the interview plan's cap of
    # each answer written down, so that any scheduler replaying the log applies it.
    for table in ("cards", "reviews"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN stability REAL")
        db.execute(f"ALTER TABLE {table} ADD COLUMN difficulty REAL")
    db.execute("ALTER TABLE reviews ADD COLUMN cap_day TEXT")
    # Before schema 4 a capped answer showed only as a stored due before SM-2's own.
    rows = db.execute("SELECT id, question_id, quality, study_day, due FROM reviews WHERE "
                      "repetitions IS NOT NULL ORDER BY question_id, id").fetchall()
    state, current = None, None
    for row_id, question_id, quality, day, due in rows:
        if question_id != current:
            state, current = None, question_id
        try:
            day, stored = date.fromisoformat(day), date.fromisoformat(due)
            state = sm2.next_state(state, quality, day)
        except (TypeError, ValueError):  # a tampered row: the checked reads will name it
            continue
        if stored < state.due:
            db.execute("UPDATE reviews SET cap_day = ? WHERE id = ?", (due, row_id))
            state = replay.cap(state, day, stored)


MIGRATIONS = {1: _migrate_to_1, 2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4}


class Store:
    """An open quiz database."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the database at `path`; ":memory:" for a throwaway one."""
        name = str(path)
        if name != ":memory:":
            target = Path(name)
            if target.is_dir():
                raise StoreError(f"the database path {name} is a folder, not a file")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for {name}: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {name}: {exc}") from None
        store = cls(conn, name)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot use the database {name}: {exc}") from None
        return store

    def _prepare(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
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

    def query(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only SQL query (for stats and export aggregates)."""
        try:
            cursor = self.conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None

    # -- settings ------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

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
            sql += " WHERE retired = 0 AND (due <= ? OR buried_until IS NOT NULL)"
            params.append(due_by.isoformat())
        return {row["question_id"]: _card(row) for row in self.query(sql, params)}

    def started(self) -> set[str]:
        """The ids of every card with a review that moved its schedule."""
        return {row[0] for row in self.query(
            "SELECT question_id FROM cards WHERE repetitions IS NOT NULL")}

    def card(self, question_id: str) -> Card | None:
        """One card, or None if never reviewed nor buried."""
        rows = self.query("SELECT * FROM cards WHERE question_id = ?", (question_id,))
        return _card(rows[0]) if rows else None

    def sync_retired(self, bank_ids: Iterable[str]) -> None:
        """Mark cards whose question left the bank as retired (history kept), others not."""
        ids = json.dumps(sorted(set(bank_ids)))
        with self.transaction() as conn:
            conn.execute("UPDATE cards SET retired = (question_id NOT IN "
                         "(SELECT value FROM json_each(?))) WHERE retired != (question_id NOT IN "
                         "(SELECT value FROM json_each(?)))", (ids, ids))

    def bury(self, question_id: str, until: date) -> None:
        """Hide a card until the study day `until`."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO cards (question_id, buried_until) VALUES (?, ?) "
                         "ON CONFLICT (question_id) DO UPDATE SET buried_until = excluded."
                         "buried_until", (question_id, until.isoformat()))

    def new_introduced(self, day: date) -> int:
        """How many cards had their first review on study day `day`."""
        return self.query("SELECT count(*) FROM cards WHERE first_day = ?",
                          (day.isoformat(),))[0][0]

    # -- the review log ------------------------------------------------------------------

    def record(self, review: Review) -> int:
        """Append one answer and update its card, committed before returning; the row id."""
        with self.transaction() as conn:
            row_id = _insert_review(conn, review)
            if review.state is not None:
                _apply_to_card(conn, review)
        return row_id

    def record_scheduled(self, review: Review,
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
            already = conn.execute(
                "SELECT 1 FROM reviews WHERE question_id = ? AND study_day = ? AND "
                "repetitions IS NOT NULL LIMIT 1",
                (review.question_id, review.study_day.isoformat())).fetchone() is not None
            final = decide(_state(row) if row is not None else None, already)
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
            _rebuild_card(conn, row["question_id"], _scheduler(conn, self.path))
        return _review(row)

    def reviews(self, question_id: str | None = None) -> list[Review]:
        """The log in order (all of it, or one question's)."""
        if question_id is None:
            rows = self.query("SELECT * FROM reviews ORDER BY id")
        else:
            rows = self.query("SELECT * FROM reviews WHERE question_id = ? ORDER BY id",
                              (question_id,))
        return [_review(row) for row in rows]

    def scheduled_on(self, question_id: str, day: date) -> bool:
        """Whether an answer on study day `day` already moved the card's schedule."""
        return bool(self.query("SELECT 1 FROM reviews WHERE question_id = ? AND study_day = ? "
                               "AND repetitions IS NOT NULL LIMIT 1",
                               (question_id, day.isoformat())))

    def relearning(self, day: date) -> list[str]:
        """Cards whose latest answer on study day `day` was graded below 4 (asked again)."""
        rows = self.query(
            "SELECT question_id, quality FROM reviews WHERE id IN (SELECT max(id) FROM reviews "
            "WHERE study_day = ? AND kind IN ('review', 'repeat', 'mock') GROUP BY question_id)",
            (day.isoformat(),))
        return [r["question_id"] for r in rows if r["quality"] < sm2.GOOD_ENOUGH]

    def rebuild_cards(self) -> None:
        """Re-derive every card's state by replaying the log (buries are kept)."""
        with self.transaction() as conn:
            scheduler = _scheduler(conn, self.path)
            ids = [r[0] for r in conn.execute("SELECT DISTINCT question_id FROM reviews")]
            for question_id in ids:
                _rebuild_card(conn, question_id, scheduler)

    def scheduled_answers(self) -> dict[str, list[replay.Answer]]:
        """Every question's answers that moved its schedule, in order (for the comparison)."""
        found: dict[str, list[replay.Answer]] = {}
        for row in self.query("SELECT question_id, quality, study_day, cap_day FROM reviews "
                              "WHERE repetitions IS NOT NULL ORDER BY id"):
            found.setdefault(row[0], []).append(
                replay.Answer(row[1], date.fromisoformat(row[2]), _day(row[3])))
        return found


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


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


def _state(row: sqlite3.Row) -> CardState | None:
    if row["repetitions"] is None:
        return None
    return CardState(repetitions=row["repetitions"], interval=row["interval"],
                     efactor=Fraction(row["ef"], 100), due=date.fromisoformat(row["due"]),
                     stability=row["stability"], difficulty=row["difficulty"])


def _card(row: sqlite3.Row) -> Card:
    return Card(question_id=row["question_id"], state=_state(row),
                fingerprint=row["fingerprint"] or "", first_day=_day(row["first_day"]),
                last_day=_day(row["last_day"]), lapses=row["lapses"] or 0,
                reviews=row["reviews"] or 0, buried_until=_day(row["buried_until"]),
                retired=bool(row["retired"]))


def _review(row: sqlite3.Row) -> Review:
    return Review(
        question_id=row["question_id"], reviewed_at=datetime.fromisoformat(row["reviewed_at"]),
        utc_offset=row["utc_offset"], study_day=date.fromisoformat(row["study_day"]),
        quality=row["quality"], state=_state(row), kind=row["kind"], answer=row["answer"],
        duration_ms=row["duration_ms"] or 0, fingerprint=row["fingerprint"] or "",
        seed=row["seed"], values=json.loads(row["params"]) if row["params"] else None,
        session=row["session"], cap_day=_day(row["cap_day"]))


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


def _rebuild_card(conn: sqlite3.Connection, question_id: str,
                  scheduler: schedulers.Scheduler) -> None:
    """Replay one question's log into its card row (kept if it only holds a bury)."""
    rows = conn.execute(
        "SELECT quality, study_day, fingerprint, cap_day FROM reviews WHERE question_id = ? AND "
        "repetitions IS NOT NULL ORDER BY id", (question_id,)).fetchall()
    state = replay.final_state((replay.Answer(quality, date.fromisoformat(day), _day(cap))
                                for quality, day, _fp, cap in rows), scheduler)
    first, last, fingerprint, lapses = None, None, "", 0
    for quality, day, fp, _cap in rows:
        first = first or day
        last, fingerprint = day, fp
        lapses += quality < sm2.PASSING
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
