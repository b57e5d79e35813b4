"""A bad database: a clear `Error: …`, exit 1, the file left as it was, earlier answers kept.

Unreadable file, a folder, random bytes, junk behind a valid SQLite header, damaged pages,
a newer schema, a disk that fills up (SQLite's max_page_count) — through Store and through
the commands that open the database (`quiz list`, `quiz review`, `quiz stats`).
"""

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quiz import sm2
from quiz.cli import app
from quiz.errors import StoreError
from quiz.model import Review
from quiz.schema import SCHEMA_VERSION
from quiz.store import Store

ROOT = Path(__file__).parent.parent
DAY = date(2026, 3, 2)
COMMANDS = [["list"], ["review", "--lang", "en"], ["stats"]]
runner = CliRunner()


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env  # its QUIZ_DB is unused: every command names its database with --db


def review(n, qid=None, answer=None):
    qid = qid or f"q{n}"
    return Review(question_id=qid, reviewed_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                  utc_offset=0, study_day=DAY, quality=4, state=sm2.next_state(None, 4, DAY),
                  answer=answer or f"answer {n}")


def filled(path, count=3):
    store = Store.open(path)
    for n in range(count):
        store.record(review(n))
    store.close()
    return path


def snapshot(path):
    """What must not change: the bytes of the file (or that it is a folder)."""
    return "folder" if path.is_dir() else path.read_bytes()


