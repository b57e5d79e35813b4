"""Sync across machines: two or three databases ("devices") and one shared folder.

Each device reviews the same cards on the same days, one undoes an answer, the other buries a
card; after syncing both ways every device holds every answer once and the same cards. The
expected cards come from an oracle written here: the union of the answers, undone ones left
out, the first answer of each card's study day scheduling, folded through SM-2.
"""

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quiz import sm2
from quiz.model import Review
from quiz.store import Store
from quiz.sync import sync

DAY = date(2026, 3, 2)
IDS = ["cnn-pooling-purpose", "cnn-one-by-one", "cnn-conv-output-size", "rnn-lstm-vs-gru"]


def answer(store, qid, day, hour, quality, minute=0):
    """Grade `qid` as a review session would: a day's second grade is a repeat; the row id."""
    moment = datetime.combine(day, time(hour, minute), UTC)
    base = Review(question_id=qid, reviewed_at=moment, utc_offset=0, study_day=day,
                  quality=quality, state=None, kind="review", fingerprint="fp-" + qid)

    def decide(previous, scheduled_today):
        if scheduled_today:
            return replace(base, kind="repeat")
        return replace(base, state=sm2.next_state(previous, quality, day))

    return store.record_answer(base, decide)[0]


def log(store):
    """Every answer by global id: (device, seq) → (question, time, grade, kind)."""
    rows = store.query("SELECT device, seq, question_id, reviewed_at, quality, kind FROM reviews")
    found = {(r["device"], r["seq"]): (r["question_id"], r["reviewed_at"], r["quality"],
                                       r["kind"]) for r in rows}
    assert len(found) == len(rows), "an answer is in the log twice"
    return found


def oracle(answers, undone=()):
    """The cards the union of `answers` (question, time, grade) gives, without `undone`:
    per card in time order, a study day's first answer schedules, through SM-2."""
    states, lapses = {}, {}
    by_card = {}
    for qid, moment, quality in sorted(a for a in answers if a not in undone):
        by_card.setdefault(qid, []).append((moment, quality))
    for qid, graded in by_card.items():
        state, seen, lapsed = None, set(), 0
        for moment, quality in graded:
            day = datetime.fromisoformat(moment).date()
            if day in seen:
                continue
            seen.add(day)
            state = sm2.next_state(state, quality, day)
            lapsed += quality < 3
        states[qid], lapses[qid] = state, lapsed
    return states, lapses


def cards(store):
    return store.cards()


@pytest.fixture
def devices(tmp_path):
    opened = [Store.open(tmp_path / f"device-{name}.db") for name in "abc"]
    yield opened
    for store in opened:
        store.close()


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "shared"
    target.mkdir()
    return target


def assert_day_counts_follow_the_log(store):
    """`review_days` (kept by triggers, issue 17) equals the log counted from scratch, after
    merges that insert, undos that delete and derivations that change an answer's kind."""
    kept = {(r["study_day"], r["kind"]): r["n"] for r in store.query("SELECT * FROM review_days")}
    counted = Counter((r["study_day"], r["kind"])
                      for r in store.query("SELECT study_day, kind FROM reviews"))
    assert kept == dict(counted)


def test_two_devices_an_undo_and_a_bury_end_identical(devices, folder):
    a, b, _ = devices
    graded = []  # (question, time, grade) of every answer, as the oracle takes them
    undone = set()
    for offset in range(6):
        day = DAY + timedelta(days=offset)
        for qid, qa, qb in zip(IDS, (4, 2, 5, 3), (5, 4, 1, 4), strict=True):
            # the same cards on the same day on both machines: a at 08:00, b at 09:00
            for store, hour, quality in ((a, 8, qa), (b, 9, qb)):
                if quality == 1 and offset % 2:
                    quality = 4
                answer(store, qid, day, hour, quality)
                graded.append((qid, datetime.combine(day, time(hour), UTC).isoformat(), quality))
        if offset == 2:  # a takes its last answer back; b buries a card until the day after
            last = a.query("SELECT id, question_id, reviewed_at, quality FROM reviews "
                           "ORDER BY id DESC LIMIT 1")[0]
            a.undo(last["id"], at=datetime.combine(day, time(8, 30), UTC))
            undone.add((last["question_id"], last["reviewed_at"], last["quality"]))
            b.bury(IDS[0], day + timedelta(days=1), at=datetime.combine(day, time(9, 30), UTC))
        if offset % 2:  # sync every other day, in both directions, a first, then b
            for store in (a, b, a):
                sync(store, folder)
    for store in (a, b, a, b):  # and again: nothing changes any more
        sync(store, folder)
    assert log(a) == log(b)
    assert len(log(a)) == len(graded) - len(undone)
    assert cards(a) == cards(b)
    for store in (a, b):
        assert_day_counts_follow_the_log(store)
    expected, lapses = oracle(graded, undone)
    assert {q: c.state for q, c in cards(a).items()} == expected
    assert {q: c.lapses for q, c in cards(a).items()} == lapses
    # the undo travelled: the undone answer is in no log; the bury did too (it has expired)
    assert not any(row[1] == next(iter(undone))[1] and row[0] == next(iter(undone))[0]
                   for row in log(b).values())
    bury = b.query("SELECT device, seq FROM events WHERE kind = 'bury'")
    assert a.query("SELECT count(*) AS n FROM events WHERE kind = 'bury' AND device = ? AND "
                   "seq = ?", (bury[0]["device"], bury[0]["seq"]))[0]["n"] == 1


