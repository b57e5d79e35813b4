"""An Anki collection's notes as bank questions, and its review log as quiz's.

Which fields are asked and answered: `fronts` and `backs` name them (any of the names a note
type has; by default its first field and its second). Cloze notes ask their text with the
deletions shown as `[…]` (or their hint) and answer with it whole, plus the second field.
Notes of quiz's own export (`quiz export anki`, note type `quiz`) come back field by field:
both languages, the brief, the correction note and the sources; numeric instances are left
out (the bank has their templates). Image-occlusion notes cannot be imported.

History (`reviews`): the first card of each imported note brings its answers. Buttons 1–4
become grades 1, 3, 4, 5. Anki steps a card through learning several times a day; quiz
schedules by day, so the day's first answer is the review (as in quiz, it is the one that
says whether the learner remembered) and the later ones are logged as `repeat`s. Each review
carries the interval Anki gave that day, and the last one the card's own due date, so that
the schedule continues where Anki left it. A card Anki suspended or buried stays so
(`held_cards`; import_run.hold_cards records it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from quiz.importing.anki_package import AnkiCard, Collection, Note, NoteType, RevlogEntry
from quiz.importing.html_text import html_to_text
from quiz.importing.imported import ImportedQuestion, anki_tags, bilingual, with_translation_tag
from quiz.model import CardState, Review, Source, Text
from quiz.sm2 import MAX_INTERVAL, MIN_EF, PASSING
from quiz.study_day import study_day

GRADES = {1: 1, 2: 3, 3: 4, 4: 5}  # Again, Hard, Good, Easy
QUIZ_NOTETYPE = "quiz"
QUIZ_FIELDS = {"QuestionZh", "QuestionEn", "AnswerZh", "AnswerEn"}
IMPORT_SESSION = "import:anki"  # marks the imported answers in the log (see store.py)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_BRIEF = re.compile(r"^<b>(.*?)</b><br><br>(.*)$", re.DOTALL)


@dataclass
class Imported:
    """What a collection gives: questions (with the note each came from) and warnings."""

    questions: list[ImportedQuestion] = field(default_factory=list)
    note_ids: list[int] = field(default_factory=list)  # the note of each question, in order
    warnings: list[str] = field(default_factory=list)
    decks: list[str] = field(default_factory=list)  # each question's deck name


def _field_index(notetype: NoteType, names: list[str] | None, default: list[int]) -> list[int]:
    if not names:
        return [i for i in default if i < len(notetype.fields)]
    lower = [f.lower() for f in notetype.fields]
    return [lower.index(n.lower()) for n in names if n.lower() in lower]


def convert(collection: Collection, *, fronts: list[str] | None = None,
            backs: list[str] | None = None) -> Imported:
    """The collection's notes as questions, in note order, and what could not come along."""
    out = Imported()
    media: list[str] = []
    deck_of = _note_decks(collection)
    skipped: dict[str, int] = {}
    unmapped: dict[str, NoteType] = {}
    for note in collection.notes:
        notetype = collection.notetypes.get(note.notetype)
        if notetype is None:
            question, reason = None, "its note type is missing from the package"
        else:
            question, reason = _question(note, notetype, fronts, backs, media)
        if question is None:
            if notetype is not None and reason == "unmapped":
                unmapped[notetype.name] = notetype
            else:
                skipped[reason] = skipped.get(reason, 0) + 1
            continue
        out.questions.append(question)
        out.note_ids.append(note.id)
        out.decks.append(collection.decks.get(deck_of.get(note.id, -1), ""))
    for name, notetype in unmapped.items():
        out.warnings.append(f"notes of type '{name}' were not imported: it has none of the "
                            f"fields asked for; its fields are {', '.join(notetype.fields)}")
    for reason, count in sorted(skipped.items()):
        out.warnings.append(f"{count} note(s) not imported: {reason}")
    if media:
        shown = ", ".join(sorted(set(media))[:10]) + (" …" if len(set(media)) > 10 else "")
        out.warnings.append(f"{len(set(media))} media file(s) are not imported (the text "
                            f"says [image …] or [sound …] where they were): {shown}")
    return out


