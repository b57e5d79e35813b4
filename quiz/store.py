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
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from quiz import replay, schedulers, sm2
from quiz.errors import StoreError
from quiz.model import Card, CardState, Review
from quiz.plan import INTERVIEW_RANGE
from quiz.schema import (
    CARD_EVENT_KINDS,
    COLUMN_RULES,
    COUNT_MAX,
    EF_RANGE,
    MIGRATIONS,
    REVIEW_DAYS_FROM_LOG,
    SCHEMA_VERSION,
    STABILITY_MAX,
    SYNCED_SETTINGS,
    sql_day,
)

# Answers imported with their schedule (anki_import.py): a replay keeps their stored state.
IMPORTED_SESSIONS = ("import:anki",)
BUSY_TIMEOUT_MS = 10_000
EPOCH = "1970-01-01T00:00:00+00:00"  # a setting's time when none is given: any later one wins


class Store:
    """An open quiz database."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._identity: tuple[int, int] | None = None  # the file opened (set once made)
        self.created = False  # whether `open` made the file (the CLI then says where)
        # the lapses that make a card a leech (config.leech_threshold sets it when opening)
        self.leech_threshold = replay.LEECH_THRESHOLD

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

    def set_setting(self, key: str, value: str | None, at: datetime | None = None) -> None:
        """Store (or with None, remove) a setting. One that travels (the interview date, a
        mock's plan) is logged as a `setting` event at `at` too: the last writer wins."""
        with self.transaction() as conn:
            if _synced_setting(key):
                _insert_event(conn, "setting", at.isoformat() if at else EPOCH, target=key,
                              value=value)
            put_setting(conn, key, value)

    def device_id(self) -> str:
        """This database's device id (made by migration 6, or when first asked)."""
        known = self.setting("device_id")
        if isinstance(known, str) and known:
            return known  # the everyday case: no write lock taken
        with self.transaction() as conn:
            return _device(conn)

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
            interview = _interview(conn, self.path)
            with self.reading("reviews", "events"):
                for question_id in _logged_ids(conn):
                    _rebuild_card(conn, question_id, wanted, interview, self.leech_threshold)
        return True

    # -- cards ---------------------------------------------------------------------------

    def cards(self, ids: Iterable[str] | None = None, *,
              due_by: date | None = None) -> dict[str, Card]:
        """The cards the store knows, keyed by question id: all, those of `ids`, or (with
        `due_by`) the live ones due by that day plus every buried or suspended one."""
        sql, params = "SELECT * FROM cards", []
        if ids is not None:
            sql += " WHERE question_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(ids)))
        elif due_by is not None:
            # and those whose due day is no day at all: the decoder then says which
            sql += (" WHERE retired = 0 AND (due <= ? OR buried_until IS NOT NULL OR "
                    f"suspended = 1 OR NOT coalesce({sql_day('due')}, repetitions IS NULL))")
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

    def bury(self, question_id: str, until: date, at: datetime | None = None) -> None:
        """Hide a card until the study day `until` (logged as a bury event at `at`)."""
        self.card_events("bury", [question_id], at=at, value=until.isoformat())

    def card_events(self, kind: str, question_ids: Iterable[str], at: datetime | None = None,
                    value: str | None = None) -> list[Card]:
        """Log a card event (`bury` with `value` the day, `suspend`, `unsuspend`, `reset`) for
        each of `question_ids` at the time `at` and derive the cards again; the cards as
        they are then (reset: new again, its history kept). Without `at`, the event comes
        just after the card's last logged row (a test's or a script's time)."""
        if kind not in CARD_EVENT_KINDS:
            raise ValueError(f"{kind!r} is not a card event")
        with self.transaction() as conn:
            scheduler = _scheduler(conn, self.path)
            interview = _interview(conn, self.path)
            for question_id in dict.fromkeys(question_ids):
                moment = at.isoformat() if at else _after_last(conn, question_id)
                _insert_event(conn, kind, moment, question_id=question_id, value=value)
                with self.reading("reviews", "events"):
                    _rebuild_card(conn, question_id, scheduler, interview,
                                  self.leech_threshold)
        return [card for qid in question_ids if (card := self.card(qid)) is not None]

    def leeches(self) -> set[str]:
        """The ids of the cards tagged leech."""
        return {row[0] for row in self.query("SELECT question_id FROM cards WHERE leech = 1")}

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
            self._update_card(conn, review)
        return row_id

    def _update_card(self, conn: sqlite3.Connection, review: Review) -> None:
        """The card after `review` was appended: the cheap update when it is the card's
        latest entry in time, else the whole replay (a clock set back, a test's times)."""
        if _latest(conn, review):
            if review.state is not None:
                _apply_to_card(conn, review, self.leech_threshold)
        else:
            self._rebuild(conn, [review.question_id])

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
            self._update_card(conn, final)
        return row_id, final

    def last_undoable(self, day: date) -> int | None:
        """The row id of this device's latest answer on study day `day` that moved a card's
        schedule (`quiz undo`'s; one synced from another machine is undone there), or None."""
        rows = self.query("SELECT id FROM reviews WHERE study_day = ? AND repetitions IS NOT NULL "
                          "AND (device IS NULL OR device = ?) ORDER BY julianday(reviewed_at) "
                          "DESC, id DESC LIMIT 1", (day.isoformat(), self.device_id()))
        return rows[0]["id"] if rows else None

    def undo(self, review_id: int, at: datetime | None = None) -> Review | None:
        """Take answer `review_id` back and restore its card; the answer taken back.

        It leaves the log for an undo event naming its global id (and keeping the answer),
        so that the undo travels: a device that has the answer drops it when the event
        arrives, one that has not never inserts it. The day's next answer then schedules.
        """
        with self.transaction() as conn:
            cursor = conn.execute("SELECT * FROM reviews WHERE id = ?", (review_id,))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            if row is None:
                return None
            with self.reading("reviews"):
                undone = _review(row)
            _undo_row(conn, dict(row), at.isoformat() if at else row["reviewed_at"])
            with self.reading("reviews", "events"):
                _rebuild_card(conn, row["question_id"], _scheduler(conn, self.path),
                              _interview(conn, self.path), self.leech_threshold)
            return undone

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
                added += 1
                touched.add(review.question_id)
            self._rebuild(conn, touched)
        return added

    def _rebuild(self, conn: sqlite3.Connection, question_ids: Iterable[str]) -> None:
        """Derive the cards of `question_ids` again from the log (inside a transaction)."""
        scheduler = _scheduler(conn, self.path)
        interview = _interview(conn, self.path)
        with self.reading("reviews", "events"):
            for question_id in question_ids:
                _rebuild_card(conn, question_id, scheduler, interview, self.leech_threshold)

    def rebuild_cards(self) -> None:
        """Re-derive every card's state by replaying the log (buries are kept), and the
        per-day aggregate `review_days` from scratch."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM review_days")
            conn.execute(REVIEW_DAYS_FROM_LOG)
            self._rebuild(conn, _logged_ids(conn))

    # -- sync: this device's rows out, other devices' rows in --------------------------------

    def own_rows(self, after: int) -> list[dict[str, Any]]:
        """This device's answers and events with a sequence number above `after`, in order,
        as plain values (`table` says which); rows that have no global id yet get one."""
        with self.transaction() as conn:
            device = _device(conn)
            for table in ("reviews", "events"):
                for (row_id,) in conn.execute(f"SELECT id FROM {table} WHERE device IS NULL OR "
                                              "seq IS NULL ORDER BY id").fetchall():
                    conn.execute(f"UPDATE {table} SET device = ?, seq = ? WHERE id = ?",
                                 (device, _next_seq(conn), row_id))
            rows = []
            for table, name in (("reviews", "review"), ("events", "event")):
                cursor = conn.execute(f"SELECT * FROM {table} WHERE device = ? AND seq > ?",
                                      (device, after))
                cursor.row_factory = sqlite3.Row
                rows += [{"table": name, **{k: row[k] for k in row.keys() if k != "id"}}
                         for row in cursor]
        return sorted(rows, key=lambda row: row["seq"])

    def merge(self, rows: Iterable[dict[str, Any]]
              ) -> tuple[int, set[str], list[tuple[int, str]]]:
        """Insert the rows (as `own_rows` gives them, from any device) whose global ids are
        new, apply the undo events and settings among them, and derive their cards again,
        all in one transaction; (rows inserted, ids of the cards derived, the rows that are
        not rows of the log as (index, what is wrong), left out)."""
        inserted, touched, keys, bad = 0, set(), set(), []
        with self.transaction() as conn:
            for index, row in enumerate(rows):
                conn.execute("SAVEPOINT merge_row")
                try:
                    added = _merge_row(conn, row)
                except (KeyError, TypeError, ValueError, OverflowError,
                        sqlite3.IntegrityError) as exc:
                    conn.execute("ROLLBACK TO merge_row")
                    conn.execute("RELEASE merge_row")
                    what = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
                    bad.append((index, _clip(what, 120)))
                    continue
                conn.execute("RELEASE merge_row")
                if added is None:
                    continue
                inserted += 1
                if row["table"] == "event" and row["kind"] == "setting":
                    keys.add(row["target"])
                else:
                    touched.add(row["question_id"])
            for key in keys:
                _settle_setting(conn, key)
            self._rebuild(conn, sorted(touched))
        return inserted, touched, bad

    def scheduled_answers(self) -> dict[str, list[replay.Answer]]:
        """Every question's answers that moved its schedule, in order (for the comparison)."""
        found: dict[str, list[replay.Answer]] = {}
        rows = self.query("SELECT question_id, quality, study_day, cap_day FROM reviews "
                          "WHERE repetitions IS NOT NULL ORDER BY id")
        with self.reading("reviews"):
            for row in rows:
                found.setdefault(stored_text(row[0]), []).append(
                    replay.Answer(whole(row[1], 0, 5), stored_day(row[2]), _day(row[3])))
        return found

    def failed_on(self, day: date) -> set[str]:
        """The ids of cards with an answer graded below 3 on study day `day` (any kind)."""
        rows = self.query("SELECT question_id, quality FROM reviews WHERE study_day = ?",
                          (day.isoformat(),))
        with self.reading("reviews"):
            return {stored_text(r[0]) for r in rows if whole(r[1], 0, 5) < sm2.PASSING}


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


def stored_text(value: object, nullable: bool = True) -> str | None:
    """A stored text value (NULL allowed when `nullable`); TypeError for anything else."""
    if (value is not None or not nullable) and type(value) is not str:
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
    return Card(question_id=stored_text(row["question_id"]), state=_state(row),
                fingerprint=stored_text(row["fingerprint"]) or "", first_day=_day(row["first_day"]),
                last_day=_day(row["last_day"]), lapses=whole(row["lapses"] or 0, 0, COUNT_MAX),
                reviews=whole(row["reviews"] or 0, 0, COUNT_MAX),
                buried_until=_day(row["buried_until"]),
                retired=bool(whole(retired, 0, 1) if retired is not None else 0),
                suspended=bool(whole(row["suspended"], 0, 1)),
                leech=bool(whole(row["leech"], 0, 1)))


def _review(row: sqlite3.Row) -> Review:
    values = json.loads(row["params"]) if row["params"] else None
    if values is not None and not isinstance(values, dict):
        raise TypeError(f"params {row['params']!r} is not a JSON object")
    offset = row["utc_offset"]
    reviewed_at = datetime.fromisoformat(stored_text(row["reviewed_at"]) or "")
    kind = row["kind"]
    if kind not in ("review", "repeat", "practice", "mock"):
        raise ValueError(f"{kind!r} is not a kind of answer")
    return Review(
        question_id=stored_text(row["question_id"]), reviewed_at=reviewed_at,
        utc_offset=None if offset is None else whole(offset, -1439, 1439),
        study_day=stored_day(row["study_day"]), quality=whole(row["quality"], 0, 5),
        state=_state(row), kind=kind, answer=stored_text(row["answer"]),
        duration_ms=whole(row["duration_ms"] or 0, 0, 2**53),
        fingerprint=stored_text(row["fingerprint"]) or "",
        seed=None if row["seed"] is None else whole(row["seed"], -2**63, 2**63 - 1),
        values=values, session=stored_text(row["session"]), cap_day=_day(row["cap_day"]))


def _ef_hundredths(ef: Fraction) -> int:
    hundredths = ef * 100
    if hundredths.denominator != 1:
        raise ValueError(f"E-Factor {ef} is not a whole number of hundredths")
    return int(hundredths)


def _insert_review(conn: sqlite3.Connection, review: Review,
                   gid: tuple[str, int] | None = None, last_interval: int | None = None) -> int:
    """Append `review` with its global id (`gid`, else this device's next) and the card's
    interval before it (`last_interval`, else the card's as it is now)."""
    state = review.state
    device, seq = gid or (_device(conn), _next_seq(conn))
    cursor = conn.execute(
        "INSERT INTO reviews (question_id, reviewed_at, utc_offset, study_day, quality, kind, "
        "answer, duration_ms, repetitions, interval, ef, due, fingerprint, seed, params, "
        "session, stability, difficulty, cap_day, device, seq, last_interval) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, "
        # the card's interval before this answer (0 when new): its row is updated after
        "(SELECT interval FROM cards WHERE question_id = ?), 0))",
        (review.question_id, review.reviewed_at.isoformat(), review.utc_offset,
         review.study_day.isoformat(), review.quality, review.kind, review.answer,
         review.duration_ms, state.repetitions if state else None,
         state.interval if state else None, _ef_hundredths(state.efactor) if state else None,
         state.due.isoformat() if state else None, review.fingerprint, review.seed,
         json.dumps(review.values, ensure_ascii=False) if review.values is not None else None,
         review.session, state.stability if state else None,
         state.difficulty if state else None,
         review.cap_day.isoformat() if review.cap_day else None, device, seq, last_interval,
         review.question_id))
    return cursor.lastrowid


# -- global ids and events ----------------------------------------------------------------------


def _device(conn: sqlite3.Connection) -> str:
    """This database's device id (inside a transaction: made here if missing)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'device_id'").fetchone()
    if row is not None and isinstance(row[0], str) and row[0]:
        return row[0]
    import secrets

    device = secrets.token_hex(8)
    put_setting(conn, "device_id", device)
    return device


def _next_seq(conn: sqlite3.Connection) -> int:
    """This device's next sequence number, one counter for answers and events (inside the
    transaction that writes the row, so no two rows share one)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'device_seq'").fetchone()
    try:
        seq = int(row[0]) + 1 if row is not None else 1
    except (TypeError, ValueError):
        seq = 1
    # never below a row this device already wrote (a row of ours brought back by a sync)
    seq = max(seq, _highest_seq(conn) + 1)
    put_setting(conn, "device_seq", str(seq))
    return seq


