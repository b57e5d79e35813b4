"""Imported questions written as a bank file that `quiz validate` accepts, updated in place.

A second import into the same file updates the questions it wrote before, matched by the
hash at the end of their ids (see `imported.py`), and keeps their ids, the questions it did
not write (a learner's own, numeric ones) and what the learner added (a brief, a note, key
points). A language that was copied (`needs-translation`) and has since been translated in
the file is kept. The file is rewritten whole (YAML comments are not kept), through a
temporary file, and only after the new text has been parsed back as a valid bank.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz.errors import BankError, UsageError, os_reason
from quiz.importing.imported import ID_TAIL, NEEDS_TRANSLATION, ImportedQuestion
from quiz.lang import BANK_LANGS
from quiz.model import Question


@dataclass
class Merged:
    """The bank to write, the id of each imported question (None: left out) and counts."""

    document: dict[str, Any]
    ids: list[str | None]
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def read_existing(path: Path) -> dict[str, Any] | None:
    """The bank already at `path` as plain data, or None when there is no file.

    A file that is not a valid bank stops the import (BankError, every problem listed):
    writing over it could lose what the learner wrote.
    """
    from quiz.bank.reader import _Loader, parse_file  # the bank's own reading: text stays text

    if not path.exists():
        return None
    _topic, _questions, problems = parse_file(path)
    if problems:
        raise BankError(problems)
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {os_reason(exc)}") from None


def merge(existing: dict[str, Any] | None, imported: Sequence[ImportedQuestion], *,
          topic: str | None, title: str) -> Merged:
    """The bank after importing `imported` into `existing` (None: a new file)."""
    document: dict[str, Any] = dict(existing) if existing else {}
    document["topic"] = topic or document.get("topic") or "anki"
    document.setdefault("title", {"zh": title, "en": title})
    questions = [dict(q) for q in document.get("questions") or []]
    by_hash: dict[str, int] = {}
    for index, q in enumerate(questions):
        match = ID_TAIL.search(str(q.get("id", "")))
        if match:
            by_hash.setdefault(match.group(1), index)
    merged = Merged(document=document, ids=[])
    seen: set[str] = set()
    for item in imported:
        digest = item.key_hash
        if digest in seen:
            merged.ids.append(None)
            merged.warnings.append(f"{item.origin}: left out, it is the same note as an earlier "
                                   "one (same GUID or first field)")
            continue
        seen.add(digest)
        if digest in by_hash:
            old = questions[by_hash[digest]]
            new = _updated(old, item)
            if new == old:
                merged.unchanged += 1
            else:
                merged.updated += 1
            questions[by_hash[digest]] = new
            merged.ids.append(new["id"])
        else:
            new = _fresh(item)
            by_hash[digest] = len(questions)
            questions.append(new)
            merged.added += 1
            merged.ids.append(new["id"])
    document["questions"] = questions
    return merged


def _fresh(item: ImportedQuestion) -> dict[str, Any]:
    q: dict[str, Any] = {"id": item.new_id()}
    if item.tags:
        q["tags"] = list(item.tags)
    for lang in BANK_LANGS:
        q[lang] = _texts(item, lang)
    if item.note:
        q["note"] = {"zh": item.note.zh, "en": item.note.en}
    if item.sources:
        q["sources"] = [{"title": s.title, "question": s.question} for s in item.sources]
    return q


def _texts(item: ImportedQuestion, lang: str) -> dict[str, str]:
    texts = {"q": item.prompt.get(lang)}
    if item.brief:
        texts["brief"] = item.brief.get(lang)
    texts["a"] = item.answer.get(lang)
    return texts


def _updated(old: dict[str, Any], item: ImportedQuestion) -> dict[str, Any]:
    new = dict(old)
    old_tags = [str(t) for t in old.get("tags") or []]
    # The copied language was translated in the file since: keep the translation.
    kept = item.missing if item.missing and NEEDS_TRANSLATION not in old_tags else None
    for lang in BANK_LANGS:
        if lang == kept:
            continue
        texts = dict(old.get(lang) or {})
        texts.update(_texts(item, lang))
        new[lang] = texts
    tags = [t for t in item.tags if t != NEEDS_TRANSLATION]
    if item.missing and kept is None:
        tags.append(NEEDS_TRANSLATION)
    if tags:
        new["tags"] = tags
    else:
        new.pop("tags", None)
    if item.note:
        new["note"] = {"zh": item.note.zh, "en": item.note.en}
    if item.sources:
        new["sources"] = [{"title": s.title, "question": s.question} for s in item.sources]
    return new


try:  # libyaml's emitter: several times faster on a large deck
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseDumper = yaml.SafeDumper  # type: ignore[misc]


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Text over several lines as `|` blocks, the rest as PyYAML sees fit."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(document: dict[str, Any]) -> str:
    """The bank as YAML text."""
    ordered = {key: document[key] for key in ("topic", "title", "questions") if key in document}
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


def write_bank(path: Path, text: str) -> list[Question]:
    """Write the bank text to `path` atomically, once it parses back as a valid bank; the
    questions it holds."""
    from quiz.bank.reader import parse_text

    _topic, questions, problems = parse_text(text, str(path))
    if problems:  # too large a deck for one file, say: nothing is written
        raise UsageError(f"{path} was not written: the imported bank would not be valid ("
                         + "; ".join(f"line {line}: {message}"
                                     for _name, line, message in problems[:3]) + ")")
    folder = path.parent if str(path.parent) else Path(".")
    temp = None
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, _mode(path))  # mkstemp makes the file private
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
        raise UsageError(f"cannot write {path}: {os_reason(exc)}") from None
    return questions


def _mode(path: Path) -> int:
    """The file's own permissions when it exists, else the usual ones (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
