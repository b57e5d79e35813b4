"""Two sessions at once on one database: no review lost, no "database is locked".

- two real `quiz review` processes on one QUIZ_DB, answering in turn (even the same card);
- processes and threads appending through Store.record at the same moment, on a database
  they all create together;
- a session whose card was graded meanwhile by another session: the card ends where the
  log replays to (the log is the truth, DESIGN.md).
"""

import multiprocessing
import shutil
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pexpect
import pytest
from pty_driver import (
    GRADE,
    SUMMARY,
    answer_card,
    integrity,
    make_bank,
    next_prompt,
    quiz_env,
    spawn_review,
)
from pty_driver import rows as logged
from script_ui import ScriptUI

from quiz import store as store_module
from quiz.bank.reader import load_bank
from quiz.errors import StoreError
from quiz.model import Review
from quiz.session import run_session
from quiz.store import Store

WORKERS = 4
RECORDS = 50


def cards_and_replay(db, tmp_path):
    """(cards as stored, cards as the log replays to), from a copy of the database."""
    copy = tmp_path / "replay.db"
    for suffix in ("", "-wal"):
        if (db.parent / (db.name + suffix)).exists():
            shutil.copyfile(db.parent / (db.name + suffix), tmp_path / ("replay.db" + suffix))
    store = Store.open(copy)
    try:
        stored = store.cards()
        store.rebuild_cards()
        return stored, store.cards()
    finally:
        store.close()


@pytest.mark.slow
def test_two_terminal_sessions_on_one_database(tmp_path):
    bank = make_bank(tmp_path / "bank", extra=12)
    db = tmp_path / "shared.db"
    env = quiz_env(db)
    a = spawn_review(bank, env, "--new", "100")
    kind_a = next_prompt(a)  # A has created the database
    b = spawn_review(bank, env, "--new", "100")
    kind_b = next_prompt(b)  # B queued the same new cards: both start on the same card
    expected = []
    grades = "5342051435"
    for turn in range(5):
        expected.append(answer_card(a, kind_a, f"from A {turn}", grades[2 * turn]))
        kind_a = next_prompt(a)
        expected.append(answer_card(b, kind_b, f"from B {turn}", grades[2 * turn + 1]))
        kind_b = next_prompt(b)
    # A reveals and waits to be graded while B records; then A records
    if kind_a == "open":
        a.sendline("A waits")
        a.expect(GRADE)
        expected_a = ("A waits", 4)
    else:
        a.sendline("")
        a.expect(GRADE)
        expected_a = (None, 1)
    expected.append(answer_card(b, kind_b, "B meanwhile", "5"))
    a.sendline(str(expected_a[1]) if kind_a == "open" else "")
    a.expect(f"Recorded {expected_a[1]}")
    expected.append(expected_a)
    for child in (a, b):
        next_prompt(child)
        child.sendline("")
        child.expect(GRADE)
        child.sendline("q")
        child.expect(SUMMARY)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
        assert "locked" not in child.before and "Traceback" not in child.before
    assert logged(db) == expected  # every answer of both, in the order they were confirmed
    assert integrity(db) == "ok"
    stored, replayed = cards_and_replay(db, tmp_path)
    assert stored == replayed


def _review(qid, n, day=date(2026, 3, 2)):
    return Review(question_id=qid, reviewed_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                  utc_offset=0, study_day=day, quality=n % 6, state=None, kind="practice",
                  answer=f"{qid}#{n}")


def _write(path, worker, start, errors):
    """Open the (maybe not yet existing) database when everyone is ready; append RECORDS rows."""
    try:
        start.wait()
        store = Store.open(path)
        try:
            for n in range(RECORDS):
                store.record(_review(f"w{worker}", n))
                if n % 10 == 0:  # and read while the others write
                    store.cards()
                    store.reviews(f"w{worker}")
        finally:
            store.close()
    except BaseException as exc:  # reported to the test, which fails on any
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")


def _check_all_there(path, errors):
    assert errors == []
    store = Store.open(path)
    try:
        answers = [r.answer for r in store.reviews()]
    finally:
        store.close()
    assert len(answers) == WORKERS * RECORDS
    assert set(answers) == {f"w{w}#{n}" for w in range(WORKERS) for n in range(RECORDS)}
    for w in range(WORKERS):  # each writer's own rows in its own order
        mine = [a for a in answers if a.startswith(f"w{w}#")]
        assert mine == [f"w{w}#{n}" for n in range(RECORDS)]
    assert logged(path, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.slow
def test_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "many.db"
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Barrier(WORKERS), ctx.Queue()
    workers = [ctx.Process(target=_write, args=(path, w, start, queue)) for w in range(WORKERS)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    errors = []
    while not queue.empty():
        errors.append(queue.get())
    assert [p.exitcode for p in workers] == [0] * WORKERS, errors
    _check_all_there(path, errors)


class _ListQueue(list):
    put = list.append


def test_threads_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "threads.db"
    start, errors = threading.Barrier(WORKERS), _ListQueue()
    threads = [threading.Thread(target=_write, args=(path, w, start, errors))
               for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    _check_all_there(path, list(errors))


def test_a_writer_waits_for_another_instead_of_failing(tmp_path):
    path = tmp_path / "wait.db"
    Store.open(path).close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process is mid-write
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()
    store = Store.open(path)
    try:
        store.record(_review("waited", 1))  # blocks until the other commits, then succeeds
        assert [r.answer for r in store.reviews()] == ["waited#1"]
    finally:
        store.close()
        other.close()


@pytest.mark.slow
def test_opening_waits_while_another_process_writes_a_new_database(tmp_path):
    """Turning WAL on needs the file to itself, and SQLite fails at once (no busy timeout)
    while another connection writes: two quiz processes creating one database at once."""
    path = tmp_path / "fresh.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE mine (x)")  # a database not yet in WAL mode
    other.execute("BEGIN IMMEDIATE")  # another process is writing it
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()
    try:
        store = Store.open(path)
    finally:
        other.close()
    assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    store.record(_review("opened", 1))
    store.close()


def test_a_lock_held_too_long_is_a_clear_error_and_keeps_earlier_answers(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "held.db"
    store = Store.open(path)
    store.record(_review("kept", 1))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked"):
            store.record(_review("blocked", 2))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [r.answer for r in store.reviews()] == ["kept#1"]
    store.record(_review("after", 3))  # and the store is usable again
    assert len(store.reviews()) == 2
    store.close()


CST = timezone(timedelta(hours=8))


def test_a_card_graded_meanwhile_by_another_session_ends_where_the_log_replays(
        tmp_path, bank_dir):
    """Session A shows a card; before A grades it, session B (another connection) grades it."""
    pooling = load_bank([bank_dir]).questions[0]
    path = tmp_path / "two.db"
    first, second = Store.open(path), Store.open(path)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=CST)

    def b_session():
        replies = iter(["B's answer", "5"])
        run_session(second, [pooling], ui=ScriptUI(lambda kind, view: next(replies, None)),
                    now=lambda: now, seed=lambda: 1)

    replies = iter(["A's answer", "3"])

    def a_ask(kind, view):
        if kind == "grade":
            b_session()  # B grades the same card while A's is on screen
        return next(replies, None)

    run_session(first, [pooling], ui=ScriptUI(a_ask), now=lambda: now,
                seed=lambda: 1)
    log = first.reviews()
    assert [(r.answer, r.quality) for r in log][:2] == [("B's answer", 5), ("A's answer", 3)]
    stored = first.cards()
    first.rebuild_cards()
    assert first.cards() == stored
    first.close()
    second.close()