def _question(note: Note, notetype: NoteType, fronts: list[str] | None, backs: list[str] | None,
              media: list[str]) -> tuple[ImportedQuestion | None, str]:
    fields = list(note.fields) + [""] * (len(notetype.fields) - len(note.fields))
    tags = anki_tags(note.tags)
    if (notetype.name == QUIZ_NOTETYPE and QUIZ_FIELDS <= set(notetype.fields)
            and not fronts and not backs):
        return _quiz_note(note, notetype, fields, tags, media)
    if any("image-occlusion:" in f for f in fields):
        return None, "image occlusion notes cannot be asked in a terminal"

    def text(index: int) -> str:
        found = html_to_text(fields[index])
        media.extend(found.media)
        return found.text

    if notetype.cloze:
        whole = text(0)
        if not _CLOZE.search(whole):
            return None, "a cloze note without a deletion"
        asked = _CLOZE.sub(lambda m: f"[{m.group(2) or '…'}]", whole)
        answer = _CLOZE.sub(lambda m: m.group(1), whole)
        extra = text(1) if len(fields) > 1 else ""
        found = bilingual([asked], [answer + ("\n\n" + extra if extra.strip() else "")])
    else:
        front_ix = _field_index(notetype, fronts, [0])
        back_ix = _field_index(notetype, backs, [1])
        if not front_ix or not back_ix:
            return None, "unmapped"
        found = bilingual([text(i) for i in front_ix], [text(i) for i in back_ix])
    if found is None:
        return None, "an empty question or answer"
    prompt, answer, missing = found
    return ImportedQuestion(
        key=note.guid, prefix="anki", prompt=prompt, answer=answer,
        tags=with_translation_tag(tags, missing is None), translated=missing is None,
        missing=missing, origin=f"note {note.id}"), ""


def _quiz_note(note: Note, notetype: NoteType, fields: list[str], tags: tuple[str, ...],
               media: list[str]) -> tuple[ImportedQuestion | None, str]:
    """A note quiz exported: each field back where it came from."""
    value = dict(zip(notetype.fields, fields, strict=False))
    if (value.get("SolutionZh") or value.get("SolutionEn") or "").strip():
        return None, "a numeric instance of quiz's (the bank has its template)"

    def text(name: str) -> str:
        found = html_to_text(value.get(name, ""))
        media.extend(found.media)
        return found.text

    def answer_and_brief(name: str) -> tuple[str, str]:
        match = _BRIEF.match(value.get(name, ""))
        if match is None:
            return text(name), ""
        return html_to_text(match.group(2)).text, html_to_text(match.group(1)).text

    a_zh, brief_zh = answer_and_brief("AnswerZh")
    a_en, brief_en = answer_and_brief("AnswerEn")
    q_zh, q_en = text("QuestionZh"), text("QuestionEn")
    if not (q_zh and q_en and a_zh and a_en):
        found = bilingual([q_zh, q_en], [a_zh, a_en])
        if found is None:
            return None, "an empty question or answer"
        prompt, answer, missing = found
        brief = None
    else:
        prompt, answer, missing = Text(q_zh, q_en), Text(a_zh, a_en), None
        brief = Text(brief_zh, brief_en) if brief_zh and brief_en else None
    note_zh, note_en = text("NoteZh"), text("NoteEn")
    sources = []
    for line in text("Sources").split("\n"):
        title, sep, asked = line.partition(": ")
        if sep and title.strip() and asked.strip():
            sources.append(Source(title.strip(), asked.strip()))
    topic = text("Topic")
    return ImportedQuestion(
        key=note.guid, prefix="anki", prompt=prompt, answer=answer,
        tags=with_translation_tag(tags, missing is None), translated=missing is None,
        missing=missing, brief=brief,
        note=Text(note_zh, note_en) if note_zh and note_en else None, sources=tuple(sources),
        origin=f"note {note.id}" + (f" (quiz topic {topic})" if topic else "")), ""


def _note_decks(collection: Collection) -> dict[int, int]:
    """Each note's deck: that of its first card (its home deck if in a filtered one)."""
    out: dict[int, int] = {}
    for card in sorted(collection.cards, key=lambda c: (c.note, c.ord)):
        out.setdefault(card.note, card.original_deck or card.deck)
    return out


# -- history --------------------------------------------------------------------------------


def _local_default(moment: datetime) -> datetime:
    return moment.astimezone()