def _highest_seq(conn: sqlite3.Connection) -> int:
    """The highest sequence number of this device's rows in the log (0 for none)."""
    device = _device(conn)
    return conn.execute(
        "SELECT max(coalesce((SELECT max(seq) FROM reviews WHERE device = ?), 0), "
        "coalesce((SELECT max(seq) FROM events WHERE device = ?), 0))", (device, device)
    ).fetchone()[0]


def put_setting(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Write (None: remove) a setting inside `conn`'s transaction: the one writer of the
    settings table (`Store.set_setting`, the bank cache, sync)."""
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


def _synced_setting(key: str) -> bool:
    """Whether a setting travels with the log (the others belong to this device)."""
    return key in SYNCED_SETTINGS or key.startswith("mock:")


def _insert_event(conn: sqlite3.Connection, kind: str, at: str, *, question_id: str | None = None,
                  target: str | None = None, value: str | None = None, data: str | None = None,
                  gid: tuple[str, int] | None = None) -> None:
    device, seq = gid or (_device(conn), _next_seq(conn))
    conn.execute("INSERT INTO events (device, seq, at, kind, question_id, target, value, data) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (device, seq, at, kind, question_id, target, value, data))


def global_id(device: str, seq: int) -> str:
    """A row's global id as an undo event names it: `device:seq`."""
    return f"{device}:{seq}"


def _undo_row(conn: sqlite3.Connection, row: dict[str, Any], at: str) -> None:
    """Log the undo of answer `row` (a reviews row) and take it out of the log."""
    device, seq = row["device"], row["seq"]
    if device is None or seq is None:  # written without a global id (by hand): give it one
        device, seq = _device(conn), _next_seq(conn)
    kept = {key: value for key, value in row.items() if key != "id"}
    _insert_event(conn, "undo", at, question_id=row["question_id"],
                  target=global_id(device, seq),
                  data=json.dumps({**kept, "device": device, "seq": seq}, ensure_ascii=False))
    conn.execute("DELETE FROM reviews WHERE id = ?", (row["id"],))


def _after_last(conn: sqlite3.Connection, question_id: str) -> str:
    """A time just after the last answer or event of a card (the epoch when it has none)."""
    row = conn.execute(
        "SELECT max(t) FROM (SELECT max(julianday(reviewed_at)) AS t FROM reviews WHERE "
        "question_id = ? UNION ALL SELECT max(julianday(at)) FROM events WHERE "
        "question_id = ?)", (question_id, question_id)).fetchone()
    if row[0] is None:
        return EPOCH
    last = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%f', ?)", (row[0],)).fetchone()[0]
    return (datetime.fromisoformat(last).replace(tzinfo=UTC)
            + timedelta(milliseconds=1)).isoformat()


def _merge_row(conn: sqlite3.Connection, row: dict[str, Any]) -> bool | None:
    """Insert one row from a sync file if its global id is new (True; None when known or
    undone); a KeyError, TypeError or ValueError if it is not a row of the log."""
    device, seq = row["device"], row["seq"]
    if type(device) is not str or not 0 < len(device) <= 64 or not device.isprintable():
        raise ValueError(f"device {_shown(device)} is not a device id")
    whole(seq, 1, 2**62)
    table = row["table"]
    if table == "review":
        if conn.execute("SELECT 1 FROM reviews WHERE device = ? AND seq = ?",
                        (device, seq)).fetchone() or conn.execute(
                "SELECT 1 FROM events WHERE kind = 'undo' AND target = ?",
                (global_id(device, seq),)).fetchone():
            return None
        review = _review(row)  # every value checked, as when reading the log
        if not review.question_id:
            raise ValueError("an answer without a question id")
        if type(row.get("utc_offset")) is not int and row.get("utc_offset") is not None:
            raise TypeError("utc_offset is not a whole number")
        last = row.get("last_interval")
        _insert_review(conn, review, (device, seq),
                       None if last is None else whole(last, 0, sm2.MAX_INTERVAL))
        return True
    if table != "event":
        raise ValueError(f"table {_shown(table)} is neither review nor event")
    if conn.execute("SELECT 1 FROM events WHERE device = ? AND seq = ?",
                    (device, seq)).fetchone():
        return None
    kind, at = row["kind"], stored_text(row["at"])
    _moment(at, device, seq)  # a time, or a ValueError
    question_id, target, value = (stored_text(row.get(k))
                                  for k in ("question_id", "target", "value"))
    data = stored_text(row.get("data"))
    if kind in CARD_EVENT_KINDS or kind == "undo":
        if not question_id:
            raise ValueError(f"a {kind} event without a question id")
        if kind == "bury":
            stored_day(value)
    elif kind == "setting":
        if not target or not _synced_setting(target):
            return None  # a setting that does not travel: never taken from another device
    else:
        raise ValueError(f"{_shown(kind)} is not a kind of event")
    if kind == "undo":
        if not target:
            raise ValueError("an undo event without the answer it undoes")
        owner, _, number = target.rpartition(":")
        conn.execute("DELETE FROM reviews WHERE device = ? AND seq = ?",
                     (owner, int(number) if number.isdigit() else -1))
    _insert_event(conn, kind, at, question_id=question_id, target=target, value=value,
                  data=data, gid=(device, seq))
    return True


def _settle_setting(conn: sqlite3.Connection, key: str) -> None:
    """Give a setting that travels the value of its latest event: the last writer wins."""
    rows = conn.execute("SELECT at, device, seq, value FROM events WHERE kind = 'setting' AND "
                        "target = ?", (key,)).fetchall()
    if rows:
        latest = max(rows, key=lambda r: _moment(r[0], r[1], r[2]))
        put_setting(conn, key, latest[3])


def _logged_ids(conn: sqlite3.Connection) -> list[str]:
    """Every question with an answer or a card event in the log."""
    return [r[0] for r in conn.execute(
        "SELECT question_id FROM reviews UNION SELECT question_id FROM events WHERE "
        f"question_id IS NOT NULL AND kind IN {CARD_EVENT_KINDS!r}")]


# -- the card row: one upsert, fed by one answer or by a whole replay ---------------------------


def _write_card(conn: sqlite3.Connection, question_id: str, card: replay.Derived) -> None:
    """Write the derived `card` into its row; a card with nothing left to say (no schedule,
    not buried, suspended or a leech) has no row."""
    state = card.state
    if (state is None and card.buried_until is None and not card.suspended
            and not card.leech):
        conn.execute("DELETE FROM cards WHERE question_id = ?", (question_id,))
        return
    conn.execute(
        "INSERT INTO cards (question_id, repetitions, interval, ef, due, fingerprint, first_day, "
        "last_day, lapses, reviews, buried_until, stability, difficulty, suspended, leech) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (question_id) DO UPDATE SET repetitions = excluded.repetitions, "
        "interval = excluded.interval, ef = excluded.ef, due = excluded.due, "
        "fingerprint = excluded.fingerprint, first_day = excluded.first_day, "
        "last_day = excluded.last_day, lapses = excluded.lapses, reviews = excluded.reviews, "
        "buried_until = excluded.buried_until, stability = excluded.stability, "
        "difficulty = excluded.difficulty, suspended = excluded.suspended, "
        "leech = excluded.leech",
        (question_id, state.repetitions if state else None, state.interval if state else None,
         _ef_hundredths(state.efactor) if state else None,
         state.due.isoformat() if state else None, card.fingerprint or None,
         _iso(card.first_day), _iso(card.last_day), card.lapses, card.reviews,
         _iso(card.buried_until), state.stability if state else None,
         state.difficulty if state else None, int(card.suspended), int(card.leech)))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# An answer later in time than another has a study day at most this many days before the
# other's: UTC offsets differ by under 48 hours (utc_offset is within ±1439 minutes) and the
# rollover hours of two devices by under 24. `_latest` looks no further back than that, so
# its seek in the (question_id, study_day) index reads a few rows, not the card's history.
LATER_STUDY_DAYS_BACK = 3


def _latest(conn: sqlite3.Connection, review: Review) -> bool:
    """Whether no answer or event of the card is later in time than `review`."""
    at = review.reviewed_at.isoformat()
    since = (review.study_day - timedelta(days=LATER_STUDY_DAYS_BACK)).isoformat()
    return conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM reviews WHERE question_id = ? AND study_day >= ? AND "
        "julianday(reviewed_at) > julianday(?)) AND NOT EXISTS (SELECT 1 FROM events WHERE "
        "question_id = ? AND julianday(at) > julianday(?))",
        (review.question_id, since, at, review.question_id, at)).fetchone()[0] == 1


