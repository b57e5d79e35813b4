"""quiz next to Anki's own library on the same workload: "what is due" and stats.

    .venv/bin/python benchmarks/vs_anki.py /tmp/quiz-bench [--rounds 10] [--rebuild]

Builds (once, into DIR/anki/collection.anki2) an Anki collection holding the same cards
and review log as DIR/quiz.db (make_data.py's data: 10,000 cards, 1,000,000 reviews): one
Basic note per card, each card's interval, ease, due day, reps and lapses as quiz has them
(retired cards suspended), and one revlog row per review. Then times, as whole processes,
interleaved, median of `--rounds`:

- due:   `quiz list --due`  vs  open the collection, `col.sched.counts()`, close;
- stats: `quiz stats`       vs  open the collection, the stats screen's computation
  (`col._backend.graphs(search="", days=365)`), close;

and the same two Anki calls alone, in-process on an open collection (no start-up). Needs
the test extra's `anki` package. Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
QUIZ = [PY, "-m", "quiz"]
ANKI_OPEN = "from anki.collection import Collection; col = Collection({path!r}); "
ANKI_DUE = ANKI_OPEN + "col.sched.counts(); col.close()"
ANKI_STATS = ANKI_OPEN + "col._backend.graphs(search='', days=365); col.close()"
# quiz's grades (0–5) as Anki's answer buttons (1 again, 2 hard, 3 good, 4 easy)
EASE = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
# quiz's review kinds as Anki's revlog types (0 learn, 1 review, 2 relearn, 3 filtered)
REVLOG_TYPE = {"review": 1, "repeat": 2, "practice": 3, "mock": 3}


def build(quiz_db: Path, path: Path) -> None:
    """An Anki collection at `path` with quiz_db's cards and log."""
    from anki.collection import AddNoteRequest, Collection

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    src = sqlite3.connect(quiz_db)
    cards = src.execute("SELECT question_id, repetitions, interval, ef, due, lapses, reviews, "
                        "retired FROM cards ORDER BY question_id").fetchall()
    today = date.fromisoformat(src.execute("SELECT max(study_day) FROM reviews").fetchone()[0])
    col = Collection(str(path))
    try:
        model = col.models.by_name("Basic")
        requests = []
        for qid, *_rest in cards:
            note = col.new_note(model)
            note["Front"], note["Back"] = qid, f"the answer to {qid}"
            requests.append(AddNoteRequest(note=note, deck_id=1))
        col.add_notes(requests)
        card_id = dict(col.db.all("SELECT n.sfld, c.id FROM cards c JOIN notes n "
                                  "ON c.nid = n.id"))
        anki_today = col.sched.today
        updates = []
        for position, (qid, reps, interval, ef, due, lapses, reviews, retired) in enumerate(
                cards):
            if reps is None or not due:  # never scheduled: a new card
                updates.append((0, -1 if retired else 0, position, 0, 0, 0, 0, card_id[qid]))
                continue
            day = anki_today + (date.fromisoformat(due) - today).days
            updates.append((2, -1 if retired else 2, day, interval or 0, (ef or 250) * 10,
                            reviews or 0, lapses or 0, card_id[qid]))
        col.db.executemany("UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, "
                           "factor = ?, reps = ?, lapses = ? WHERE id = ?", updates)
        rows, last_id = [], 0
        for qid, at, quality, kind, ms, interval, ef, before in src.execute(
                "SELECT question_id, reviewed_at, quality, kind, duration_ms, interval, ef, "
                "last_interval FROM reviews ORDER BY id"):
            stamp = int(datetime.fromisoformat(at).timestamp() * 1000)
            last_id = max(stamp, last_id + 1)  # revlog ids are unique milliseconds
            rows.append((last_id, card_id[qid], -1, EASE[quality], interval or 0, before or 0,
                         (ef or 0) * 10, min(ms or 0, 60_000), REVLOG_TYPE.get(kind, 1)))
            if len(rows) == 100_000:
                col.db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", rows)
                rows = []
        if rows:
            col.db.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", rows)
        n_rev = col.db.scalar("SELECT count(*) FROM revlog")
        counts = col.sched.counts()
    finally:
        col.close()
        src.close()
    print(f"built {path}: {len(cards):,} cards, {n_rev:,} revlog rows, counts {counts}, "
          f"{time.perf_counter() - started:.0f} s")


def run(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-300:]}")
    return elapsed


def in_process(path: Path, rounds: int) -> dict[str, float]:
    """Anki's two calls alone on an open collection: medians, seconds."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        col.sched.counts()
        col._backend.graphs(search="", days=365)
        due, stats = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            col.sched.counts()
            due.append(time.perf_counter() - started)
            started = time.perf_counter()
            col._backend.graphs(search="", days=365)
            stats.append(time.perf_counter() - started)
    finally:
        col.close()
    return {"due": statistics.median(due), "stats": statistics.median(stats)}


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the folder make_data.py built")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the Anki collection")
    args = parser.parse_args(argv)
    data: Path = args.data.resolve()
    collection = data / "anki" / "collection.anki2"
    if args.rebuild or not collection.is_file():
        build(data / "quiz.db", collection)
    env = {**os.environ, "QUIZ_DB": str(data / "quiz.db"), "QUIZ_BANKS": str(data / "banks"),
           "QUIZ_BUNDLED": "0"}
    pairs = {
        "due": ([*QUIZ, "list", "--due"], [PY, "-c", ANKI_DUE.format(path=str(collection))]),
        "stats": ([*QUIZ, "stats"], [PY, "-c", ANKI_STATS.format(path=str(collection))]),
    }
    alone = in_process(collection, args.rounds)
    print(f"{'what':6}  {'quiz':>8}  {'anki':>8}  quiz/anki  (whole processes, median of "
          f"{args.rounds}; anki's call alone, in-process)")
    for name, (quiz_cmd, anki_cmd) in pairs.items():
        run(quiz_cmd, env)
        run(anki_cmd, env)
        quiz_t, anki_t = [], []
        for _ in range(args.rounds):
            quiz_t.append(run(quiz_cmd, env))
            anki_t.append(run(anki_cmd, env))
        q, a = statistics.median(quiz_t), statistics.median(anki_t)
        print(f"{name:6}  {q * 1000:6.0f} ms  {a * 1000:6.0f} ms  {q / a:8.2f}   "
              f"(anki's call alone: {alone[name] * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