def answers(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT answer FROM reviews ORDER BY id")]
    finally:
        conn.close()


def invoke(args, db, bank_dir, **kw):
    return runner.invoke(app, [*args, "--bank", str(bank_dir), "--db", str(db)],
                         catch_exceptions=False, **kw)


# -- the bad files --------------------------------------------------------------------------


def make_folder(path):
    path.mkdir()
    (path / "keep.txt").write_text("mine")


def make_random(path):
    path.write_bytes(random.Random(7).randbytes(50_000))


def make_header_junk(path):
    path.write_bytes(b"SQLite format 3\x00" + random.Random(8).randbytes(8192))


def make_newer(path):
    filled(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def make_damaged(path):
    """A real quiz database whose every page but the first (the schema) is overwritten."""
    filled(path, 200)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(9)
    for start in range(page, len(data), page):
        data[start:start + page] = rng.randbytes(page)
    path.write_bytes(bytes(data))


BAD = {
    "folder": (make_folder, "is a folder, not a file"),
    "random bytes": (make_random, "file is not a database"),
    "junk after a SQLite header": (make_header_junk, r"malformed|not a database"),
    "newer schema": (make_newer, "written by a newer quiz"),
    "damaged pages": (make_damaged, "malformed"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_store_open_refuses_or_fails_cleanly(tmp_path, kind):
    make, message = BAD[kind]
    path = tmp_path / "bad.db"
    make(path)
    before = snapshot(path)
    with pytest.raises(StoreError, match=message):
        store = Store.open(path)  # damaged pages open fine: reading them is what fails
        try:
            store.cards()
            store.reviews()
        finally:
            store.close()
    assert snapshot(path) == before


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("kind", sorted(BAD))
def test_commands_say_error_exit_1_and_leave_the_file(tmp_path, bank_dir, kind, command):
    make, message = BAD[kind]
    path = tmp_path / "bad.db"
    make(path)
    before = snapshot(path)
    result = invoke(command, path, bank_dir, input="\n4\n")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr
    assert snapshot(path) == before
    if kind == "newer schema":
        assert answers(path) == ["answer 0", "answer 1", "answer 2"]


def test_every_store_operation_on_damaged_pages_raises_store_error_only(tmp_path):
    path = tmp_path / "damaged.db"
    make_damaged(path)
    store = Store.open(path)
    operations = [
        store.cards, lambda: store.card("q1"), store.reviews, lambda: store.reviews("q1"),
        lambda: store.record(review(999)), lambda: store.sync_retired(["q1"], []),
        lambda: store.new_introduced_count(DAY), lambda: store.relearning(DAY),
        lambda: store.bury("q1", DAY), lambda: store.undo(1), store.rebuild_cards,
        lambda: store.setting("interview"), lambda: store.set_setting("k", "v"),
        lambda: store.query("SELECT count(*) FROM reviews"),
    ]
    failed = 0
    for operation in operations:
        try:
            operation()
        except StoreError as exc:
            assert "malformed" in str(exc) and str(path) in str(exc)
            failed += 1
    store.close()
    assert failed >= 10


# -- unreadable ------------------------------------------------------------------------------


def unprivileged():
    """A command prefix under which file permissions apply, or a reason to skip."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores chmod 000, and setpriv is not installed "
                    "to drop the capabilities that let it")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def run_quiz(prefix, *args, **env):
    return subprocess.run(
        [*prefix, sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        input="", env={**os.environ, "PYTHONPATH": str(ROOT), "QUIZ_BUNDLED": "0",
                       "COLUMNS": "200", "NO_COLOR": "1", **env})


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unreadable_database_is_a_clear_error(tmp_path, bank_dir, command):
    prefix = unprivileged()
    path = filled(tmp_path / "locked.db")
    before = path.read_bytes()
    path.chmod(0)
    try:
        result = run_quiz(prefix, "-m", "quiz", *command, "--bank", str(bank_dir),
                          "--db", str(path))
        opened = run_quiz(prefix, "-c", "from quiz.store import Store; import sys; "
                          "Store.open(sys.argv[1])", str(path))
    finally:
        path.chmod(0o600)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: cannot open the database {path}"), result.stderr
    assert "Traceback" not in result.stderr
    assert "quiz.errors.StoreError: cannot open the database" in opened.stderr
    assert path.read_bytes() == before
    assert answers(path) == ["answer 0", "answer 1", "answer 2"]


# -- a disk that fills up --------------------------------------------------------------------


def fill_up(store):
    """Let the database grow by no more than its current size."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_is_a_store_error_and_keeps_every_earlier_answer(tmp_path):
    path = tmp_path / "full.db"
    store = Store.open(path)
    store.record(review(0))
    fill_up(store)
    kept = 1
    with pytest.raises(StoreError) as info:
        for n in range(1, 1000):
            store.record(review(n, answer="x" * 2000 + str(n)))
            kept += 1
    assert str(info.value) == f"cannot write to {path}: database or disk is full"
    assert kept > 1  # it did fill up on the way, not at once
    assert len(store.reviews()) == kept
    assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space again: it carries on
    store.record(review(1000))
    store.close()
    assert len(answers(path)) == kept + 1


def test_a_disk_filling_up_during_review_ends_with_a_clear_error(tmp_path, bank_dir,
                                                                 monkeypatch):
    lines = ["topic: gen", "title: {zh: 生成, en: Generated}", "questions:"]
    lines += [f"  - {{id: gen-{i}, zh: {{q: 问 {i}, a: 答}}, en: {{q: Q {i}, a: A}}}}"
              for i in range(60)]
    (bank_dir / "gen.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = filled(tmp_path / "review.db", 1)
    prepare = Store._prepare

    def prepare_then_fill(self):
        prepare(self)
        fill_up(self)

    monkeypatch.setattr(Store, "_prepare", prepare_then_fill)
    typed = "".join(f"{'y' * 3000} {i}\n4\n" for i in range(60))
    result = invoke(["review", "--lang", "en", "--new", "100", "--topic", "gen"], path,
                    bank_dir, input=typed)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write to {path}: database or disk is full\n"
    recorded = result.output.count("Recorded ")
    assert recorded >= 1
    assert len(answers(path)) == 1 + recorded  # every answer shown as recorded is there
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


# -- a database deleted or replaced while quiz runs -----------------------------------------


def delete(path):
    path.unlink()


def replace_with_another(path):
    other = filled(path.parent / "other.db", 1)
    os.replace(other, path)


@pytest.mark.parametrize("change", [delete, replace_with_another], ids=["deleted", "replaced"])
def test_a_database_changed_under_the_store_stops_the_next_write(tmp_path, change):
    path = tmp_path / "live.db"
    store = Store.open(path)
    store.record(review(0))
    change(path)
    with pytest.raises(StoreError, match=f"the database {path} was deleted or replaced"):
        store.record(review(1))
    with pytest.raises(StoreError, match="deleted or replaced"):
        store.set_setting("interview", "2026-04-01")
    # the file quiz opened holds the confirmed answer and nothing after it
    assert [r.answer for r in store.reviews()] == ["answer 0"]
    assert store.setting("interview") is None
    store.close()


@pytest.mark.parametrize("change", [delete, replace_with_another], ids=["deleted", "replaced"])
def test_review_stops_with_a_clear_error_when_the_database_goes(tmp_path, bank_dir,
                                                                 monkeypatch, change):
    path = filled(tmp_path / "review.db", 0)
    record = Store.record_answer
    calls = []

    def record_then_change(self, *args):
        calls.append(1)
        if len(calls) == 2:
            change(path)
        return record(self, *args)

    monkeypatch.setattr(Store, "record_answer", record_then_change)
    result = invoke(["review", "--lang", "en", "--new", "100"], path, bank_dir,
                    input="a\n4\nb\n4\nc\n4\n")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: the database {path} was deleted or replaced")
    assert "Traceback" not in result.output
    assert result.output.count("Recorded ") == 1  # the second answer is not said to be
