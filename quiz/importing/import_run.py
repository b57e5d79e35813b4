"""One import, whatever the source: checks, merge into the bank file, write, report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.errors import UsageError, os_reason
from quiz.importing.imported import ImportedQuestion
from quiz.printable import UNSAFE

if TYPE_CHECKING:
    from quiz.store import Store

TOPIC_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_IMPORT_BYTES = 50_000_000
Report = Callable[..., None]


def slug(text: str) -> str:
    """Lowercase ASCII words joined by dashes ("Deep Learning" → "deep-learning")."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:40].strip("-")


def common_deck(decks: Sequence[str]) -> str:
    """The deck most questions came from ("" if none is named)."""
    named = Counter(d for d in decks if d)
    return named.most_common(1)[0][0] if named else ""


def deck_topic(decks: Sequence[str], out: Path) -> str:
    """A topic id from the most common deck's last part, else the file's name, else "anki"."""
    return slug(common_deck(decks).split("::")[-1]) or slug(out.stem) or "anki"


def read_text(path: Path) -> str:
    """A text file's content (UTF-8, a BOM allowed); UsageError when it cannot be read."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise UsageError(f"{path} is larger than {MAX_IMPORT_BYTES:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {os_reason(exc)}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None


def write_imported(out: Path, questions: Sequence[ImportedQuestion], *, topic: str | None,
                   default_topic: str | None, title: str, warnings: list[str], source: str,
                   report: Report) -> tuple[list[str | None], dict[str, str]]:
    """Merge `questions` into the bank at `out` and write it; (the id of each question or
    None when left out, the fingerprint of every question in the written bank)."""
    from quiz.bank.writer import dump, merge, read_existing, write_bank

    if out.suffix not in (".yaml", ".yml"):
        raise UsageError(f"--out must name a .yaml bank file, not '{out}'")
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; give a .yaml file name")
    if topic is not None and not TOPIC_PATTERN.match(topic):
        raise UsageError(f"--topic '{topic}' must be lowercase letters, digits and dashes")
    for warning in warnings:
        report(warning, warning=True)
    if not questions:
        raise UsageError(f"nothing to import from {source}: no note has both a question "
                         "and an answer (see the warnings above)")
    existing = read_existing(out)
    if existing is None and topic is None:
        topic = default_topic or slug(out.stem) or "imported"
    title = " ".join(UNSAFE.sub("", title).split()) or "imported"
    merged = merge(existing, questions, topic=topic, title=title)
    for warning in merged.warnings:
        report(warning, warning=True)
    written = write_bank(out, dump(merged.document))
    fingerprints = {q.id: q.fingerprint() for q in written}
    untranslated = sum(1 for q in questions if not q.translated)
    report(f"Imported {len(questions)} note(s) into {out} (topic "
           f"{merged.document['topic']}): {merged.added} new, {merged.updated} updated, "
           f"{merged.unchanged} unchanged"
           + (f"; {untranslated} in one language, tagged needs-translation"
              if untranslated else ""))
    return merged.ids, fingerprints


# Until the store logs suspensions (issue 16's events), a suspended card is buried until the
# last day the store can hold: it is asked no more, its history and schedule are kept.


def hold_cards(store: Store, held: dict[str, str], today: date) -> str:
    """Keep Anki's hold on imported cards: question id → "suspended" (until unsuspended) or
    "buried" (until the next study day, as Anki unburies at its day's rollover). Says how
    many of each ("2 suspended, 1 buried"; "" for none)."""
    suspended = sorted(q for q, hold in held.items() if hold == "suspended")
    if suspended:
        store.card_events("suspend", suspended)  # as `quiz suspend`: until unsuspended
    for question_id in sorted(q for q, hold in held.items() if hold == "buried"):
        store.bury(question_id, today + timedelta(days=1))
    counts = Counter(held.values())
    return ", ".join(f"{counts[hold]} {hold}" for hold in ("suspended", "buried")
                     if counts[hold])
