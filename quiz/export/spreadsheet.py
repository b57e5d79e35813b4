"""Flashcards as CSV/TSV: one row per card, for spreadsheets, or ready for Anki's text import.

Plain rows hold raw text. With `anki_header`, the file starts with Anki's `#key:value`
headers (they replace the header row, which Anki would import as a note), every text column
is HTML, and three columns are added: `Front` and `Back` (the card's two sides, which the
stock Basic note type maps by name), `deck` (`quiz::topic`) and `guid` (the .apkg's note
GUID, so importing again updates the notes instead of adding them).

Formulas: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return (and, in some, their full-width forms). In plain rows such a cell gets a leading `'`
(OWASP's advice; spreadsheets show the text, not the quote), except a cell that is just a
number such as `-0.5`, which no spreadsheet runs. Anki does not evaluate formulas, and a `'`
would show on the card, so the Anki-header file instead writes that first character of an
HTML field as a character reference (`&#61;` for `=`): Anki shows `=`, a spreadsheet that
opens the file anyway sees text. Its id, topic, tags, deck and guid columns are written as
they are: Anki matches them literally, and ids, topics and decks are `[a-z0-9-]` only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import TextIO

from quiz.export.selection import Flashcard, deck_name, source_lines, to_html
from quiz.lang import langs
from quiz.model import NOTE_LABEL

FORMULA_STARTS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def spreadsheet_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading `'` when it would start a formula."""
    if text and text[0] in FORMULA_STARTS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def anki_cell(html_text: str) -> str:
    """An HTML field whose first character cannot start a formula (a character reference)."""
    if html_text and html_text[0] in FORMULA_STARTS:
        return f"&#{ord(html_text[0])};" + html_text[1:]
    return html_text


def columns(lang: str, anki_header: bool = False) -> list[str]:
    """The header: id, topic, tags, then per language question/answer/solution/note, sources."""
    names = ["id", "topic", "tags"]
    for code in langs(lang):
        names += [f"question_{code}", f"answer_{code}", f"solution_{code}"]
    names += [f"note_{code}" for code in langs(lang)] + ["sources"]
    if anki_header:
        names = ["Front", "Back", *names, "deck", "guid"]
    return names


def rows(cards: Iterable[Flashcard], lang: str, anki_header: bool = False) -> list[list[str]]:
    """One row of text per card, matching `columns`."""
    text = to_html if anki_header else (lambda s: (s or "").rstrip())
    out = []
    for card in cards:
        q = card.question
        tags = card.tags if anki_header else list(q.tags)
        row = [card.id, q.topic, " ".join(tags)]
        for code in langs(lang):
            solution = card.solution.get(code) if card.solution else ""
            row += [text(card.prompt.get(code)), text(card.answer.get(code)), text(solution)]
        row += [text(q.note.get(code) if q.note else "") for code in langs(lang)]
        row.append(("<br>" if anki_header else "\n").join(
            text(line) for line in source_lines(q.sources)))
        if anki_header:
            row = [front_html(card, lang), back_html(card, lang), row[0], row[1], row[2],
                   *map(anki_cell, row[3:]), deck_name(q.topic), card.guid]
        else:
            row = [spreadsheet_cell(cell) for cell in row]
        out.append(row)
    return out


def front_html(card: Flashcard, lang: str) -> str:
    """The question side for Anki's Basic note type."""
    return "".join(f'<div lang="{code}">{to_html(card.prompt.get(code))}</div>'
                   for code in langs(lang))


def back_html(card: Flashcard, lang: str) -> str:
    """The answer side: the brief, the answer, the worked solution, the note, the sources."""
    codes = langs(lang)
    parts = []
    brief = card.question.brief
    if brief:  # the short answer first, as on the .apkg card
        parts.append("".join(f'<div lang="{c}"><b>{to_html(brief.get(c))}</b></div>'
                             for c in codes))
    parts.append("".join(f'<div lang="{c}">{to_html(card.answer.get(c))}</div>' for c in codes))
    if card.solution:
        parts.append("".join(f'<div lang="{c}"><i>{to_html(card.solution.get(c))}</i></div>'
                             for c in codes))
    note = card.question.note
    if note:
        parts.append("".join(f'<div lang="{c}"><b>{NOTE_LABEL[c]}:</b> {to_html(note.get(c))}</div>'
                             for c in codes))
    sources = source_lines(card.question.sources)
    if sources:
        parts.append("<small>" + "<br>".join(to_html(s) for s in sources) + "</small>")
    return "<br>".join(parts)


def write_csv(cards: Iterable[Flashcard], out: TextIO, *, lang: str = "both", tsv: bool = False,
              anki_header: bool = False) -> int:
    """Write the cards to `out` (a text stream opened with newline=""); the number of rows."""
    delimiter = "\t" if tsv else ","
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    names = columns(lang, anki_header)
    if anki_header:
        out.write(anki_headers(names, delimiter))
    else:
        writer.writerow(names)
    table = rows(cards, lang, anki_header)
    writer.writerows(table)
    return len(table)


def anki_headers(names: list[str], delimiter: str) -> str:
    """Anki's file headers: separator, HTML, column names, and the meta columns (1-based)."""
    labels = io.StringIO()
    csv.writer(labels, delimiter=delimiter, lineterminator="").writerow(names)
    return "".join(f"#{key}:{value}\n" for key, value in [
        ("separator", "Tab" if delimiter == "\t" else "Comma"),
        ("html", "true"),
        ("notetype", "Basic"),
        ("columns", labels.getvalue()),
        ("tags column", names.index("tags") + 1),
        ("deck column", names.index("deck") + 1),
        ("guid column", names.index("guid") + 1),
        ("if matches", "update current"),
    ])