def reviews(collection: Collection, questions: dict[int, tuple[str, str]], *,
            rollover_hour: int,
            local: Callable[[datetime], datetime] = _local_default) -> list[Review]:
    """The answers of each imported note's first card as quiz reviews, oldest first.

    `questions` maps a note id to (question id, fingerprint); `local` turns a UTC time into
    the learner's local time (the system's zone by default). Cards Anki has as new (never
    studied, or reset) bring nothing.
    """
    first_card: dict[int, AnkiCard] = {}
    for card in sorted(collection.cards, key=lambda c: (c.note, c.ord)):
        if card.note in questions:
            first_card.setdefault(card.note, card)
    by_card = {card.id: (note, card) for note, card in first_card.items() if card.type != 0}
    answers: dict[int, list[RevlogEntry]] = {}
    for entry in collection.revlog:
        if entry.card in by_card and entry.ease in GRADES:
            answers.setdefault(entry.card, []).append(entry)
    created_day = local(datetime.fromtimestamp(collection.created, UTC)).date()
    out: list[Review] = []
    for card_id, entries in answers.items():
        note, card = by_card[card_id]
        question_id, fingerprint = questions[note]
        out += _card_reviews(entries, card, question_id, fingerprint, created_day,
                             rollover_hour, local)
    out.sort(key=lambda r: (r.reviewed_at, r.question_id))
    return out


SUSPENDED, BURIED = -1, (-2, -3)  # Anki's queues: suspended; buried by a sibling, by hand


def held_cards(collection: Collection, questions: dict[int, tuple[str, str]]) -> dict[str, str]:
    """Question id → "suspended" or "buried", for each imported note whose first card (the
    one whose history `reviews` brings) Anki holds back; `questions` as for `reviews`."""
    first_card: dict[int, AnkiCard] = {}
    for card in sorted(collection.cards, key=lambda c: (c.note, c.ord)):
        if card.note in questions:
            first_card.setdefault(card.note, card)
    return {questions[note][0]: "suspended" if card.queue == SUSPENDED else "buried"
            for note, card in first_card.items()
            if card.queue == SUSPENDED or card.queue in BURIED}


def _card_reviews(entries: list[RevlogEntry], card: AnkiCard, question_id: str, fingerprint: str,
                  created_day: date, rollover_hour: int,
                  local: Callable[[datetime], datetime]) -> list[Review]:
    days: dict[date, list[RevlogEntry]] = {}
    moments: dict[int, datetime] = {}
    for entry in entries:
        moment = local(datetime.fromtimestamp(entry.id / 1000, UTC))
        moments[entry.id] = moment
        days.setdefault(study_day(moment, rollover_hour), []).append(entry)
    out = []
    repetitions, efactor = 0, Fraction(5, 2)
    ordered = sorted(days)
    for day in ordered:
        day_entries = days[day]
        first, last = day_entries[0], day_entries[-1]
        quality = GRADES[first.ease]
        repetitions = repetitions + 1 if quality >= PASSING else 0
        if last.factor > 0:
            efactor = max(MIN_EF, Fraction(round(last.factor / 10), 100))
        interval = max(1, last.interval)  # a learning step (seconds, < 0): the next day
        due = day + timedelta(days=interval)
        if day == ordered[-1]:
            due = _card_due(card, created_day, rollover_hour, local) or due
            interval = max(1, (due - day).days) if due > day else interval
        interval = min(interval, MAX_INTERVAL)
        state = CardState(repetitions=repetitions, interval=interval, efactor=efactor, due=due)
        for entry in day_entries:
            moment = moments[entry.id]
            offset = moment.utcoffset()
            out.append(Review(
                question_id=question_id, reviewed_at=moment.astimezone(UTC),
                utc_offset=int(offset.total_seconds() // 60) if offset else 0, study_day=day,
                quality=GRADES[entry.ease], state=state if entry is first else None,
                kind="review" if entry is first else "repeat",
                duration_ms=max(0, entry.time_ms), fingerprint=fingerprint,
                session=IMPORT_SESSION))
    return out


def _card_due(card: AnkiCard, created_day: date, rollover_hour: int,
              local: Callable[[datetime], datetime]) -> date | None:
    """The study day the card is due on in Anki, or None (a new card)."""
    due = card.original_due if card.original_deck else card.due
    if card.type == 0:
        return None
    if card.queue == 1 or (card.type in (1, 3) and due > 1_000_000_000):  # a time in seconds
        return study_day(local(datetime.fromtimestamp(due, UTC)), rollover_hour)
    try:
        return created_day + timedelta(days=due)
    except OverflowError:
        return None
