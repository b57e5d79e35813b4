"""The parsed bank, kept in the store so that commands do not parse YAML every time.

The cache is keyed by the bank files' paths, sizes and modification times (and by
CACHE_VERSION, to be raised whenever the parser or the question model changes). When they
match, a command reads each question's id, topic, type and tags from one indexed table,
and decodes the full question only for the cards it shows; when they do not, the YAML is
loaded and validated as always (a BankError stops the command) and the cache rewritten.
A database that cannot be written just gets no cache.

A broken file does not stop the others: it is left out whole, and its problems are kept with
the cache (`skipped`) so every command can show them. Beside the questions the cache keeps,
across loads of different files, two memories (in `settings`, as JSON):

- `sources`: the file each question id was last loaded from. A card is retired only when its
  question is gone from that file and the file was loaded (or the file is gone from a folder
  that was searched): a run with other banks, or with that file broken, retires nothing.
- `versions`: the text a card was last reviewed with, kept when the bank's text changes, so
  the session can show what changed (`previous_version`). Pruned to the cards' fingerprints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from quiz.bank.files import signature
from quiz.errors import BankError, StoreError
from quiz.model import KeyPoint, NumericSpec, Question, Source, Text, Topic
from quiz.store import Store, put_setting, stored_text

if TYPE_CHECKING:
    from quiz.bank.reader import Bank, Loaded

# 5: broken files are skipped; the loaded files, their problems and each id's file are kept
CACHE_VERSION = "5"
TAG_SEPARATOR = "\x1f"  # tags are stored joined: cheaper to read than JSON
KEY = "bank_cache"
LOADED_KEY = KEY + ":loaded"  # the files loaded, the folders searched, the problems skipped
SOURCES_KEY = KEY + ":sources"  # question id → the file it was last loaded from
VERSIONS_KEY = KEY + ":versions"  # fingerprint → the question as it was last reviewed
Problem = tuple[str, int, str]
# Every question's (question_id, topic) from the covering index alone (schema 5), never the
# table's rows and their JSON.
SCOPE_TABLE = "(SELECT id AS question_id, topic FROM bank_questions INDEXED BY bank_topics)"


class Entry(NamedTuple):
    """What queues and filters need to know of a question, without its text: a row of the
    cache's index (review_queue.Listed), read by the hundred, so a tuple."""

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
        self._loaded: Loaded | None = None  # likewise
        self._usable: bool | None = None  # known once checked: is the cache current?

    def _refresh(self) -> bool:
        """Make the cache current (parsing the YAML if needed); False if it cannot be used."""
        if self._usable is not None:
            return self._usable
        key = f"{CACHE_VERSION}\n{signature(self.paths)}"
        if self.store.setting(KEY) != key:
            self._load(key)
        else:
            self._usable = True
        return self._usable

    def _load(self, key: str) -> None:
        from quiz.bank.reader import load_sound_files  # only now: yaml and the parser, ~50 ms

        self._loaded = load_sound_files(self.paths)
        if self._loaded.skipped and not self._loaded.bank.questions:
            raise BankError(list(self._loaded.skipped))  # nothing to study: say why, exit 2
        self._bank = self._loaded.bank
        try:
            write(self.store, self._loaded, key)
            self._usable = True
        except StoreError:  # e.g. a read-only database: answer from the parsed bank
            self._usable = False

    def _reparse(self) -> None:
        """The cache holds what this quiz cannot decode (changed by hand, or damaged):
        answer from the YAML, and rewrite the cache from it."""
        self._load(f"{CACHE_VERSION}\n{signature(self.paths)}")
        self._usable = False

    def skipped(self) -> list[Problem]:
        """The problems of the bank files left out (and of paths that cannot be used)."""
        return [tuple(p) for p in self._loaded_info()["skipped"]]  # type: ignore[misc]

    def _loaded_info(self) -> dict[str, Any]:
        if self._refresh():
            try:
                info = json.loads(self.store.setting(LOADED_KEY) or "null")
                if (isinstance(info, dict) and all(isinstance(info.get(k), list) for k in
                                                   ("files", "folders", "skipped"))):
                    return info
            except UNDECODABLE:
                pass
            self._reparse()
        loaded = self._loaded
        return {"files": list(loaded.files), "folders": list(loaded.folders),
                "skipped": [list(p) for p in loaded.skipped]}

    def retirable(self, bank_ids: Iterable[str]) -> set[str]:
        """The ids not in `bank_ids` whose file was loaded, or is gone from a folder searched:
        the questions gone from the bank, whose cards may be retired."""
        info = self._loaded_info()
        try:
            sources = json.loads(self.store.setting(SOURCES_KEY) or "{}")
        except UNDECODABLE:
            sources = {}
        if not isinstance(sources, dict):
            sources = {}
        present = set(bank_ids)
        loaded = set(info["files"])
        folders = [f for f in info["folders"] if isinstance(f, str)]
        known: dict[str, bool] = {}

        def gone_from_bank(file: object) -> bool:
            if not isinstance(file, str):
                return False
            if file not in known:
                known[file] = file in loaded or _gone_from(file, folders)
            return known[file]

        return {qid for qid, file in sources.items()
                if qid not in present and gone_from_bank(file)}

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

    def search(self, needle: str) -> list[Question]:
        """The questions whose text contains `needle` (`quiz.search`'s rule), in bank order:
        a scan of the cached JSON, decoding only the rows that may match (so a row changed
        by hand is noticed, and the YAML read instead, only when it may match)."""
        from quiz.search import matches, normalized

        if self._refresh():
            # A word of the search with no character JSON escapes appears as it is in the
            # case-folded JSON of every question that matches: a cheap test before decoding.
            words = [w for w in normalized(needle).split(" ")
                     if all(c >= " " and c not in '"\\' for c in w)]
            rows = self.store.query("SELECT data FROM bank_questions ORDER BY pos")
            try:
                return [q for q in (decode(json.loads(r["data"])) for r in rows
                                    if all(w in _text(r["data"]).casefold() for w in words))
                        if matches(q, needle)]
            except UNDECODABLE:
                self._reparse()
        return [q for q in self._bank.questions if matches(q, needle)]