def test_a_third_device_joining_late_catches_up(devices, folder):
    a, b, c = devices
    for offset in range(4):
        day = DAY + timedelta(days=offset)
        answer(a, IDS[offset % 4], day, 8, 4)
        answer(b, IDS[(offset + 1) % 4], day, 9, 2)
        sync(a, folder)
        sync(b, folder)
    a.card_events("suspend", [IDS[2]], at=datetime.combine(DAY, time(20), UTC))
    sync(a, folder)
    done = sync(c, folder)
    assert done.imported == len(log(a)) + 1  # a has b's answers too; and a's suspension
    assert log(c) == {**log(a), **log(b)}
    sync(a, folder)
    sync(b, folder)
    assert cards(a) == cards(b) == cards(c)
    assert cards(c)[IDS[2]].suspended
    assert_day_counts_follow_the_log(c)  # a late joiner's aggregate comes from merges alone


def test_syncing_twice_is_syncing_once(devices, folder):
    a, b, _ = devices
    answer(a, IDS[0], DAY, 8, 4)
    answer(b, IDS[0], DAY, 9, 5)
    first = [sync(a, folder), sync(b, folder), sync(a, folder)]
    assert [s.imported for s in first] == [0, 1, 1] and [s.exported for s in first] == [1, 1, 0]
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = [sync(store, folder) for store in (a, b, a, b)]
    assert all(s.imported == 0 and s.exported == 0 for s in again)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files
    # the day's first answer (a's, at 08:00) scheduled on both; b's became a repeat
    assert sorted(k for _q, _t, _g, k in log(b).values()) == ["repeat", "review"]


def test_a_partly_written_line_waits_and_a_conflicted_copy_merges(devices, folder):
    a, b, _ = devices
    answer(a, IDS[0], DAY, 8, 4)
    answer(a, IDS[1], DAY, 8, 3, minute=5)
    sync(a, folder)
    mine = folder / f"{a.device_id()}.jsonl"
    whole = mine.read_bytes()
    first, second = whole.splitlines(keepends=True)
    mine.write_bytes(first + second[:40])  # the copy in progress: half a line, no newline
    done = sync(b, folder)
    assert done.imported == 1 and done.waiting == [f"{mine}:2"] and done.bad == []
    mine.write_bytes(whole)
    (folder / f"{a.device_id()} (conflicted copy 2026-03-02).jsonl").write_bytes(whole)
    done = sync(b, folder)
    assert done.imported == 1 and done.waiting == [] and done.bad == []
    assert log(b) == log(a)


def test_our_own_file_cut_short_by_a_crash_is_mended(devices, folder):
    a, b, _ = devices
    for offset in range(3):
        answer(a, IDS[offset], DAY, 8, 4, minute=offset)
    sync(a, folder)
    mine = folder / f"{a.device_id()}.jsonl"
    whole = mine.read_bytes()
    mine.write_bytes(whole[:len(whole) - 25])  # killed in the middle of the last line
    answer(a, IDS[3], DAY, 8, 5, minute=9)
    assert sync(a, folder).exported == 2  # the torn row again, whole, and the new one
    rows = file_rows(mine)
    assert rows == [("review", a.device_id(), seq) for seq in (1, 2, 3, 4)]
    assert mine.read_bytes().startswith(whole)
    sync(b, folder)
    assert log(b) == log(a)


