"""The database's schema: the migrations that build it, and what each stored value may be.

The tables, as the migrations leave them (schema 6):

- `reviews` — the append-only log, the truth: one row per answer (`kind` review, repeat,
  practice or mock), with the state it produced (SM-2's repetitions, interval, ef in
  hundredths and due; FSRS's stability and difficulty), the interview plan's `cap_day`, the
  question's fingerprint, a numeric exercise's seed and params, and the typed answer.
- `cards` — one row per question ever started or buried: its state derived from the log
  (`replay.py`), first and last study day, lapses, reviews, `buried_until`, `retired`,
  `suspended`, `leech`.
- `bank_questions` — the parsed bank (`bank/cache.py`) in bank order: id, topic, type, tags and
  the whole question as JSON. A cache: it can be dropped and rebuilt from the YAML files.
- `events` — the card-state events, logged like answers so that they travel with them: `undo`
  (`target` the undone answer's global id, `data` the answer itself as JSON), `bury`
  (`value` the day it is hidden until), `suspend`, `unsuspend`, `reset`, and `setting`
  (`target` the key, `value` the value, NULL when cleared; last writer wins by `at`).
- `settings` — key/value text: the interview date, the scheduler, the bank cache's stamp,
  this device's id (`device_id`) and last sequence number (`device_seq`).
- `review_days` — an aggregate of `reviews`: one row per (study day, kind) with answers, and
  how many (`n`). Triggers on `reviews` keep it in the writing transaction, whatever writes
  the log; `Store.rebuild_cards` recomputes it from scratch. The heatmap and the streaks
  read it instead of the log.

Every row of `reviews` and `events` has a global id, (`device`, `seq`): the device that wrote
it (a random id made once, kept in `settings`) and that device's sequence number, one counter
for both tables. Sync (`sync.py`) exchanges rows by it: a row is inserted only when its global
id is new. An undone answer leaves `reviews` (every reader of the log stays right without a
filter) and lives on in its undo event; an answer arriving for an undo already known is not
inserted. A card is derived from its answers and events in UTC time order (`replay.derive`):
which answer of a study day schedules, the lapses, the leech tag, suspension and burial.

A migration gets a sqlite-utils `Database` (store.py imports sqlite-utils only to migrate).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from quiz import replay, sm2

SCHEMA_VERSION = 6


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
    # for which stats/figures.py looks the previous state up in the log instead.
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


def _count_day(row: str, change: str) -> str:
    """SQL adding `change` (+1 or -1) to the (study day, kind) of `row` (NEW or OLD)."""
    if change == "+1":
        return (f"INSERT INTO review_days VALUES ({row}.study_day, {row}.kind, 1) "
                "ON CONFLICT DO UPDATE SET n = n + 1;")
    key = f"study_day = {row}.study_day AND kind = {row}.kind"
    return (f"UPDATE review_days SET n = n - 1 WHERE {key}; "
            f"DELETE FROM review_days WHERE n < 1 AND {key};")


# review_days from scratch (Store.rebuild_cards and the migration).
REVIEW_DAYS_FROM_LOG = ("INSERT INTO review_days SELECT study_day, kind, count(*) FROM reviews "
                        "GROUP BY study_day, kind")


def _migrate_to_5(db: Any) -> None:
    # `quiz stats` in constant time at any log size (issue 17): the per-day aggregate, a
    # covering index for retention, one for the bank's ids and topics, one for live cards.
    # (Kept short: the whole schema must fit in the file's first page, so that a database
    # with damaged pages still opens and names the damage where it is read. IF NOT EXISTS:
    # a database taken back to an older version by hand may still hold them.)
    db.execute("CREATE TABLE IF NOT EXISTS review_days (study_day TEXT NOT NULL, "
               "kind TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (study_day, kind)) "
               "WITHOUT ROWID")
    db.execute("CREATE TRIGGER IF NOT EXISTS days_ins AFTER INSERT ON reviews "
               f"BEGIN {_count_day('NEW', '+1')} END")
    db.execute("CREATE TRIGGER IF NOT EXISTS days_del AFTER DELETE ON reviews "
               f"BEGIN {_count_day('OLD', '-1')} END")
    db.execute("CREATE TRIGGER IF NOT EXISTS days_upd AFTER UPDATE OF study_day, "
               f"kind ON reviews BEGIN {_count_day('OLD', '-1')} {_count_day('NEW', '+1')} END")
    db.execute("DELETE FROM review_days")
    db.execute(REVIEW_DAYS_FROM_LOG)
    # Retention's rows from the index alone; it serves every use of (kind, study_day) too.
    db.execute("DROP INDEX IF EXISTS idx_reviews_kind_study_day")
    db.execute("CREATE INDEX IF NOT EXISTS reviews_retention ON reviews "
               "(kind, study_day, question_id, quality, last_interval)")
    db.execute("CREATE INDEX IF NOT EXISTS bank_topics ON bank_questions (id, topic)")
    # the live cards without a pass over the retired ones
    db.execute("CREATE INDEX IF NOT EXISTS cards_retired ON cards (retired)")


def _migrate_to_6(db: Any) -> None:
    # Global ids for sync (issue 16) (see the module docstring): the rows so far are this device's.
    import secrets

    device = secrets.token_hex(8)
    db.execute("ALTER TABLE reviews ADD COLUMN device TEXT")
    db.execute("ALTER TABLE reviews ADD COLUMN seq INTEGER")
    db.execute("UPDATE reviews SET device = ?, seq = id", (device,))
    # Plain SQL and short names: the whole schema must fit in the file's first page (see
    # migration 5).
    db.execute("CREATE UNIQUE INDEX reviews_gid ON reviews (device, seq)")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER "
               "NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, question_id TEXT, target TEXT, "
               "value TEXT, data TEXT)")
    db.execute("CREATE UNIQUE INDEX events_gid ON events (device, seq)")
    db.execute("CREATE INDEX events_card ON events (question_id)")
    db.execute("CREATE INDEX events_target ON events (target)")
    db.execute("ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE cards ADD COLUMN leech INTEGER NOT NULL DEFAULT 0")
    seq = db.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
    # A bury and the interview date so far become events, so that they travel too; a bury
    # is always "until the next day", the interview date older than any change to come.
    for question_id, until in db.execute("SELECT question_id, buried_until FROM cards WHERE "
                                         "buried_until IS NOT NULL").fetchall():
        seq += 1
        at = f"{until}T00:00:00+00:00" if isinstance(until, str) else "1970-01-01T00:00:00+00:00"
        db.execute("INSERT INTO events (device, seq, at, kind, question_id, value) "
                   "VALUES (?, ?, ?, 'bury', ?, ?)", (device, seq, at, question_id, until))
    interview = db.execute("SELECT value FROM settings WHERE key = 'interview'").fetchone()
    if interview is not None:
        seq += 1
        db.execute("INSERT INTO events (device, seq, at, kind, target, value) VALUES "
                   "(?, ?, '1970-01-01T00:00:00+00:00', 'setting', 'interview', ?)",
                   (device, seq, interview[0]))
    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('device_id', ?), "
               "('device_seq', ?)", (device, str(seq)))


MIGRATIONS = {1: _migrate_to_1, 2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4,
              5: _migrate_to_5, 6: _migrate_to_6}
EVENT_KINDS = ("undo", "bury", "suspend", "unsuspend", "reset", "setting")
CARD_EVENT_KINDS = ("bury", "suspend", "unsuspend", "reset")  # those the card derives from
SYNCED_SETTINGS = ("interview",)  # the settings that travel (others are this device's)
DEVICE_PATTERN = "[0-9a-f]" * 16  # a device id as migration 6 makes it (a GLOB)

# What each stored value may be, as SQL conditions on a row (true when the value is fine),
# with the words for a message. The decoders below check the same bounds in Python as they
# read; `Store.problems` runs these over whole tables to say exactly which value is bad.
EF_RANGE = (int(sm2.MIN_EF * 100), 1_000_000)  # hundredths; +0.10 a perfect review at most
COUNT_MAX = 10_000_000
STABILITY_MAX = 1e7  # days; py-fsrs does not bound it, 36,500-day intervals need ~36,500


def sql_day(column: str) -> str:
    return (f"(typeof({column}) = 'text' AND {column} GLOB "
            f"'[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND date({column}, '+0 days') = {column})")


def _sql_int(column: str, low: int, high: int) -> str:
    return f"(typeof({column}) = 'integer' AND {column} BETWEEN {low} AND {high})"


def _nullable(rule: str, column: str) -> str:
    return f"({column} IS NULL OR {rule})"


_DAY, _COUNT = "a date YYYY-MM-DD from 1000 to 2999", f"a whole number from 0 to {COUNT_MAX}"
_STATE_RULES = [  # both tables keep an SM-2 state: all four values, or none of them
    ("repetitions", _nullable(_sql_int("repetitions", 0, COUNT_MAX), "repetitions"), _COUNT),
    ("interval", "(repetitions IS NULL AND interval IS NULL OR "
                 f"{_sql_int('interval', 0, sm2.MAX_INTERVAL)})",
     f"a whole number of days from 0 to {sm2.MAX_INTERVAL} (with repetitions)"),
    ("ef", f"(repetitions IS NULL AND ef IS NULL OR {_sql_int('ef', *EF_RANGE)})",
     f"an E-Factor in hundredths from {EF_RANGE[0]} to {EF_RANGE[1]} (with repetitions)"),
    ("due", f"(repetitions IS NULL AND due IS NULL OR {sql_day('due')})",
     f"{_DAY} (with repetitions)"),
]
_FSRS_RULES = [  # FSRS's memory state (NULL under SM-2)
    ("stability", "(stability IS NULL OR typeof(stability) IN ('real', 'integer') AND "
                  f"stability > 0 AND stability <= {STABILITY_MAX})",
     f"FSRS stability, a number of days above 0 up to {STABILITY_MAX}"),
    ("difficulty", "(difficulty IS NULL OR typeof(difficulty) IN ('real', 'integer') AND "
                   "difficulty BETWEEN 1 AND 10)", "FSRS difficulty, a number from 1 to 10"),
]
_TEXT = "(typeof({0}) = 'text' AND {0} != '')"
_AT = ("(typeof({0}) = 'text' AND {0} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T*' AND "
       "julianday({0}) IS NOT NULL AND date(substr({0}, 1, 10), '+0 days') = substr({0}, 1, 10))")
COLUMN_RULES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    # table: (the column naming a row, [(column, rule, what it must be)])
    "cards": ("question_id", [
        ("question_id", _TEXT.format("question_id"), "a question id"),
        *_STATE_RULES,
        ("fingerprint", "(fingerprint IS NULL OR typeof(fingerprint) = 'text')", "text"),
        ("first_day", _nullable(sql_day("first_day"), "first_day"), _DAY),
        ("last_day", _nullable(sql_day("last_day"), "last_day"), _DAY),
        ("lapses", _nullable(_sql_int("lapses", 0, COUNT_MAX), "lapses"), _COUNT),
        ("reviews", _nullable(_sql_int("reviews", 0, COUNT_MAX), "reviews"), _COUNT),
        ("buried_until", _nullable(sql_day("buried_until"), "buried_until"), _DAY),
        ("retired", _nullable(_sql_int("retired", 0, 1), "retired"), "0 or 1"),
        *_FSRS_RULES,
        ("suspended", _sql_int("suspended", 0, 1), "0 or 1"),
        ("leech", _sql_int("leech", 0, 1), "0 or 1"),
    ]),
    "reviews": ("id", [
        ("question_id", _TEXT.format("question_id"), "a question id"),
        ("reviewed_at", _AT.format("reviewed_at"), "a time YYYY-MM-DDTHH:MM:SS+HH:MM"),
        ("utc_offset", _nullable(_sql_int("utc_offset", -1439, 1439), "utc_offset"),
         "minutes from -1439 to 1439"),
        ("study_day", sql_day("study_day"), _DAY),
        ("quality", _sql_int("quality", 0, 5), "a grade from 0 to 5"),
        ("kind", "kind IN ('review', 'repeat', 'practice', 'mock')",
         "review, repeat, practice or mock"),
        ("answer", "(answer IS NULL OR typeof(answer) = 'text')", "text"),
        ("duration_ms", _nullable(_sql_int("duration_ms", 0, 2**53), "duration_ms"),
         "a whole number of milliseconds"),
        *_STATE_RULES,
        ("fingerprint", "(fingerprint IS NULL OR typeof(fingerprint) = 'text')", "text"),
        ("seed", _nullable(_sql_int("seed", -2**63, 2**63 - 1), "seed"), "a whole number"),
        ("params", "(params IS NULL OR CASE WHEN typeof(params) = 'text' AND json_valid(params) "
                   "THEN json_type(params) = 'object' ELSE 0 END)", "a JSON object"),
        ("session", "(session IS NULL OR typeof(session) = 'text')", "text"),
        ("last_interval", _nullable(_sql_int("last_interval", 0, sm2.MAX_INTERVAL),
                                    "last_interval"), "a whole number of days"),
        *_FSRS_RULES,
        ("cap_day", _nullable(sql_day("cap_day"), "cap_day"), _DAY),
        ("device", _nullable(_TEXT.format("device"), "device"), "a device id"),
        ("seq", _nullable(_sql_int("seq", 1, 2**62), "seq"), "a sequence number from 1"),
    ]),
    "events": ("id", [
        ("device", _TEXT.format("device"), "a device id"),
        ("seq", _sql_int("seq", 1, 2**62), "a sequence number from 1"),
        ("at", _AT.format("at"), "a time YYYY-MM-DDTHH:MM:SS+HH:MM"),
        ("kind", "kind IN ('undo', 'bury', 'suspend', 'unsuspend', 'reset', 'setting')",
         "undo, bury, suspend, unsuspend, reset or setting"),
        ("question_id", "(question_id IS NULL OR typeof(question_id) = 'text')", "a question id"),
        ("target", "(target IS NULL OR typeof(target) = 'text')", "text"),
        ("value", "(value IS NULL OR typeof(value) = 'text')", "text"),
        ("data", "(data IS NULL OR typeof(data) = 'text')", "text"),
    ]),
    "settings": ("key", [
        ("key", _TEXT.format("key"), "a setting's name"),
        ("value", "(typeof(value) = 'text')", "text"),
    ]),
    "review_days": ("study_day", [
        ("study_day", sql_day("study_day"), _DAY),
        ("n", _sql_int("n", 1, 2**53), "a whole number of answers from 1"),
    ]),
}
