"""The parsed bank, kept in the store so that commands do not parse YAML every time.

The cache is keyed by the bank files' paths, sizes and modification times (and by
CACHE_VERSION, to be raised whenever the parser or the question model changes). When they
match, a command reads each question's id, topic, type and tags from one indexed table,
and decodes the full question only for the cards it shows; when they do not, the YAML is
loaded and validated as always (a BankError stops the command) and the cache rewritten.
A database that cannot be written just gets no cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.bank.files import signature
from quiz.errors import StoreError
from quiz.model import KeyPoint, NumericSpec, Question, Source, Text, Topic
from quiz.store import Store

if TYPE_CHECKING:
    from quiz.bank.reader import Bank

CACHE_VERSION = "4"  # 4: brief lengths are checked, text scalars kept as written
TAG_SEPARATOR = "\x1f"  # tags are stored joined: cheaper to read than JSON
KEY = "bank_cache"
# Every question's (question_id, topic) from the covering index alone (schema 5), never the
# table's rows and their JSON.
SCOPE_TABLE = "(SELECT id AS question_id, topic FROM bank_questions INDEXED BY bank_topics)"


@dataclass(frozen=True)
class Entry:
    """What queues and filters need to know of a question, without its text."""

    id: str
    topic: str
    type: str
    tags: tuple[str, ...]


class BankCache:
    """The bank at `paths`, through the store's cache."""

    def __init__(self, store: Store, paths: Sequence[Path]) -> None:
        self.store = store
        self.paths = list(paths)
        self._bank: Bank | None = None  # set when this process parsed the YAML itself
        self._usable: bool | None = None  # known once checked: is the cache current?

    def _refresh(self) -> bool:
        """Make the cache current (parsing the YAML if needed); False if it cannot be used."""
        if self._usable is not None:
            return self._usable
        key = f"{CACHE_VERSION}\n{signature(self.paths)}"
        if self.store.setting(KEY) != key:
            from quiz.bank.reader import load_bank  # only now: yaml and the parser cost ~50 ms

            self._bank = load_bank(self.paths)
            try:
                write(self.store, self._bank, key)
            except StoreError:  # e.g. a read-only database: answer from the parsed bank
                self._usable = False
                return False
        self._usable = True
        return True

    def _reparse(self) -> None:
        """The cache holds what this quiz cannot decode (changed by hand, or damaged):
        answer from the YAML, and rewrite the cache from it."""
        from quiz.bank.reader import load_bank

        self._bank = load_bank(self.paths)
        self._usable = False
        try:
            write(self.store, self._bank, f"{CACHE_VERSION}\n{signature(self.paths)}")
        except StoreError:
            pass

    def entries(self, ids: Iterable[str] | None = None) -> list[Entry]:
        """Every question's id, topic, type and tags (or those of the bank questions among
        `ids`), in bank order."""
        if self._refresh():
            if ids is None:
                rows = self.store.query(
                    "SELECT id, topic, type, tags FROM bank_questions ORDER BY pos")
            else:
                rows = self.store.query(
                    "SELECT id, topic, type, tags FROM bank_questions WHERE id IN "
                    "(SELECT value FROM json_each(?)) ORDER BY pos", (json.dumps(list(ids)),))
            try:
                return [Entry(_text(r["id"]), _text(r["topic"]), _text(r["type"]),
                              tuple(_text(r["tags"]).split(TAG_SEPARATOR)) if r["tags"] else ())
                        for r in rows]
            except UNDECODABLE:
                self._reparse()
        wanted = None if ids is None else set(ids)
        return [Entry(q.id, q.topic, q.type, q.tags) for q in self._bank.questions
                if wanted is None or q.id in wanted]

    def topic_of(self) -> dict[str, str]:
        """Question id → topic, in bank order."""
        if self._refresh():
            rows = self.store.rows(
                "SELECT id, topic FROM bank_questions INDEXED BY bank_topics ORDER BY pos")
            try:
                return {_text(question_id): _text(topic) for question_id, topic in rows}
            except UNDECODABLE:
                self._reparse()
        return {q.id: q.topic for q in self._bank.questions}

    def scope_table(self) -> str | None:
        """An SQL source of every question's (question_id, topic), from the cache's table
        (None when the cache cannot be used): `quiz stats` joins it instead of the ids."""
        return (SCOPE_TABLE if self._refresh() else None)

    def questions(self, ids: Iterable[str] | None = None) -> list[Question]:
        """The full questions of `ids` (all of them if None), in the order of `ids`."""
        wanted = None if ids is None else list(ids)
        if self._refresh():
            try:
                return self._cached_questions(wanted)
            except UNDECODABLE:
                self._reparse()
        by_id = self._bank.by_id()
        return (list(self._bank.questions) if wanted is None
                else [by_id[i] for i in wanted if i in by_id])

    def _cached_questions(self, wanted: list[str] | None) -> list[Question]:
        if wanted is None:
            rows = self.store.query("SELECT data FROM bank_questions ORDER BY pos")
            return [decode(json.loads(r["data"])) for r in rows]
        rows = self.store.query("SELECT id, data FROM bank_questions WHERE id IN "
                                "(SELECT value FROM json_each(?))", (json.dumps(wanted),))
        found = {r["id"]: r["data"] for r in rows}
        return [decode(json.loads(found[i])) for i in wanted if i in found]

    def topics(self) -> dict[str, Topic]:
        """The topics with their titles, in bank order."""
        if self._refresh():
            try:
                raw = json.loads(self.store.setting(KEY + ":topics") or "[]")
                return {t["id"]: Topic(id=t["id"], title=Text(**t["title"]), file=t["file"])
                        for t in raw}
            except UNDECODABLE:
                self._reparse()
        return dict(self._bank.topics)