def test_a_line_that_is_no_row_is_named_and_the_rest_syncs(devices, folder):
    a, b, _ = devices
    answer(a, IDS[0], DAY, 8, 4)
    sync(a, folder)
    peer = folder / "peer.jsonl"
    good = (folder / f"{a.device_id()}.jsonl").read_text(encoding="utf-8")
    row = json.loads(good)
    bad_quality = {**row, "device": "peer", "quality": 9}
    bad_setting = {"table": "event", "device": "peer", "seq": 2, "kind": "setting",
                   "at": "2026-03-02T10:00:00+00:00", "target": "device_id", "value": "x"}
    peer.write_text("[1, 2]\n" + json.dumps(bad_quality) + "\n" + json.dumps(bad_setting)
                    + "\n\x1b[2J not json\n" + json.dumps({**row, "device": "peer", "seq": 3})
                    + "\n", encoding="utf-8")
    done = sync(b, folder)
    assert [line.split(": ")[0] for line in done.bad] == [f"{peer}:1", f"{peer}:2", f"{peer}:4"]
    assert "from 0 to 5" in done.bad[1]
    assert done.imported == 2  # a's answer, and the peer's good line
    assert b.device_id() != "x"  # a setting that does not travel is never taken
    again = sync(b, folder)  # named again each time, until the file is mended
    assert again.bad == done.bad and again.imported == 0
    peer.write_text(json.dumps({**row, "device": "peer", "seq": 4}) + "\n", encoding="utf-8")
    mended = sync(b, folder)  # a file rewritten: read again from its start
    assert mended.bad == [] and mended.imported == 1


def test_an_undo_arriving_before_its_answer_keeps_it_out(devices, folder):
    a, b, _ = devices
    row_id = answer(a, IDS[0], DAY, 8, 4)
    a.undo(row_id)  # undone before it was ever exported: only the undo event travels
    answer(a, IDS[0], DAY, 8, 5, minute=1)
    sync(a, folder)
    sync(b, folder)
    assert [g for _q, _t, g, _k in log(b).values()] == [5]
    assert cards(a) == cards(b)
    assert cards(b)[IDS[0]].state == sm2.next_state(None, 5, DAY)


