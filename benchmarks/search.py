"""`quiz list --grep`: a plain scan of the bank cache against SQLite's trigram FTS5 index.

    .venv/bin/python benchmarks/make_data.py --out /tmp/quiz-bench   # once, ~60 s
    .venv/bin/python benchmarks/search.py /tmp/quiz-bench

Times, on the benchmark's 5,000-question bank (through the store's bank cache):

- decode: every cached question decoded (`BankCache.questions()`) and `quiz.search.matches`;
- prefilter: the raw cached JSON case-folded and tested for each word of the search, and
  only those rows decoded and matched (what `quiz list --grep` does);
- sql-instr: `instr(lower(...))` over the JSON fields in SQL (ASCII-only case folding);
- fts5: a trigram FTS5 table over the same text (its build time apart); searches shorter
  than three characters (most Chinese words: 梯度, 池化) cannot use it at all.

Each figure is the best of 5 runs, in milliseconds.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quiz.bank.cache import BankCache, decode  # noqa: E402
from quiz.search import matches, normalized, texts  # noqa: E402
from quiz.store import Store  # noqa: E402

NEEDLES = ["梯度", "学习率", "Softmax", "batch norm", "no-such-text-at-all"]
FIELDS = ["prompt", "brief", "answer", "note"]


def best(run, times: int = 5) -> tuple[float, object]:
    found, result = [], None
    for _ in range(times):
        start = time.perf_counter()
        result = run()
        found.append(time.perf_counter() - start)
    return min(found) * 1000, result


def main(folder: Path) -> None:
    store = Store.open(folder / "quiz.db")
    the_bank = BankCache(store, [folder / "banks"])
    the_bank.entries()  # the cache made current
    conn: sqlite3.Connection = store.conn

    def by_decoding(needle: str) -> list[str]:
        return [q.id for q in the_bank.questions() if matches(q, needle)]

    def by_prefilter(needle: str) -> list[str]:
        return [q.id for q in the_bank.search(needle)]

    columns = " || ' ' || ".join(f"coalesce(json_extract(data, '$.{f}.{lang}'), '')"
                                 for f in FIELDS for lang in ("zh", "en"))

    def by_sql(needle: str) -> list[str]:
        return [r[0] for r in conn.execute(
            f"SELECT id FROM bank_questions WHERE instr(lower({columns}), lower(?)) "
            "ORDER BY pos", (needle,))]

    def build_fts() -> None:
        conn.execute("DROP TABLE IF EXISTS temp.grep_fts")
        conn.execute("CREATE VIRTUAL TABLE temp.grep_fts USING fts5(id UNINDEXED, body, "
                     "tokenize = 'trigram')")
        rows = conn.execute("SELECT id, data FROM bank_questions ORDER BY pos").fetchall()
        conn.executemany("INSERT INTO temp.grep_fts (id, body) VALUES (?, ?)",
                         [(i, "\n".join(texts(decode(json.loads(d))))) for i, d in rows])

    def by_fts(needle: str) -> list[str] | None:
        if len(needle) < 3:
            return None  # the trigram index cannot answer it
        quoted = '"' + needle.replace('"', '""') + '"'
        return [r[0] for r in conn.execute(
            "SELECT id FROM temp.grep_fts WHERE body MATCH ?", (quoted,))]

    build_ms, _ = best(build_fts, 1)
    print(f"fts5 trigram index built in {build_ms:.0f} ms (5,000 questions)")
    print(f"{'search':<22}{'hits':>6}{'decode':>9}{'prefilter':>11}{'sql-instr':>11}"
          f"{'fts5':>8}")
    for needle in NEEDLES:
        decode_ms, expected = best(lambda n=needle: by_decoding(n), 3)
        pre_ms, found = best(lambda n=needle: by_prefilter(n))
        assert found == expected, needle
        sql_ms, _ = best(lambda n=needle: by_sql(n))
        fts_ms, fts = best(lambda n=needle: by_fts(n))
        fts_text = "—" if fts is None else f"{fts_ms:.1f}"
        print(f"{needle:<22}{len(expected):>6}{decode_ms:>9.0f}{pre_ms:>11.1f}{sql_ms:>11.1f}"
              f"{fts_text:>8}")
    assert normalized(" A\n b ") == "a b"
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/quiz-bench"))
