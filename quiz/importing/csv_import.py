"""CSV and TSV files as bank questions: Anki's "notes in plain text" and spreadsheet tables.

- Anki's export starts with `#key:value` lines (Anki's `text/csv/metadata.rs`):
  `#separator:` (Tab, Comma, Semicolon, Space, Pipe, Colon or the character itself),
  `#html:true|false`, `#columns:` (the column names), and `#tags column:N`,
  `#guid column:N`, `#deck column:N`, `#notetype column:N` (1-based). Field columns are
  the others; the first is asked and the second answers unless `fronts`/`backs` say
  otherwise. Fields are HTML when `#html:true`.
- Any other file is a table whose first row names the columns (`header=False`: none, and
  columns are named 1, 2, …). Columns are found by name, case and spacing aside:
  question/front/prompt/问题 asks, answer/back/答案 answers, tags/标签 tags, guid/id keys;
  `question_zh`, `question_en`, `answer_zh`, `answer_en`, `note_zh`, `note_en` (what
  `quiz export csv` writes) go to their language. `fronts`, `backs`, `tags` and `key` name
  columns (or give their numbers) to map any other header. A cell that a spreadsheet export
  guarded with a leading `'` (`'=x`) loses it.

A question's key is its GUID or id column when there is one, else its prompt text (so a
second import of the same table updates the questions it wrote).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from quiz.errors import UsageError
from quiz.importing.html_text import html_to_text, plain_text
from quiz.importing.imported import ImportedQuestion, anki_tags, bilingual, with_translation_tag
from quiz.model import Text

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|",
              "colon": ":"}
FRONT_NAMES = {"question", "front", "prompt", "q", "问题", "题目"}
BACK_NAMES = {"answer", "back", "a", "答案"}
TAG_NAMES = {"tags", "tag", "标签"}
KEY_NAMES = {"guid", "id"}
FORMULA_STARTS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
MAX_ROWS = 200_000


@dataclass
class Table:
    """A file's rows with its column names and how its cells are read."""

    columns: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    html: bool = False
    tags_column: int | None = None
    key_column: int | None = None
    reserved: set[int] = field(default_factory=set)  # not fields: guid, deck, note type, tags
    anki: bool = False
    extra_tags: tuple[str, ...] = ()


