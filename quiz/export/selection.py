"""What `quiz export` writes, whatever the format: the selection, the cards, their ids, the file.

The writers (`apkg`, `spreadsheet`, `markdown`) take the `Flashcard`s built here.
An open question is one flashcard; a numeric template becomes `instances` flashcards, each a
drawn instance with fixed seeds, its expected value as the answer and its worked solution.

Ids are hashes of fixed strings, never random, so that a second export of the same bank
names the same notes, decks and note type, and Anki updates the notes in place.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, TextIO

from quiz.errors import QuizError, UsageError, os_reason
from quiz.model import Card, Question, Source, Text, Topic
from quiz.numeric import templates as numeric
from quiz.review_queue import is_weak

DECK_ROOT = "quiz"
SEED_TRIES = 20  # seeds tried per wanted instance when looking for distinct draws

_KEPT_SPACES = re.compile(r"(?<= ) |^ ", re.MULTILINE)  # a space after a space, or leading
_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")


# -- stable ids -----------------------------------------------------------------------------


def _hash64(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def stable_id(key: str) -> int:
    """A deck or note-type id from a fixed string, in genanki's recommended [2^30, 2^31)."""
    return (1 << 30) + _hash64(key) % (1 << 30)


def note_guid(card_id: str) -> str:
    """An Anki note GUID from a card id: base91 of 64 bits of SHA-256 (as genanki.guid_for)."""
    value, digits = _hash64(card_id), []
    while value:
        value, digit = divmod(value, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def deck_name(topic: str) -> str:
    """The Anki deck of a topic: `quiz::cnn`."""
    return f"{DECK_ROOT}::{topic}"


# -- the cards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flashcard:
    """One exported card: an open question, or one drawn instance of a numeric template."""

    question: Question
    prompt: Text
    answer: Text
    solution: Text | None = None  # the worked solution of a numeric instance
    seed: int | None = None  # the instance's seed; None for an open question

    @property
    def id(self) -> str:
        """The question id, with `#seed` for a numeric instance."""
        return self.question.id if self.seed is None else f"{self.question.id}#{self.seed}"

    @property
    def guid(self) -> str:
        return note_guid(self.id)

    @property
    def tags(self) -> list[str]:
        """The bank's tags and the topic, as Anki tags (no spaces)."""
        names = [*self.question.tags, self.question.topic]
        return list(dict.fromkeys(re.sub(r"\s+", "_", t.strip()) for t in names if t.strip()))


def numeric_instances(question: Question, count: int) -> list[numeric.Instance]:
    """Up to `count` distinct instances of a numeric template, from seeds 0, 1, 2, …

    Seeds whose draw repeats an earlier one are skipped, so the same seeds come back on
    every export (and asking for more instances keeps the first ones).
    """
    found: dict[str, numeric.Instance] = {}
    for seed in range(count * SEED_TRIES):
        if len(found) == count:
            break
        try:
            instance = numeric.instantiate(question, seed)
        except ValueError:  # no valid draw from this seed
            continue
        found.setdefault(repr(sorted(instance.values.items())), instance)
    return list(found.values())


def flashcards(questions: Iterable[Question], instances: int = 3) -> list[Flashcard]:
    """The cards of `questions` in order: `instances` per numeric template."""
    cards = []
    for q in questions:
        if q.numeric is None:
            cards.append(Flashcard(q, q.prompt, q.answer or Text("", "")))
            continue
        for inst in numeric_instances(q, instances):
            value = numeric.format_value(inst.expected)
            cards.append(Flashcard(q, inst.prompt, Text(value, value), inst.solution, inst.seed))
    return cards


# -- selection ------------------------------------------------------------------------------


def by_topic(questions: Iterable[Question], topics: Mapping[str, Topic]) -> list[Question]:
    """Questions grouped by topic in the bank's topic order, bank order within a topic."""
    order = {topic: i for i, topic in enumerate(topics)}
    return sorted(questions, key=lambda q: order.get(q.topic, len(order)))


def days_after(today: date, days: int) -> date:
    """`today + days`, or the last day there is when that is past the year 9999."""
    try:
        return today + timedelta(days=days)
    except OverflowError:  # `--days 3000000`: every card is due within it
        return date.max



def filter_by_state(questions: Iterable[Question], cards: Mapping[str, Card], *, today: date,
                    due_days: int | None = None, weak: bool = False,
                    interview: date | None = None) -> list[Question]:
    """Questions due within `due_days` of `today` (when given) and weak (when asked): both.

    "Due" is `list --due`'s rule (review_queue.is_due): buried cards are left out and the
    interview plan's earlier due dates count."""
    from quiz.review_queue import is_due_by

    horizon = days_after(today, due_days) if due_days is not None else None

    def due(card: Card | None) -> bool:
        return horizon is not None and is_due_by(card, today, horizon, interview)

    return [q for q in questions
            if (horizon is None or due(cards.get(q.id)))
            and (not weak or is_weak(cards.get(q.id)))]


# -- text -----------------------------------------------------------------------------------


def to_html(text: str | None) -> str:
    """Bank text as HTML: escaped, newlines as <br>, runs of spaces kept (matrices line up).

    `[` is written `&#91;` too: Anki reads `[sound:x.mp3]` (and `[latex]`, `[anki:…]`) in a
    field as a media reference or a tag, never what bank text means.
    """
    if not text:
        return ""
    text = html.escape(text.strip("\n"), quote=False).replace("[", "&#91;")
    if "  " in text or "\n " in text or text.startswith(" "):
        text = _KEPT_SPACES.sub("&nbsp;", text)
    return text.replace("\n", "<br>")


def source_lines(sources: Iterable[Source]) -> list[str]:
    """Each source as `title: question`."""
    return [f"{s.title}: {s.question}" for s in sources]


# -- files ----------------------------------------------------------------------------------


DATABASE_SIDECARS = ("", "-wal", "-shm", "-journal")  # SQLite's files beside the database


def database_files(database: Path) -> list[Path]:
    """The review database and the files SQLite keeps beside it."""
    return [database.with_name(database.name + suffix) for suffix in DATABASE_SIDECARS]


def _is_database_file(path: Path, database: Path) -> bool:
    """True if `path` is (a link to, or another name of) the database or one of its files."""
    target = os.path.realpath(path)
    for protected in database_files(database):
        if os.path.realpath(protected) == target:
            return True
        try:
            if os.path.samefile(protected, path):  # a hard link
                return True
        except OSError:  # one of them does not exist
            pass
    return False


def check_target(path: Path, force: bool, *, database: Path | None = None) -> None:
    """Refuse early (exit 2) a target that exists without --force, is a folder or a device,
    or is the review database (or its -wal, -shm or -journal file) under any name."""
    if database is not None and _is_database_file(path, database):
        raise UsageError(f"{path} is the review database (or one of its files); "
                         "export to another file")
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give a file name")
        if path.exists() and not path.is_file():  # renaming over it would replace the node
            raise UsageError(f"{path} is not a regular file (a device, a pipe or a socket); "
                             "give a file name, or - for standard output")
        if not path.parent.is_dir():
            raise UsageError(f"the folder {path.parent} does not exist")
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; add --force to replace it")
    except OSError as exc:  # a name too long, a folder that cannot be searched
        raise UsageError(f"cannot write {path}: {os_reason(exc)}") from None


def write_file(path: Path, write: Callable[[IO[bytes]], object], *, force: bool,
               database: Path | None = None) -> None:
    """Write `path` through `write(binary_file)` all or nothing: a temp file beside it, renamed.

    Without `force` an existing file is never replaced, even one that appears meanwhile.
    """
    check_target(path, force, database=database)
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:200]}.",
                                        suffix=".tmp")
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        mask = os.umask(0)
        os.umask(mask)
        tmp.chmod(0o666 & ~mask)  # mkstemp makes the file private; give it the usual mode
        _rename(tmp, path, force)
    except OSError as exc:
        raise QuizError(f"cannot write {path}: {os_reason(exc)}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def write_text_file(path: Path, write: Callable[[TextIO], object], *, force: bool,
                    database: Path | None = None) -> None:
    """`write_file` for text: `write(stream)` gets a UTF-8 stream with newline=""."""
    def binary(out: IO[bytes]) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        try:
            write(text)
            text.flush()
        finally:
            text.detach()  # leave the binary file to write_file

    write_file(path, binary, force=force, database=database)


def _rename(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the target exists: no check-then-replace race
    except FileExistsError:
        raise UsageError(f"{path} already exists; add --force to replace it") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise UsageError(f"{path} already exists; add --force to replace it") from None
        os.replace(tmp, path)