def _apply_to_card(conn: sqlite3.Connection, review: Review, leech_threshold: int) -> None:
    """Add one scheduled answer, the latest, to its card without replaying the rest: the
    same card `replay.derive` gives (the cheap path of every grade)."""
    cursor = conn.execute("SELECT * FROM cards WHERE question_id = ?", (review.question_id,))
    cursor.row_factory = sqlite3.Row
    row = cursor.fetchone()
    old = _card(row) if row is not None else Card(review.question_id, None)
    lapse = review.quality < sm2.PASSING
    lapses = old.lapses + lapse
    leech = old.leech or (lapse and lapses >= leech_threshold)
    _write_card(conn, review.question_id, replay.Derived(
        review.state, old.first_day or review.study_day, review.study_day, review.fingerprint,
        lapses, old.reviews + 1, None, old.suspended or (leech and not old.leech), leech,
        (True,), (review.state,), (review.cap_day,)))


# "Already scheduled on that day": an answer of the day that moved the card's schedule.
# A reset starts the card over: the answers before it no longer count.
SCHEDULED_ON = ("SELECT 1 FROM reviews WHERE question_id = ? AND study_day = ? AND "
                "repetitions IS NOT NULL AND julianday(reviewed_at) > coalesce((SELECT "
                "max(julianday(at)) FROM events WHERE events.question_id = reviews.question_id "
                "AND kind = 'reset'), 0) LIMIT 1")


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


