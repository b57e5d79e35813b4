"""Imported notes as bank questions: languages told apart, ids from a stable key.

Shared by `anki_import` and `csv_import`; `bank_writer` turns them into YAML.

- Languages: a text with a Han character is Chinese (`zh`), any other text English (`en`).
  A note whose prompts hold both languages gives both; each language's answer is the answer
  fields in that language (all of them when none is). A note in one language fills the other
  with the same text and gets the tag `needs-translation` (a bank needs both languages).
- Ids: `<prefix>-<slug>-<hash>`, the hash 10 hex digits of SHA-256 of the note's key (its
  GUID, else its first field as Anki matches notes), the slug a few words of the English
  prompt. On a second import the bank writer matches questions by the hash alone, so the
  ids stay the same even when the text (hence the slug) changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from quiz.model import Source, Text
from quiz.printable import UNSAFE

NEEDS_TRANSLATION = "needs-translation"
HASH_DIGITS = 10
SLUG_WORDS = 5
SLUG_CHARS = 40
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[a-z0-9]+")
ID_TAIL = re.compile(r"-([0-9a-f]{10})$")


@dataclass(frozen=True)
class ImportedQuestion:
    """One note as a bank question: its key, prompt and answer in zh and en, and tags."""

    key: str  # what identifies the note across imports (GUID, id column or first field)
    prefix: str  # the id's first word: anki, csv
    prompt: Text
    answer: Text
    tags: tuple[str, ...] = ()
    translated: bool = True  # False: one language was copied into the other
    brief: Text | None = None
    note: Text | None = None
    sources: tuple[Source, ...] = ()
    missing: str | None = None  # the copied language (zh or en), when not translated
    origin: str = field(default="", compare=False)  # for messages: "note 12", "line 4"

    @property
    def key_hash(self) -> str:
        """The id's last part: 10 hex digits of SHA-256 of the key."""
        return key_hash(self.key)

    def new_id(self) -> str:
        """The id a first import gives it."""
        words = _WORD.findall(_ascii(self.prompt.en).lower())[:SLUG_WORDS]
        slug = "-".join(words)[:SLUG_CHARS].strip("-")
        return "-".join(part for part in (self.prefix, slug, self.key_hash) if part)


def key_hash(key: str) -> str:
    """10 hex digits of SHA-256 of a note's key."""
    return hashlib.sha256(key.encode()).hexdigest()[:HASH_DIGITS]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def is_chinese(text: str) -> bool:
    """True if the text holds a Han character."""
    return _HAN.search(text) is not None


def by_language(texts: list[str]) -> dict[str, list[str]]:
    """Non-empty texts sorted into zh and en."""
    out: dict[str, list[str]] = {"zh": [], "en": []}
    for text in texts:
        if text.strip():
            out["zh" if is_chinese(text) else "en"].append(text)
    return out


def bilingual(fronts: list[str], backs: list[str]) -> tuple[Text, Text, str | None] | None:
    """(prompt, answer, the copied language or None) from prompt and answer texts; None if
    there is no prompt or no answer."""
    prompts = by_language(fronts)
    answers = by_language(backs)
    every_answer = [b for b in backs if b.strip()]
    if not every_answer or not (prompts["zh"] or prompts["en"]):
        return None
    if prompts["zh"] and prompts["en"]:
        q = {lang: "\n\n".join(prompts[lang]) for lang in ("zh", "en")}
        a = {lang: "\n\n".join(answers[lang] or every_answer) for lang in ("zh", "en")}
        return Text(q["zh"], q["en"]), Text(a["zh"], a["en"]), None
    lang = "zh" if prompts["zh"] else "en"
    q_text = "\n\n".join(prompts[lang])
    a_text = "\n\n".join(every_answer)
    return Text(q_text, q_text), Text(a_text, a_text), "en" if lang == "zh" else "zh"


def anki_tags(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Tags as a bank holds them: no empty ones, no duplicates, in order."""
    return tuple(dict.fromkeys(t for t in (UNSAFE.sub("", tag).strip() for tag in tags) if t))


def with_translation_tag(tags: tuple[str, ...], translated: bool) -> tuple[str, ...]:
    """`tags` with `needs-translation` added (or removed) as `translated` says."""
    kept = tuple(t for t in tags if t != NEEDS_TRANSLATION)
    return kept if translated else (*kept, NEEDS_TRANSLATION)