def test_the_interview_date_travels_and_the_last_writer_wins(devices, folder):
    a, b, _ = devices
    a.set_setting("interview", "2026-06-01", at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    b.set_setting("interview", "2026-07-01", at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    for store in (a, b, a):
        sync(store, folder)
    assert a.setting("interview") == b.setting("interview") == "2026-06-01"


def test_a_reset_travels_and_later_answers_start_over(devices, folder):
    a, b, _ = devices
    for offset, quality in enumerate((4, 5, 1)):
        answer(a, IDS[0], DAY + timedelta(days=offset * 3), 8, quality)
    sync(a, folder)
    sync(b, folder)
    b.card_events("reset", [IDS[0]], at=datetime.combine(DAY + timedelta(days=7), time(7), UTC))
    answer(b, IDS[0], DAY + timedelta(days=7), 8, 5)
    for store in (b, a):
        sync(store, folder)
    assert cards(a) == cards(b)
    card = cards(a)[IDS[0]]
    assert card.state == sm2.next_state(None, 5, DAY + timedelta(days=7))
    assert card.lapses == 0 and card.reviews == 1
    assert len(log(a)) == 4  # the history is kept


# -- the order of syncs does not matter -------------------------------------------------------

OPERATIONS = st.lists(st.tuples(
    st.integers(0, 2),  # which device
    st.sampled_from(["answer", "answer", "answer", "undo", "bury", "suspend", "unsuspend",
                     "sync"]),
    st.integers(0, 3),  # which card
    st.integers(0, 5),  # the grade
    st.integers(0, 3),  # the day
), max_size=30)


def play(tmp_path, operations, order_seed):
    """Run `operations` on three fresh devices, then sync them all in an order drawn from
    `order_seed`, twice round; what each device ends with."""
    folder = tmp_path / "shared"
    folder.mkdir()
    stores = [Store.open(tmp_path / f"{n}.db") for n in range(3)]
    try:
        for step, (who, what, card, quality, day_offset) in enumerate(operations):
            store = stores[who]
            day = DAY + timedelta(days=day_offset)
            moment = datetime.combine(day, time(8), UTC) + timedelta(minutes=step)
            if what == "answer":
                answer(store, IDS[card], day, 8, quality, minute=step)
            elif what == "undo":
                # the latest by time (row ids depend on the order peers' files were read)
                last = store.query("SELECT id FROM reviews ORDER BY julianday(reviewed_at) "
                                   "DESC LIMIT 1")
                if last:
                    store.undo(last[0]["id"], at=moment)
            elif what == "bury":
                store.bury(IDS[card], day + timedelta(days=1), at=moment)
            elif what in ("suspend", "unsuspend"):
                store.card_events(what, [IDS[card]], at=moment)
            else:
                sync(store, folder)
        rng = random.Random(order_seed)
        for _ in range(2):
            order = list(range(3))
            rng.shuffle(order)
            for who in order:
                sync(stores[who], folder)
        for store in stores:  # everyone has seen everything now
            sync(store, folder)
        return [(log(s), cards(s)) for s in stores]
    finally:
        for store in stores:
            store.close()


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(operations=[(0, "answer", 0, 4, 0), (1, "answer", 0, 5, 0), (1, "undo", 0, 0, 0),
                     (2, "answer", 0, 1, 0), (0, "sync", 0, 0, 0), (2, "answer", 0, 3, 1)],
         seeds=(1, 101))  # the same card, the same day, on three devices; one undone
@example(operations=[(0, "answer", 0, 0, 0), (0, "answer", 0, 4, 2), (0, "answer", 0, 3, 1)],
         seeds=(0, 100))  # an answer logged after a later one (a clock set back)
@given(operations=OPERATIONS, seeds=st.tuples(st.integers(0, 99), st.integers(100, 199)))
def test_the_order_of_syncs_does_not_matter(tmp_path_factory, operations, seeds):
    first = play(tmp_path_factory.mktemp("one"), operations, seeds[0])
    second = play(tmp_path_factory.mktemp("two"), operations, seeds[1])
    # every device agrees with the others, whichever order the syncs came in; device ids are
    # random, so the two runs are compared by what the logs and cards hold
    for devices_seen in (first, second):
        assert all(seen == devices_seen[0] for seen in devices_seen)

    def shape(result):
        entries, held = result[0]
        return sorted(entries.values()), held

    assert shape(first) == shape(second)
    entries, held = first[0]
    expected, lapses = oracle([(q, t, g) for q, t, g, _kind in entries.values()])
    assert {q: c.state for q, c in held.items() if c.state} == expected
    assert {q: c.lapses for q, c in held.items() if c.state} == lapses


# -- killed at random points ------------------------------------------------------------------


def file_rows(path):
    """The global ids of the complete lines of a sync file, in order (duplicates kept)."""
    found = []
    for raw in path.read_bytes().split(b"\n")[:-1]:
        row = json.loads(raw)
        found.append((row["table"], row["device"], row["seq"]))
    return found


@pytest.mark.slow
def test_a_sync_killed_at_random_points_never_loses_or_doubles_a_row(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time as clock
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "shared"
    folder.mkdir()
    paths = [tmp_path / "a.db", tmp_path / "b.db"]
    stores = [Store.open(p) for p in paths]
    for offset in range(60):  # many rows, so that an export takes a while
        day = DAY + timedelta(days=offset // 4)
        for who, store in enumerate(stores):
            answer(store, IDS[offset % 4], day, 8 + who, (offset + who) % 6, minute=offset % 60)
    stores[1].undo(stores[1].query("SELECT max(id) AS id FROM reviews")[0]["id"])
    stores[0].bury(IDS[1], DAY + timedelta(days=20))
    mine = [{(t, d, s) for t, d, s in ((r["table"], r["device"], r["seq"])
                                       for r in store.own_rows(0))} for store in stores]
    for store in stores:
        store.close()

    errors = tmp_path / "stderr.txt"

    def start(path):
        with open(errors, "w") as err:
            return subprocess.Popen([sys.executable, "-m", "quiz", "sync", str(folder)],
                                    cwd=root, stdout=subprocess.DEVNULL, stderr=err,
                                    env={**os.environ, "PYTHONPATH": str(root),
                                         "QUIZ_DB": str(path), "QUIZ_BUNDLED": "0"})

    began = clock.monotonic()  # how long one sync takes here, to spread the kills over it
    assert start(paths[0]).wait(60) == 0
    whole = clock.monotonic() - began
    first = Store.open(paths[0])
    (folder / f"{first.device_id()}.jsonl").unlink()  # start from nothing
    first.close()
    rng = random.Random(16)
    killed = torn = 0
    for kill in range(24):
        process = start(paths[kill % 2])
        try:
            process.wait(rng.uniform(0, whole * 1.2))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            killed += 1
            torn += any(not p.read_bytes().endswith(b"\n") for p in folder.glob("*.jsonl")
                        if p.stat().st_size)
        assert process.returncode in (0, -signal.SIGKILL), errors.read_text()
        if kill % 6 == 5:  # a torn line of ours may be left: cut off and written again
            for path in folder.glob("*.jsonl"):
                rows = file_rows(path)
                assert len(rows) == len(set(rows)), f"a row twice in {path.name}"
    print(f"{killed} kills, {torn} left a torn line")
    assert killed >= 12  # most runs were cut short, not left to finish
    for path in paths * 2:
        assert start(path).wait(60) == 0
    devices = [Store.open(p) for p in paths]
    try:
        assert log(devices[0]) == log(devices[1])
        assert cards(devices[0]) == cards(devices[1])
        for store, own in zip(devices, mine, strict=True):
            rows = file_rows(folder / f"{store.device_id()}.jsonl")
            assert len(rows) == len(set(rows)) and set(rows) == own  # none lost, none twice
        union = {(d, s) for own in mine for t, d, s in own if t == "review"}
        undone = {tuple(e["target"].rsplit(":", 1)) for store in devices for e in store.query(
            "SELECT target FROM events WHERE kind = 'undo'")}
        assert set(log(devices[0])) == {k for k in union
                                        if (k[0], str(k[1])) not in undone}
    finally:
        for store in devices:
            store.close()


def test_a_schema_4_database_gets_global_ids_from_this_device(tmp_path, folder):
    import sqlite3

    path = tmp_path / "old.db"
    old = Store.open(path)
    for offset in range(3):
        answer(old, IDS[offset], DAY, 8, 4)
    old.bury(IDS[3], DAY + timedelta(days=1))
    old.set_setting("interview", "2026-06-01")
    before = old.cards()
    old.close()
    conn = sqlite3.connect(path)  # back to schema 4: what migration 6 added, gone
    conn.execute("DROP INDEX reviews_gid")
    conn.execute("DROP TABLE events")
    for table, column in [("reviews", "device"), ("reviews", "seq"), ("cards", "suspended"),
                          ("cards", "leech")]:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("DELETE FROM settings WHERE key IN ('device_id', 'device_seq')")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    store = Store.open(path)
    device = store.device_id()
    assert [(r["device"], r["seq"]) for r in store.query(
        "SELECT device, seq FROM reviews ORDER BY id")] == [(device, 1), (device, 2), (device, 3)]
    assert [(e["kind"], e["seq"]) for e in store.query(
        "SELECT kind, seq FROM events ORDER BY seq")] == [("bury", 4), ("setting", 5)]
    assert store.cards() == before
    store.rebuild_cards()
    assert store.cards() == before
    answer(store, IDS[0], DAY + timedelta(days=1), 8, 5)
    assert store.query("SELECT max(seq) AS n FROM reviews")[0]["n"] == 6
    other = Store.open(tmp_path / "other.db")
    sync(store, folder)
    sync(other, folder)
    assert other.cards() == store.cards() and other.setting("interview") == "2026-06-01"
    other.close()
    store.close()


def test_a_sync_while_a_session_records_loses_nothing(tmp_path, folder):
    import threading

    peer = Store.open(tmp_path / "peer.db")
    for offset in range(40):
        answer(peer, IDS[offset % 4], DAY + timedelta(days=offset // 4), 7, 4)
    sync(peer, folder)
    peer.close()
    path = tmp_path / "busy.db"
    session, syncing = Store.open(path), Store.open(path)  # two connections, one database
    failures = []

    def review():
        try:
            for offset in range(40):
                answer(session, IDS[offset % 4], DAY + timedelta(days=offset // 4), 9, 5)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    thread = threading.Thread(target=review)
    thread.start()
    while thread.is_alive():
        sync(syncing, folder)
    thread.join()
    sync(syncing, folder)
    assert failures == []
    entries = log(syncing)
    assert len(entries) == 80
    stored = syncing.cards()
    syncing.rebuild_cards()
    assert syncing.cards() == stored  # the cards are what the log replays to
    rows = file_rows(folder / f"{syncing.device_id()}.jsonl")
    assert len(rows) == len(set(rows)) == 40
    session.close()
    syncing.close()
