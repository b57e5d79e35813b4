"""Flashcards as an Anki package (.apkg), built with genanki.

One note type (`quiz`, id from "quiz-note-v1") whose fields hold both languages; its one
card template shows the languages asked for. One deck per topic under `quiz` (`quiz::cnn`,
ids from "quiz::<topic>"), note GUIDs from the card ids. Importing a later export on top
of an earlier one therefore updates the notes in place and keeps their review history.
Changing the fields' or the template's names changes the note type's schema: give the
note type a new key ("quiz-note-v2") then, or Anki will treat it as a different type.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from quiz.export.selection import (
    DECK_ROOT,
    Flashcard,
    deck_name,
    source_lines,
    stable_id,
    to_html,
)
from quiz.lang import langs
from quiz.model import NOTE_LABEL, Text, Topic

MODEL_KEY = "quiz-note-v1"
MODEL_NAME = "quiz"
TEMPLATE_NAME = "Card"
FIELDS = ("ID", "Topic", "QuestionZh", "QuestionEn", "AnswerZh", "AnswerEn", "SolutionZh",
          "SolutionEn", "NoteZh", "NoteEn", "Sources")
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

# No text or background colours: Anki and AnkiDroid supply them, light or dark. Accents
# are translucent so that they read on either background.
CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "PingFang SC",
    "Hiragino Sans GB", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  font-size: 18px; line-height: 1.55; text-align: left;
  max-width: 42em; margin: 0 auto; padding: 0 .5em;
}
.quiz-meta { font-size: .75em; opacity: .6; margin: .2em 0; }
.quiz-q { font-weight: 600; margin: .4em 0; }
.quiz-q + .quiz-q, .quiz-a + .quiz-a { border-top: 1px dashed rgba(128,128,128,.45);
  padding-top: .4em; }
.quiz-a { margin: .4em 0; }
.quiz-numeric { font-weight: 600; font-size: 1.15em; }
.quiz-numeric + .quiz-numeric { display: none; }
.quiz-solution { font-family: ui-monospace, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace;
  font-size: .85em; background: rgba(128,128,128,.14); border-radius: 6px;
  padding: .5em .7em; margin: .6em 0; overflow-x: auto; }
.quiz-note { border-left: 4px solid #e0a21a; background: rgba(224,162,26,.15);
  border-radius: 0 6px 6px 0; padding: .4em .7em; margin: .6em 0; }
.quiz-sources { font-size: .8em; opacity: .7; margin-top: .8em; }
hr#answer { border: none; border-top: 1px solid rgba(128,128,128,.5); margin: .8em 0; }
"""


def _block(field: str, css_class: str, code: str, label: str = "") -> str:
    """A field in a div, left out (by Anki) when the field is empty."""
    return (f'{{{{#{field}}}}}<div class="{css_class}" lang="{HTML_LANG[code]}">{label}'
            f"{{{{{field}}}}}</div>{{{{/{field}}}}}")


# A numeric instance's answer is the same number in both languages: marked (by the
# presence of a worked solution) so that the CSS shows it once.
NUMERIC_MARK = "{{#SolutionEn}} quiz-numeric{{/SolutionEn}}"


def templates(lang: str) -> tuple[str, str]:
    """The card's front and back templates for `zh`, `en` or `both`."""
    codes = [c.capitalize() for c in langs(lang)]
    front = '<div class="quiz-meta">{{Topic}}</div>\n' + "\n".join(
        _block(f"Question{c}", "quiz-q", c.lower()) for c in codes)
    back = "\n".join([
        "{{FrontSide}}", '<hr id="answer">',
        *(_block(f"Answer{c}", "quiz-a" + NUMERIC_MARK, c.lower()) for c in codes),
        *(_block(f"Solution{c}", "quiz-solution", c.lower()) for c in codes),
        *(_block(f"Note{c}", "quiz-note", c.lower(), f"<b>{NOTE_LABEL[c.lower()]}</b> ")
          for c in codes),
        '{{#Sources}}<div class="quiz-sources">{{Sources}}</div>{{/Sources}}',
        '<div class="quiz-meta">{{ID}}</div>',
    ])
    return front, back


def note_fields(card: Flashcard) -> list[str]:
    """The note's fields, in FIELDS order, as HTML."""
    q = card.question
    solution, note = card.solution, q.note
    return [
        to_html(card.id), to_html(q.topic),
        to_html(card.prompt.zh), to_html(card.prompt.en),
        _with_brief(q.brief, "zh", card.answer.zh), _with_brief(q.brief, "en", card.answer.en),
        to_html(solution.zh if solution else ""), to_html(solution.en if solution else ""),
        to_html(note.zh if note else ""), to_html(note.en if note else ""),
        "<br>".join(to_html(line) for line in source_lines(q.sources)),
    ]


def _with_brief(brief: Text | None, code: str, answer: str) -> str:
    """The answer as HTML, led by the brief in bold (in the answer field: the note type's
    fields stay the same, so notes exported before still update in place)."""
    if brief is None:
        return to_html(answer)
    return f"<b>{to_html(brief.get(code))}</b><br><br>{to_html(answer)}"


def build_package(cards: Iterable[Flashcard], topics: Mapping[str, Topic], *,
                  lang: str = "both") -> Any:
    """A genanki Package: the parent deck, one deck per topic in card order, the notes."""
    import genanki

    front, back = templates(lang)
    model = genanki.Model(
        stable_id(MODEL_KEY), MODEL_NAME, fields=[{"name": name} for name in FIELDS],
        templates=[{"name": TEMPLATE_NAME, "qfmt": front, "afmt": back}], css=CSS)
    decks = {None: genanki.Deck(stable_id(DECK_ROOT), DECK_ROOT,
                                description="quiz · 深度学习面试 / deep-learning interviews")}
    for card in cards:
        topic = card.question.topic
        if topic not in decks:
            title = topics[topic].title if topic in topics else None
            decks[topic] = genanki.Deck(stable_id(deck_name(topic)), deck_name(topic),
                                        description=to_html(f"{title.zh} · {title.en}")
                                        if title else "")
        decks[topic].add_note(genanki.Note(model=model, fields=note_fields(card),
                                           tags=card.tags, guid=card.guid))
    return genanki.Package(list(decks.values()))


def write_apkg(cards: Iterable[Flashcard], topics: Mapping[str, Topic], out: IO[bytes], *,
               lang: str = "both", timestamp: float) -> int:
    """Write the .apkg to `out` (a seekable binary file); the number of notes.

    `timestamp` (seconds) becomes the notes' modification time: Anki updates a note on
    import only when this is newer than its own copy.
    """
    cards = list(cards)
    package = build_package(cards, topics, lang=lang)
    with tempfile.TemporaryDirectory(prefix="quiz-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(db_path, "collection.anki2")
            archive.writestr("media", "{}")
    return len(cards)
