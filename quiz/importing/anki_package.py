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

A package is a file from elsewhere, so its reading is bounded (a zip bomb is an error, exit
2, before it fills the disk or the memory): at most MAX_MEMBERS members declaring at most
MAX_TOTAL_BYTES in all; the collection unpacks (zip, then zstd) to at most
MAX_COLLECTION_BYTES, and past RATIO_FLOOR bytes to at most MAX_RATIO times its packed size.
Only the collection is unpacked, never the media.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from quiz.errors import UsageError, os_reason

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # preferred first
FIELD_SEPARATOR = "\x1f"
MAX_MEMBERS = 100_000  # members of the zip: the collection, meta, media and one per media file
MAX_TOTAL_BYTES = 32 * 2**30  # declared unpacked size of all members (media included)
MAX_COLLECTION_BYTES = 2 * 2**30  # the unpacked collection; a large real one is ~1 GiB
MAX_RATIO = 1000  # unpacked / packed; SQLite collections pack 3–20 to 1
RATIO_FLOOR = 32 * 2**20  # the ratio is checked once this much is unpacked
MAX_ZSTD_WINDOW = 2**27  # zstd's own default limit (128 MiB of memory), made explicit
_CHUNK = 2**20


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
        infos = archive.infolist()
        _check_members(infos, name)
        members = {info.filename: info for info in infos}
        member = next((m for m in COLLECTIONS if m in members), None)
        if member is None:
            raise UsageError(f"{name} holds no Anki collection (none of "
                             f"{', '.join(COLLECTIONS)}); export it from Anki again")
        info = members[member]
        _check_packed(info.file_size, info.compress_size, f"{member} in {name}")
        target = Path(tmp) / "collection.sqlite"
        try:
            with archive.open(member) as source, target.open("wb") as out:
                if member.endswith("21b"):
                    _unzstd(source, out, info.compress_size, f"{member} in {name}")
                else:
                    _copy(iter(lambda: source.read(_CHUNK), b""), out, info.compress_size,
                          f"{member} in {name}")
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a damaged zip member
            raise UsageError(f"cannot read {member} in {name}: {exc}") from None
        try:
            return _read_collection(target, member)
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"the collection {member} in {name} cannot be read ({exc}); "
                             "export it from Anki again") from None


def _check_members(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise UsageError(f"{name} has {len(infos):,} members, more than the {MAX_MEMBERS:,} "
                         "an Anki package may have here; nothing was imported")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise UsageError(f"{name} declares {_size(total)} unpacked, more than the "
                         f"{_size(MAX_TOTAL_BYTES)} limit (a zip bomb?); nothing was imported")


def _check_packed(unpacked: int, packed: int, what: str) -> None:
    """Refuse `what` if it unpacks past the collection limit, or past the ratio limit."""
    if unpacked > MAX_COLLECTION_BYTES:
        raise UsageError(f"the collection {what} unpacks to more than "
                         f"{_size(MAX_COLLECTION_BYTES)}, the limit; nothing was imported")
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        raise UsageError(f"the collection {what} unpacks to more than {MAX_RATIO} times its "
                         "packed size: a zip bomb, not an Anki export; nothing was imported")


def _copy(chunks: Iterable[bytes], out: BinaryIO, packed: int, what: str) -> None:
    """Write `chunks` to `out`, checking the limits as the unpacked size grows."""
    written = 0
    for chunk in chunks:
        written += len(chunk)
        _check_packed(written, packed, what)
        out.write(chunk)


def _unzstd(source: BinaryIO, out: BinaryIO, packed: int, what: str) -> None:
    import zstandard  # only for the current format

    head = source.read(18)  # a frame header is at most 18 bytes
    try:
        declared = zstandard.get_frame_parameters(head).content_size
    except zstandard.ZstdError:
        declared = zstandard.CONTENTSIZE_UNKNOWN  # reported below, as the data is read
    if declared not in (zstandard.CONTENTSIZE_UNKNOWN, zstandard.CONTENTSIZE_ERROR):
        _check_packed(declared, packed, what)
    data = _Prefixed(head, source)
    try:
        reader = zstandard.ZstdDecompressor(max_window_size=MAX_ZSTD_WINDOW).read_to_iter(
            data, read_size=_CHUNK, write_size=_CHUNK)
        _copy(reader, out, packed, what)
    except zstandard.ZstdError as exc:
        raise UsageError(f"the collection {what} is not valid zstd data ({exc})") from None


class _Prefixed:
    """A stream read again from its start: the bytes already read, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        cut = len(self.head) if size < 0 else size
        taken, self.head = self.head[:cut], self.head[cut:]
        return taken


def _size(count: int) -> str:
    return f"{count / 2**30:,.1f} GiB" if count >= 2**30 else f"{count / 2**20:,.1f} MiB"


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