def _name(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def read_table(text: str, *, header: bool = True, html: bool | None = None,
               separator: str | None = None, name: str = "the file") -> Table:
    """The rows of a CSV/TSV text (Anki's headers read when present)."""
    lines = text.splitlines(keepends=True)
    meta: dict[str, str] = {}
    skip = 0
    for line in lines:
        match = re.match(r"#([a-z ]+):(.*)$", line.rstrip("\r\n"), re.IGNORECASE)
        if not match:
            break
        meta[match.group(1).strip().lower()] = match.group(2)
        skip += 1
    body = "".join(lines[skip:])
    if separator is None and "separator" in meta:
        raw = meta["separator"]
        separator = SEPARATORS.get(raw.strip().lower(), raw[:1] or ",")
    if separator is None:
        separator = _sniff(body)
    reader = csv.reader(io.StringIO(body), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if len(rows) > MAX_ROWS:
                raise UsageError(f"{name} has more than {MAX_ROWS:,} rows; split it")
            if any(c.strip() for c in cells):
                rows.append((reader.line_num + skip, cells))
    except csv.Error as exc:
        raise UsageError(f"{name}:{reader.line_num + skip}: not valid CSV ({exc})") from None
    if not rows:
        raise UsageError(f"{name} holds no rows to import")
    anki = bool(meta)
    table = Table(columns=[], rows=rows, anki=anki)
    if anki:
        table.html = (meta.get("html", "false").strip().lower() == "true") if html is None else html
        width = max((len(cells) for _, cells in rows), default=0)
        if "columns" in meta:
            table.columns = next(csv.reader([meta["columns"]], delimiter=separator), [])
        table.columns += [str(i + 1) for i in range(len(table.columns), width)]
        for key in ("tags column", "guid column", "deck column", "notetype column"):
            if meta.get(key, "").strip().isdigit():
                index = int(meta[key]) - 1
                table.reserved.add(index)
                if key == "tags column":
                    table.tags_column = index
                elif key == "guid column":
                    table.key_column = index
        table.extra_tags = tuple(meta.get("tags", "").split())
        return table
    table.html = bool(html)
    if header:
        table.columns = rows.pop(0)[1]
        if not rows:
            raise UsageError(f"{name} holds only a header row: no question to import")
    width = max([len(table.columns), *(len(cells) for _, cells in rows)])
    table.columns = [*table.columns, *(str(i + 1) for i in range(len(table.columns), width))]
    names = [_name(c) for c in table.columns]
    for index, column in enumerate(names):
        if column in TAG_NAMES and table.tags_column is None:
            table.tags_column = index
            table.reserved.add(index)
        elif column in KEY_NAMES and table.key_column is None:
            table.key_column = index
            table.reserved.add(index)
    return table


def _sniff(body: str) -> str:
    first = body.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in ("\t", ",", ";", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _column(table: Table, wanted: str, what: str) -> int:
    names = [_name(c) for c in table.columns]
    if _name(wanted) in names:
        return names.index(_name(wanted))
    if wanted.isdigit() and 1 <= int(wanted) <= len(table.columns):
        return int(wanted) - 1
    raise UsageError(f"{what} '{wanted}' is not a column; the columns are "
                     f"{', '.join(table.columns) or '(none)'}")


@dataclass
class Mapping:
    """Which columns ask (per language, or any), answer, tag and key."""

    fronts: dict[int, str | None]  # column → its language (None: told by the text)
    backs: dict[int, str | None]
    notes: dict[str, int] = field(default_factory=dict)


def mapping(table: Table, fronts: list[str] | None = None,
            backs: list[str] | None = None) -> Mapping:
    """The columns to read; UsageError when no column asks or none answers."""
    names = [_name(c) for c in table.columns]
    found = Mapping(fronts={}, backs={})
    if fronts:
        found.fronts = {_column(table, f, "--front"): None for f in fronts}
    if backs:
        found.backs = {_column(table, b, "--back"): None for b in backs}
    for index, column in enumerate(names):
        lang = column[-2:] if column[-3:] in ("_zh", "_en") else None
        stem = column[:-3] if lang else column
        if not fronts and (stem in FRONT_NAMES or stem == "question"):
            found.fronts[index] = lang
        elif not backs and stem in BACK_NAMES:
            found.backs[index] = lang
        elif lang and stem == "note":
            found.notes[lang] = index
    fields = [i for i in range(len(table.columns)) if i not in table.reserved]
    if not found.fronts and fields:
        found.fronts = {fields[0]: None}
    if not found.backs:
        rest = [i for i in fields if i not in found.fronts]
        if rest:
            found.backs = {rest[0]: None}
    if not found.fronts or not found.backs:
        raise UsageError("cannot tell which column asks and which answers; name them with "
                         f"--front and --back (the columns are {', '.join(table.columns)})")
    return found


def convert(table: Table, chosen: Mapping) -> tuple[list[ImportedQuestion], list[str]]:
    """The table's rows as questions, and warnings for the rows left out."""
    questions, warnings = [], []
    skipped: list[int] = []
    media: set[str] = set()

    def cell(cells: list[str], index: int) -> str:
        raw = cells[index] if index < len(cells) else ""
        if raw.startswith("'") and raw[1:2] and raw[1] in FORMULA_STARTS:
            raw = raw[1:]
        if not table.html:
            return plain_text(raw)
        found = html_to_text(raw)
        media.update(found.media)
        return found.text

    def sided(cells: list[str], columns: dict[int, str | None]) -> tuple[list[str], dict]:
        texts, by_lang = [], {}
        for index, lang in columns.items():
            text = cell(cells, index)
            texts.append(text)
            if lang and text:
                by_lang[lang] = text
        return texts, by_lang

    for line, cells in table.rows:
        front_texts, front_lang = sided(cells, chosen.fronts)
        back_texts, back_lang = sided(cells, chosen.backs)
        if len(front_lang) == 2 and len(back_lang) == 2:
            prompt = Text(front_lang["zh"], front_lang["en"])
            answer = Text(back_lang["zh"], back_lang["en"])
            missing = None
        else:
            found = bilingual(front_texts, back_texts)
            if found is None:
                skipped.append(line)
                continue
            prompt, answer, missing = found
        tags = anki_tags([*table.extra_tags, *(cell(cells, table.tags_column).split()
                                               if table.tags_column is not None else [])])
        key_text = cell(cells, table.key_column) if table.key_column is not None else ""
        note_zh, note_en = (cell(cells, chosen.notes[lang]) if lang in chosen.notes else ""
                            for lang in ("zh", "en"))
        questions.append(ImportedQuestion(
            key=key_text or "\x1f".join(front_texts), prefix="anki" if table.anki and key_text
            else "csv", prompt=prompt, answer=answer,
            tags=with_translation_tag(tags, missing is None), translated=missing is None,
            missing=missing, note=Text(note_zh, note_en) if note_zh and note_en else None,
            origin=f"line {line}"))
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
        warnings.append(f"{len(skipped)} row(s) not imported, with no question or no answer: "
                        f"line {shown}")
    if media:
        warnings.append(f"{len(media)} media file(s) are not imported: "
                        + ", ".join(sorted(media)[:10]))
    return questions, warnings
