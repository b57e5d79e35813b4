"""The brief in exports: first and bold on the study sheet, first on the Anki card's back."""

import io

import pytest

from quiz.bank.reader import load_bank
from quiz.export import selection
from quiz.export.apkg import FIELDS, note_fields
from quiz.export.markdown import escape_inline, write_markdown
from quiz.export.spreadsheet import back_html

BANK = """\
topic: t
title: {zh: 题, en: T}
questions:
  - id: t-brief
    zh: {q: 问？, brief: "x_i * w < 0 时输出 <b>零</b>。", a: 长答 & 细节。}
    en: {q: Q?, brief: "If x_i * w < 0, the <b>output</b> is zero.", a: A long answer & more.}
  - id: t-plain
    zh: {q: 另一问？, a: 另一答。}
    en: {q: Another?, a: Another answer.}
"""


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(BANK, encoding="utf-8")
    return load_bank([path])


def test_the_study_sheet_shows_the_brief_bold_before_the_answer(bank):
    out = io.StringIO()
    write_markdown(selection.flashcards(bank.questions), bank.topics, out)
    sheet = out.getvalue()
    brief_zh = "**简答** **" + escape_inline("x_i * w < 0 时输出 <b>零</b>。") + "**"
    brief_en = ("**In short** **" + escape_inline("If x_i * w < 0, the <b>output</b> is zero.")
                + "**")
    assert brief_zh in sheet and brief_en in sheet
    assert "<b>" not in sheet  # escaped like the answer, never raw HTML
    section = sheet[sheet.index("### t-brief"):sheet.index("### t-plain")]
    assert section.index(brief_zh) < section.index(brief_en) < section.index("**答**")
    plain = sheet[sheet.index("### t-plain"):]
    assert "简答" not in plain and "In short" not in plain


def test_the_anki_back_starts_with_the_brief_escaped_as_the_answer(bank):
    with_brief, plain = (note_fields(card) for card in selection.flashcards(bank.questions))
    answer_en = with_brief[FIELDS.index("AnswerEn")]
    assert answer_en == ("<b>If x_i * w &lt; 0, the &lt;b&gt;output&lt;/b&gt; is zero.</b>"
                         "<br><br>A long answer &amp; more.")
    assert with_brief[FIELDS.index("AnswerZh")].startswith(
        "<b>x_i * w &lt; 0 时输出 &lt;b&gt;零&lt;/b&gt;。</b><br><br>长答 &amp; 细节。")
    assert plain[FIELDS.index("AnswerEn")] == "Another answer."


def test_the_csv_back_starts_with_the_brief(bank):
    with_brief, plain = selection.flashcards(bank.questions)
    back = back_html(with_brief, "en")
    assert back.startswith('<div lang="en"><b>If x_i * w &lt; 0, the &lt;b&gt;output&lt;/b&gt; '
                           'is zero.</b></div><br><div lang="en">A long answer &amp; more.</div>')
    assert back_html(plain, "both").startswith('<div lang="zh">另一答。</div>')
