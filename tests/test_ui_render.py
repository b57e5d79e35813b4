"""What the terminal UI draws, rendered to a string at a fixed width."""

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.console import Console
from screen_driver import cells, reading_order

from quiz import sm2
from quiz.bank.reader import load_bank
from quiz.mock_interview import MockAnswer, MockReport, TopicScore
from quiz.review_queue import Outlook, nothing_due
from quiz.session import CardView, Mode
from quiz.stats.figures import DaySummary
from quiz.ui import TerminalUI

BANK = Path(__file__).parent / "data" / "screen_bank"
TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def questions():
    return {q.id: q for q in load_bank([BANK]).questions}


def ui_at(width, lang="both", terminal=True):
    console = Console(file=io.StringIO(), width=width, force_terminal=terminal,
                      color_system=None, highlight=False)
    return TerminalUI(console, lang)


def output(ui):
    return ui.console.file.getvalue()


def flat(text):
    return re.sub(r"[\u2500-\u257f\s]", "", text)


def test_the_card_header_shows_new_relearning_and_review_left(questions):
    ui = ui_at(80, "en")
    ui.show_card(CardView(questions["screen-batch-norm"], 3, 9, left=(2, 1, 5)))
    assert "new / relearn / review 2 · 1 · 5" in output(ui)
    practice = ui_at(80, "en")
    practice.show_card(CardView(questions["screen-batch-norm"], 3, 9, mode=Mode.practice(),
                                left=(2, 1, 5)))
    assert "relearn" not in output(practice)


@pytest.mark.parametrize(("width", "side_by_side"), [(60, False), (80, True), (120, True)])
def test_answers_side_by_side_only_when_both_columns_are_wide(questions, width, side_by_side):
    ui = ui_at(width, "zh")
    view = CardView(questions["screen-batch-norm"], 1, 1, typed="我的回答" * 20)
    ui.show_reveal(view)
    text = output(ui)
    assert ("┃ 你的回答" in text) == side_by_side  # the table's header row
    assert ("╭─ 你的回答" in text) == (not side_by_side)  # a panel of its own
    assert "我的回答" * 20 in flat(reading_order(text.splitlines()))  # the answer whole
    assert "…" not in text


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_grade_legend_is_never_cut(width, lang):
    ui = ui_at(width, lang)
    ui._grade_legend()
    text = output(ui)
    assert "…" not in text
    entries = {grade: {"zh": zh, "en": en}.get(lang, f"{zh} · {en}")
               for grade, (zh, en) in sm2.GRADES.items()}
    for grade, entry in entries.items():
        assert flat(f"{grade} {entry}") in flat(text)
    assert all(cells(line) <= width for line in text.splitlines())
    # side by side exactly when the widest passing and failing texts fit on one line
    fits = (max(cells(entries[g]) for g in (5, 4, 3)) + max(cells(entries[g]) for g in (2, 1, 0))
            + len("5 " + "  " + " 2 ")) <= width
    assert (re.search(r"^5 .* 2 ", text, re.M) is not None) == fits
    assert len(text.splitlines()) == (3 if fits else 6) + sum(
        cells(f"{g} {e}") > width for g, e in entries.items())  # a folded one takes two lines


def test_the_brief_comes_first_in_the_reveal(questions):
    ui = ui_at(80, "en")
    question = questions["screen-overfitting"]
    ui.show_reveal(CardView(question, 1, 1))
    text = flat(output(ui))
    assert text.index(flat(question.brief.en)) < text.index(flat(question.answer.en))


def test_the_mock_report_shows_each_answered_questions_brief(questions):
    ui = ui_at(80, "zh")
    question = questions["screen-overfitting"]
    ui.show_card(CardView(question, 1, 1, mode=Mode.mock("m1")))
    report = MockReport(session="m1", started=datetime(2026, 3, 2, 9, tzinfo=UTC), limit=None,
                        planned=1, answers=(MockAnswer(question.id, "screen", 4, 30.0, False),),
                        topics=(TopicScore("screen", 1, 0.8),), score=0.8)
    ui.mock_report(report)
    text = flat(output(ui).split("模拟面试得分")[1])
    assert flat(question.brief.zh) in text and question.id in text


def test_the_summary_says_what_is_still_due_and_due_tomorrow():
    ui = ui_at(80, "en")
    day = DaySummary(TODAY, reviewed=10, new=0, failed=1, repeats=0, retention=0.9, seconds=60)
    ui.summary(day, Outlook(TODAY, review=8, relearning=1, new=0, new_left=0, tomorrow=9,
                            next_due=date(2026, 3, 3)), streak=4)
    text = output(ui)
    assert re.search(r"Still due today\s+9 \(1 to relearn\)", text)
    assert re.search(r"Due tomorrow\s+9", text)
    assert "Next due" not in text  # there is something today and tomorrow
    done = ui_at(80, "en")
    done.summary(day, Outlook(TODAY, 0, 0, 0, 0, tomorrow=0, next_due=date(2026, 3, 9)), 4)
    assert re.search(r"Next due\s+2026-03-09", output(done))
    both = ui_at(120, "both")  # each language says the whole figure
    both.summary(day, Outlook(TODAY, review=8, relearning=1, new=0, new_left=0, tomorrow=9,
                              next_due=date(2026, 3, 3)), streak=4)
    assert "9（含重学 1） · 9 (1 to relearn)" in output(both)


@pytest.mark.parametrize(("found", "expected"), [
    (Outlook(TODAY, 0, 0, 0, new_left=5, tomorrow=3, next_due=date(2026, 3, 3)),
     "Nothing is due today. Next due: 2026-03-03 (3 due tomorrow). New cards: today's limit "
     "of 10 is used up; more tomorrow (5 left)."),
    (Outlook(TODAY, 0, 0, 0, new_left=0, tomorrow=0, next_due=date(2026, 3, 9)),
     "Nothing is due today. Next due: 2026-03-09."),
    (Outlook(TODAY, 0, 0, 0, new_left=0, tomorrow=0, next_due=None),
     "Nothing is due today. No card is scheduled."),
    (Outlook(TODAY, 0, 0, 0, new_left=4, tomorrow=0, next_due=None),
     "Nothing is due today. New cards: today's limit of 10 is used up; more tomorrow "
     "(4 left)."),
])
def test_nothing_due_says_when_the_next_card_comes(found, expected):
    assert nothing_due(found, 10)[1] == expected


def test_into_a_pipe_panels_fit_their_text(questions):
    ui = ui_at(4000, "zh", terminal=False)
    question = questions["screen-batch-norm"]
    ui.show_card(CardView(question, 1, 1))
    lines = output(ui).splitlines()
    assert any(question.prompt.zh in line for line in lines)
    assert max(cells(line) for line in lines) <= cells(question.prompt.zh) + 4


@pytest.mark.parametrize("mode", [Mode(), Mode.practice()], ids=["review", "practice"])
@pytest.mark.parametrize("default", [None, 3])
def test_the_grade_prompt_names_each_key_once_in_each_language(questions, mode, default):
    view = CardView(questions["screen-batch-norm"], 1, 1, mode=mode, default_grade=default)
    zh, en = ("s 跳过", "s skip") if mode.kind == "practice" else ("s 搁置", "s bury")
    prompts = {lang: ui_at(80, lang).grade_prompt(view) for lang in ("zh", "en", "both")}
    assert zh in prompts["zh"] and en not in prompts["zh"]
    assert en in prompts["en"] and zh not in prompts["en"]
    assert prompts["both"].count(zh) == 1 and prompts["both"].count(en) == 1
    assert prompts["both"] == f"{prompts['zh']} · {prompts['en']}"