# A row of the log as the derivation reads it, and the card events.
_ANSWER_COLUMNS = ("id, kind, quality, study_day, fingerprint, cap_day, session, repetitions, "
                   "interval, ef, due, stability, difficulty")


def _logged(row: tuple[Any, ...]) -> replay.Logged:
    """One answer (a row of _ANSWER_COLUMNS) as `replay.derive` takes it."""
    (_id, kind, quality, day, fingerprint, cap, session, repetitions, interval, ef, due,
     stability, difficulty) = row
    kept = None
    if session in IMPORTED_SESSIONS and repetitions is not None:  # another tool's schedule
        kept = CardState(whole(repetitions, 0, COUNT_MAX), whole(interval, 0, sm2.MAX_INTERVAL),
                         Fraction(whole(ef, *EF_RANGE), 100), stored_day(due),
                         stability=stability, difficulty=difficulty)
    if kind not in ("review", "repeat", "practice", "mock"):
        raise ValueError(f"{kind!r} is not a kind of answer")
    return replay.Logged(kind, whole(quality, 0, 5), stored_day(day), repetitions is not None,
                         _day(cap), kept, stored_text(fingerprint) or "")


def _rebuild_card(conn: sqlite3.Connection, question_id: str, scheduler: schedulers.Scheduler,
                  interview: date | None, leech_threshold: int = replay.LEECH_THRESHOLD) -> None:
    """Derive one card again from its answers and events in UTC time order, and write back
    the answers whose part changed: a review that another answer of its day (from another
    device, or one undone) now precedes becomes a repeat, and the other way round."""
    from quiz.plan import latest_due

    answers = conn.execute(f"SELECT {_ANSWER_COLUMNS}, reviewed_at, device, seq FROM reviews "
                           "WHERE question_id = ?", (question_id,)).fetchall()
    events = conn.execute("SELECT kind, value, at, device, seq FROM events WHERE "
                          f"question_id = ? AND kind IN {CARD_EVENT_KINDS!r}",
                          (question_id,)).fetchall()
    timeline: list[tuple[tuple[datetime, str, int], replay.Logged | replay.CardEvent,
                         tuple[Any, ...] | None]] = []
    for row in answers:
        timeline.append((_moment(*row[-3:]), _logged(row[:-3]), row))
    for kind, value, at, device, seq in events:
        until = stored_day(value) if kind == "bury" else None
        timeline.append((_moment(at, device, seq), replay.CardEvent(kind, until), None))
    timeline.sort(key=lambda item: item[0])
    derived = replay.derive((entry for _key, entry, _row in timeline), scheduler,
                            lambda day: latest_due(question_id, day, interview), leech_threshold)
    logged = [(entry, row) for _key, entry, row in timeline if row is not None]
    for (entry, row), schedules, state, cap_day in zip(logged, derived.scheduling,
                                                      derived.states, derived.cap_days,
                                                      strict=True):
        if schedules == entry.scheduled or entry.kind not in ("review", "repeat"):
            continue
        if schedules:
            conn.execute("UPDATE reviews SET kind = 'review', repetitions = ?, interval = ?, "
                         "ef = ?, due = ?, stability = ?, difficulty = ?, cap_day = ? "
                         "WHERE id = ?",
                         (state.repetitions, state.interval, _ef_hundredths(state.efactor),
                          state.due.isoformat(), state.stability, state.difficulty,
                          _iso(cap_day), row[0]))
        else:
            conn.execute("UPDATE reviews SET kind = 'repeat', repetitions = NULL, "
                         "interval = NULL, ef = NULL, due = NULL, stability = NULL, "
                         "difficulty = NULL WHERE id = ?", (row[0],))
    _write_card(conn, question_id, derived)


def _moment(at: object, device: object, seq: object) -> tuple[datetime, str, int]:
    """The sort key of a logged row: its UTC time, then its global id."""
    moment = datetime.fromisoformat(stored_text(at) or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), str(device or ""), seq if type(seq) is int else 0