# What a cache changed by hand can raise on decoding; the cache is then rebuilt.
UNDECODABLE = (ValueError, TypeError, KeyError, AttributeError)


def _text(value: object) -> str:
    return stored_text(value, nullable=False)  # type: ignore[return-value]


def _gone_from(file: str, folders: list[str]) -> bool:
    """True if `file` no longer exists and lay under one of `folders` (resolved paths)."""
    if not any(os.path.commonpath([file, folder]) == folder for folder in folders
               if os.path.isabs(file) and os.path.isabs(folder)):
        return False
    try:
        os.stat(file)
    except FileNotFoundError:
        return True
    except OSError:  # unreadable is not gone
        return False
    return False


def write(store: Store, loaded: Loaded, key: str) -> None:
    """Replace the cached bank with `loaded`'s, under `key`, in one transaction; remember
    each question's file, and the text each card was last reviewed with if it changed."""
    bank = loaded.bank
    rows = [(pos, q.id, q.topic, q.type, TAG_SEPARATOR.join(q.tags), encode(q))
            for pos, q in enumerate(bank.questions)]
    topics = json.dumps([asdict(t) for t in bank.topics.values()], ensure_ascii=False)
    info = json.dumps({"files": list(loaded.files), "folders": list(loaded.folders),
                       "skipped": [list(p) for p in loaded.skipped]}, ensure_ascii=False)
    with store.transaction() as conn:
        sources = _json_object(conn, SOURCES_KEY)
        _remember_cached_files(conn, sources)
        for q in bank.questions:
            sources[q.id] = _resolved(q.file)
        versions = _kept_versions(conn, bank)
        conn.execute("DELETE FROM bank_questions")
        conn.executemany("INSERT INTO bank_questions (pos, id, topic, type, tags, data) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
        for name, value in ((KEY + ":topics", topics), (LOADED_KEY, info),
                            (SOURCES_KEY, json.dumps(sources, ensure_ascii=False)),
                            (VERSIONS_KEY, json.dumps(versions, ensure_ascii=False)),
                            (KEY, key)):
            put_setting(conn, name, value)


def _resolved(file: str) -> str:
    try:
        return str(Path(file).resolve())
    except (OSError, RuntimeError):
        return file


def _remember_cached_files(conn: Any, sources: dict[str, Any]) -> None:
    """Add the file of each question the cache holds and `sources` does not know yet: on
    the first load by a quiz that keeps sources, what the previous load held."""
    rows = conn.execute("SELECT id, data FROM bank_questions WHERE id NOT IN "
                        "(SELECT value FROM json_each(?))", (json.dumps(list(sources)),))
    for qid, data in rows:
        try:
            file = json.loads(data)["file"]
        except UNDECODABLE:
            continue
        if isinstance(qid, str) and isinstance(file, str) and file:
            sources[qid] = _resolved(file)


def _json_object(conn: Any, key: str) -> dict[str, Any]:
    """The JSON object stored under `key` in settings, or {} if none or not one."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    try:
        value = json.loads(row[0]) if row and isinstance(row[0], str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _kept_versions(conn: Any, bank: Bank) -> dict[str, Any]:
    """The versions to keep: those still some card's last reviewed text, plus the cached
    text of each card whose question's text the new bank changes."""
    reviewed = {row[0]: row[1] for row in conn.execute(
        "SELECT question_id, fingerprint FROM cards WHERE typeof(fingerprint) = 'text' "
        "AND fingerprint != ''")}
    wanted = set(reviewed.values())
    versions = {fp: data for fp, data in _json_object(conn, VERSIONS_KEY).items()
                if fp in wanted}
    changed = [q.id for q in bank.questions
               if q.id in reviewed and reviewed[q.id] not in versions
               and reviewed[q.id] != q.fingerprint()]
    if changed:
        for data in conn.execute("SELECT data FROM bank_questions WHERE id IN "
                                 "(SELECT value FROM json_each(?))", (json.dumps(changed),)):
            try:
                old = decode(json.loads(data[0]))
            except UNDECODABLE:
                continue
            if reviewed.get(old.id) == old.fingerprint():
                versions[old.fingerprint()] = json.loads(data[0])
    return versions


def previous_version(store: Store, fingerprint: str) -> Question | None:
    """The question as it was when its card was last reviewed with `fingerprint`, if the
    cache kept it (it does from the first load after that review whose text changed)."""
    try:
        data = json.loads(store.setting(VERSIONS_KEY) or "{}").get(fingerprint)
        return decode(data) if data is not None else None
    except (*UNDECODABLE, StoreError):
        return None


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