# What a cache changed by hand can raise on decoding; the cache is then rebuilt.
UNDECODABLE = (ValueError, TypeError, KeyError, AttributeError)


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"{value!r} is not text")
    return value


def write(store: Store, bank: Bank, key: str) -> None:
    """Replace the cached bank with `bank`, under `key`, in one transaction."""
    rows = [(pos, q.id, q.topic, q.type, TAG_SEPARATOR.join(q.tags), encode(q))
            for pos, q in enumerate(bank.questions)]
    topics = json.dumps([asdict(t) for t in bank.topics.values()], ensure_ascii=False)
    with store.transaction() as conn:
        conn.execute("DELETE FROM bank_questions")
        conn.executemany("INSERT INTO bank_questions (pos, id, topic, type, tags, data) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                     (KEY + ":topics", topics))
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (KEY, key))


def encode(question: Question) -> str:
    """A question as JSON (by hand: dataclasses.asdict deep-copies and is ~8× slower)."""
    def text(value: Text | None) -> dict[str, str] | None:
        return {"zh": value.zh, "en": value.en} if value is not None else None

    spec = question.numeric
    return json.dumps({
        "id": question.id, "topic": question.topic, "prompt": text(question.prompt),
        "answer": text(question.answer), "type": question.type, "tags": list(question.tags),
        "sources": [{"title": s.title, "question": s.question} for s in question.sources],
        "note": text(question.note), "brief": text(question.brief),
        "numeric": {"check": spec.check, "params": spec.params,
                    "constraints": list(spec.constraints), "tolerance": spec.tolerance}
        if spec is not None else None,
        "key_points": [{"zh": list(k.zh), "en": list(k.en)} for k in question.key_points],
        "file": question.file, "line": question.line}, ensure_ascii=False)


def decode(data: dict[str, Any]) -> Question:
    """A question from its JSON form (`encode`'s inverse)."""
    def text(value: dict[str, str] | None) -> Text | None:
        return Text(**value) if value is not None else None

    numeric = data["numeric"]
    return Question(
        id=data["id"], topic=data["topic"], prompt=text(data["prompt"]),
        answer=text(data["answer"]), type=data["type"], tags=tuple(data["tags"]),
        sources=tuple(Source(**s) for s in data["sources"]), note=text(data["note"]),
        numeric=NumericSpec(check=numeric["check"], params=numeric["params"],
                            constraints=tuple(numeric["constraints"]),
                            tolerance=numeric["tolerance"]) if numeric else None,
        key_points=tuple(KeyPoint(zh=tuple(k["zh"]), en=tuple(k["en"]))
                         for k in data["key_points"]),
        file=data["file"], line=data["line"], brief=text(data.get("brief")))
