"""A database changed by hand: every column of every table set to NULL, a wrong type and an
out-of-range value, then every read command. Each says `Error: …` naming the database and
exits 1, or (for a value it does not read, or may hold) runs as usual: never a traceback.

The tables and columns come from the real schema (`PRAGMA table_info`), so a column added
later is tampered with too. Odd schema versions and odd settings have their own tests.
"""

import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from quiz import config, sm2
from quiz.cli import app
from quiz.model import Review
from quiz.schema import SCHEMA_VERSION
from quiz.store import Store

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 10, 0).astimezone()
READS = [["review", "--lang", "en"], ["list"], ["list", "--due"], ["stats"], ["stats", "--json"],
         ["show", "cnn-conv-output-size"], ["plan"], ["export", "csv", "-"], ["mock", "--history"]]


def answer(qid, quality, day, state=None, kind="review", **extra):
    return Review(question_id=qid, reviewed_at=datetime(day.year, day.month, day.day, 9,
                                                        tzinfo=UTC),
                  utc_offset=480, study_day=day, quality=quality, state=state, kind=kind,
                  answer=f"typed {quality}", duration_ms=9000, fingerprint="f" * 12, **extra)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A database holding some of everything: reviews of each kind, a bury, a mock, a plan,
    the bank cache; checkpointed into one file so that a copy is the whole of it."""
    folder = tmp_path_factory.mktemp("base")
    bank = folder / "bank"
    shutil.copytree(__import__("conftest").DATA / "bank", bank)
    path = folder / "base.db"
    store = Store.open(path)
    state = None
    for offset, quality in [(-12, 4), (-11, 5), (-5, 2), (-4, 4)]:
        day = DAY + timedelta(days=offset)
        state = sm2.next_state(state, quality, day)
        store.record(answer("cnn-pooling-purpose", quality, day, state))
    store.record(answer("cnn-pooling-purpose", 4, DAY - timedelta(days=5), kind="repeat"))
    store.record(answer("cnn-one-by-one", 3, DAY - timedelta(days=2), kind="practice"))
    store.record(answer("cnn-conv-output-size", 1, DAY - timedelta(days=1),
                        state=sm2.next_state(None, 1, DAY - timedelta(days=1)), kind="mock",
                        session="mock-20260301T090000-ab", seed=7, values={"size": 32}))
    store.set_setting("mock:mock-20260301T090000-ab", '{"seconds": 30, "planned": 2}')
    store.bury("rnn-lstm-vs-gru", DAY + timedelta(days=1))
    store.set_setting("interview", "2026-04-01")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    run(["list"], path, bank)  # fills the bank cache
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path, bank


def run(args, db, bank, monkeypatch=None):
    config.local_now = lambda: NOW  # restored by the autouse fixture below
    result = CliRunner().invoke(app, [*args, "--db", str(db)], input="", env={
        "QUIZ_BUNDLED": "0", "QUIZ_BANKS": str(bank), "COLUMNS": "200", "QUIZ_LANG": None,
        "QUIZ_ROLLOVER": None, "QUIZ_DB": None})
    return result


@pytest.fixture(autouse=True)
def real_clock():
    saved = config.local_now
    yield
    config.local_now = saved


def schema():
    conn = sqlite3.connect(":memory:")
    store = Store(conn, ":memory:")
    store._prepare()
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    found = [(t, r[1], r[2]) for t in tables for r in conn.execute(f"PRAGMA table_info({t})")]
    conn.close()
    return found


def bad_values(declared):
    """NULL, a value of the wrong type, and values out of range (or of the wrong form)."""
    if declared.upper() == "INTEGER":
        return {"null": None, "text": "junk", "negative": -99999, "huge": 2**62, "real": 2.5}
    return {"null": None, "integer": 42, "blob": b"\xff\x00", "soon": "soon",
            "year 1": "0001-01-01", "not json": "{oops"}


CASES = [(table, column, name, value) for table, column, declared in schema()
         for name, value in bad_values(declared).items()]


def tampered(base, tmp_path, table, column, value):
    path, _bank = base
    copy = tmp_path / "tampered.db"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        conn.execute(f"UPDATE OR IGNORE {table} SET {column} = ?", (value,))
        conn.commit()
    except sqlite3.IntegrityError:  # NOT NULL or a CHECK: the schema itself refuses it
        conn.close()
        return None
    conn.close()
    return copy


def check_clean(result, db, args):
    """No traceback; exit 0, or exit 1 with one clear `Error:` line naming the database."""
    assert "Traceback" not in result.output, (args, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1), (args, result.exit_code, result.output)
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: "), (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert str(db) in result.stderr, (args, result.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("table, column, name, value", CASES,
                         ids=[f"{t}.{c}={n}" for t, c, n, _ in CASES])
def test_every_read_command_on_a_tampered_column(base, tmp_path, table, column, name, value):
    db = tampered(base, tmp_path, table, column, value)
    if db is None:
        return  # refused by the schema: nothing to read back
    for args in READS:
        check_clean(run(args, db, base[1]), db, args)


def test_the_schema_is_what_the_cases_cover():
    tables = {t for t, _c, _d in schema()}
    assert tables == {"reviews", "cards", "settings", "bank_questions", "review_days", "events"}
    assert len(CASES) >= 3 * len(schema())


# -- the values the review named, each with the commands that must refuse it ---------------

MUST_FAIL = {
    # (table, column, value): commands that read it and must say Error, exit 1
    ("cards", "due", "soon"): [["review"], ["list"], ["list", "--due"], ["stats"]],
    ("cards", "due", "0001-01-01"): [["review"], ["list"], ["stats", "--json"]],
    ("cards", "ef", "x"): [["review"], ["list"], ["stats"]],
    ("cards", "ef", -5): [["review"], ["list"], ["stats"]],
    ("cards", "lapses", "many"): [["review"], ["list"], ["stats"]],
    ("cards", "lapses", -1): [["review"], ["list"]],
    ("cards", "buried_until", "tomorrow"): [["review"], ["list"]],
    ("reviews", "quality", "good"): [["stats"], ["stats", "--json"], ["mock", "--history"]],
    ("reviews", "quality", 9): [["stats"], ["mock", "--history"]],
    ("settings", "value", "soon"): [["review"], ["list", "--due"], ["plan"], ["stats"]],
}


@pytest.mark.parametrize("table, column, value", sorted(MUST_FAIL, key=str), ids=str)
def test_named_bad_values_are_an_error_naming_them(base, tmp_path, table, column, value):
    db = tampered(base, tmp_path, table, column, value)
    for args in MUST_FAIL[(table, column, value)]:
        result = run(args, db, base[1])
        check_clean(result, db, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"{column}" in result.stderr or "interview" in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["soon", "0001-01-01", "2026-02-30", "9999-12-31", "", "x" * 300])
def test_an_odd_interview_date_is_a_clear_error(base, tmp_path, value):
    db = tampered(base, tmp_path, "settings", "value", "0")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE settings SET value = ? WHERE key = 'interview'", (value,))
    conn.commit()
    conn.close()
    for args in (["plan"], ["review"], ["stats"], ["list", "--due"]):
        result = run(args, db, base[1])
        check_clean(result, db, args)
        if value:  # an empty value is no date at all: no plan
            assert result.exit_code == 1, (args, result.output)
            assert "interview date" in result.stderr and "quiz plan --clear" in result.stderr


@pytest.mark.parametrize("version", [-5, -1, SCHEMA_VERSION + 1, 2**31 - 1])
def test_an_odd_schema_version_is_a_clear_error(base, tmp_path, version):
    db = tampered(base, tmp_path, "settings", "value", "0")
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    before = db.read_bytes()
    for args in READS:
        result = run(args, db, base[1])
        check_clean(result, db, args)
        assert result.exit_code == 1
        assert "schema" in result.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("junk", ["{oops", "[]", "42", '{"id": 1}'])
def test_bad_json_in_the_bank_cache_is_rebuilt_silently(base, tmp_path, junk):
    db = tampered(base, tmp_path, "bank_questions", "data", junk)
    result = run(["show", "cnn-conv-output-size"], db, base[1])
    assert result.exit_code == 0 and "cnn-conv-output-size" in result.output, result.output
    conn = sqlite3.connect(db)
    data = [r[0] for r in conn.execute("SELECT data FROM bank_questions")]
    conn.close()
    assert junk not in data  # rewritten from the YAML
