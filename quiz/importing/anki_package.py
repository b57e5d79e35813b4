"""An Anki package (.apkg, .colpkg) read into plain values, with zipfile, sqlite3 and zstandard.

What a package holds (Anki's `rslib/src/import_export/package`): a zip with `meta`, `media`
and a collection, a SQLite database:

- `collection.anki21b`: the current format (schema 18), zstd-compressed. Note types live in
  tables of their own (`notetypes`, `fields`; a note type's kind, normal or cloze, is field 1
  of the protobuf in `notetypes.config`), decks in `decks`. Such packages also carry a
  `collection.anki2` that only holds a note "please update Anki": it is not read.
- `collection.anki21` / `collection.anki2`: the legacy formats (schema 11): note types and
  decks are JSON in the `col` row (`models`, `decks`; a model's `type` 1 is cloze).

Both share `notes` (fields joined by U+001F), `cards` and `revlog`. Anki's own library is
never imported here (it is AGPL and large); the tests use it to write packages.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from quiz.errors import UsageError, os_reason

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # preferred first
FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class NoteType:
    """A note type: its name, its fields in order and whether it is a cloze type."""

    id: int
    name: str
    fields: tuple[str, ...]
    cloze: bool = False


@dataclass(frozen=True)
class Note:
    """A note: its GUID (stable across exports), note type, fields (HTML) and tags."""

    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class AnkiCard:
    """A card's scheduling columns, as Anki stores them.

    type: 0 new, 1 learning, 2 review, 3 relearning. queue: the same, -1 suspended, -2/-3
    buried. `due` is a day number (review and interday learning cards, counted from the
    collection's creation day) or a time in seconds (learning cards, queue 1); cards in a
    filtered deck keep their own due in `original_due`.
    """

    id: int
    note: int
    deck: int
    ord: int
    type: int
    queue: int
    due: int
    interval: int
    factor: int
    reps: int
    lapses: int
    original_due: int = 0
    original_deck: int = 0


@dataclass(frozen=True)
class RevlogEntry:
    """One answer: `id` is its time in ms since the epoch; ease 1–4 (0: a manual reschedule);
    `interval` in days after it (negative: seconds of a learning step); factor in permille."""

    id: int
    card: int
    ease: int
    interval: int
    last_interval: int
    factor: int
    time_ms: int
    type: int


@dataclass(frozen=True)
class Collection:
    """The parts of an Anki collection that quiz imports."""

    created: int  # the collection's creation time (s since the epoch): day 0 of card dues
    notetypes: dict[int, NoteType]
    decks: dict[int, str]
    notes: tuple[Note, ...]
    cards: tuple[AnkiCard, ...]
    revlog: tuple[RevlogEntry, ...]
    source: str = ""  # the member the collection was read from


def read_package(path: Path) -> Collection:
    """The collection in an .apkg/.colpkg; UsageError (exit 2) saying what is wrong with it."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UsageError(f"{name} is not an Anki package: it is not a zip file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {os_reason(exc)}") from None
    with archive, tempfile.TemporaryDirectory(prefix="quiz-anki-") as tmp:
        members = set(archive.namelist())
        member = next((m for m in COLLECTIONS if m in members), None)
        if member is None:
            raise UsageError(f"{name} holds no Anki collection (none of "
                             f"{', '.join(COLLECTIONS)}); export it from Anki again")
        target = Path(tmp) / "collection.sqlite"
        try:
            with archive.open(member) as source, target.open("wb") as out:
                if member.endswith("21b"):
                    _unzstd(source, out, name)
                else:
                    shutil.copyfileobj(source, out)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a damaged zip member
            raise UsageError(f"cannot read {member} in {name}: {exc}") from None
        try:
            return _read_collection(target, member)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"the collection {member} in {name} cannot be read ({exc}); "
                             "export it from Anki again") from None


def _unzstd(source: object, out: object, name: str) -> None:
    import zstandard  # only for the current format

    try:
        zstandard.ZstdDecompressor().copy_stream(source, out)
    except zstandard.ZstdError as exc:
        raise UsageError(f"the collection in {name} is not valid zstd data ({exc})") from None


def _read_collection(path: Path, member: str) -> Collection:
    # Read-only and immutable: the temporary copy is never written, not even a journal.
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for needed in ("col", "notes", "cards", "revlog"):
            if needed not in tables:
                raise ValueError(f"no table '{needed}'")
        if "notetypes" in tables:
            notetypes, decks = _schema18(conn)
        else:
            notetypes, decks = _schema11(conn)
        created = conn.execute("SELECT crt FROM col").fetchone()[0]
        notes = tuple(
            Note(id=nid, guid=guid, notetype=mid, fields=tuple(flds.split(FIELD_SEPARATOR)),
                 tags=tuple(tags.split()))
            for nid, guid, mid, flds, tags in conn.execute(
                "SELECT id, guid, mid, flds, tags FROM notes ORDER BY id"))
        cards = tuple(AnkiCard(*row) for row in conn.execute(
            "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, odue, odid "
            "FROM cards ORDER BY id"))
        revlog = tuple(RevlogEntry(*row) for row in conn.execute(
            "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"))
    finally:
        conn.close()
    return Collection(created=created, notetypes=notetypes, decks=decks, notes=notes,
                      cards=cards, revlog=revlog, source=member)


def _schema18(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    notetypes = {
        ntid: NoteType(id=ntid, name=name, fields=tuple(fields.get(ntid, ())),
                       cloze=_protobuf_varint(config or b"", 1) == 1)
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes")}
    # Deck names nest with U+001F in this schema; Anki shows them with `::`.
    decks = {did: name.replace(FIELD_SEPARATOR, "::")
             for did, name in conn.execute("SELECT id, name FROM decks")}
    return notetypes, decks


def _schema11(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    models = json.loads(models_json or "{}")
    notetypes = {
        int(mid): NoteType(id=int(mid), name=str(m.get("name", "")),
                           fields=tuple(str(f["name"]) for f in sorted(
                               m.get("flds", []), key=lambda f: f.get("ord", 0))),
                           cloze=m.get("type") == 1)
        for mid, m in models.items()}
    decks = {int(did): str(d.get("name", "")) for did, d in json.loads(decks_json or "{}").items()}
    return notetypes, decks


def _protobuf_varint(data: bytes, wanted: int) -> int | None:
    """The value of varint field `wanted` in a protobuf message, or None (a tiny reader:
    only the note type's kind is needed, not the protobuf library)."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = value = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    try:
        while pos < len(data):
            key = varint()
            number, wire = key >> 3, key & 7
            if wire == 0:
                value = varint()
                if number == wanted:
                    return value
            elif wire == 2:
                pos += varint()
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            else:
                return None
    except IndexError:
        return None
    return None
