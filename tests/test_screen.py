"""The review screen as a person sees it: a real pty, rendered by a terminal emulator (pyte).

At 60, 80 and 120 columns, in zh, en and both: every character of the question, the typed
answer, the brief, the model answer, the key points and the grade legend is on the screen,
in reading order; nothing is cut with "…"; no line is broken short before a CJK character
that would have fitted.
"""

from pathlib import Path

import pytest
from screen_driver import (
    close,
    find_in_order,
    flat,
    reading_order,
    screen_of,
    send_grade,
    short_breaks,
    spawn_session,
    type_answer,
    wait_for,
)

from quiz import sm2
from quiz.bank.reader import load_bank
from quiz.lang import in_lang, pick

BANK = Path(__file__).parent / "data" / "screen_bank"
TYPED = {
    "zh": "批归一化对每个通道按小批量的均值和方差做标准化，再用可学习的缩放γ和偏移β恢复表达"
          "能力；训练时用批内统计并更新滑动平均（running mean），推理时直接用滑动平均，所以输出"
          "确定，也因为尺度稳定能用更大的学习率。",
    "en": "Batch norm standardizes every channel with the mean and variance of the mini-batch, "
          "then applies a learned scale and shift; training updates a running average that "
          "inference uses instead, which is why a larger learning rate becomes safe.",
}


@pytest.fixture(scope="module")
def question():
    return next(q for q in load_bank([BANK]).questions if q.id == "screen-batch-norm")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("cols", [60, 80, 120])
def test_the_whole_card_is_on_the_screen_in_order(tmp_path, question, cols, lang):
    typed = TYPED["en" if lang == "en" else "zh"]
    child = spawn_session(BANK, tmp_path / "screen.db", cols, lang)
    try:
        wait_for(child, "answer", lang)
        type_answer(child, typed)
        wait_for(child, "grade", lang)
        screen = screen_of(child, cols)
        text = "\n".join(screen)
        assert "…" not in text
        shown = reading_order(screen)
        prompts, briefs = pick(question.prompt, lang), pick(question.brief, lang)
        answers = pick(question.answer, lang)
        # the typed answer twice: as typed (the echo), then in the reveal
        assert find_in_order(shown, [*prompts, typed, typed, *briefs, *answers]) == []
        points = [in_lang(p.zh[0], p.en[0], lang) for p in question.key_points]
        whole = flat(shown)
        after_answer = whole[whole.rfind(flat(answers[-1])) + len(flat(answers[-1])):]
        assert find_in_order(after_answer, points) == []
        legend = [f"{grade}{in_lang(zh, en, lang)}" for grade, (zh, en) in sm2.GRADES.items()]
        for entry in legend:  # beside each other or one a line: each one whole
            assert flat(entry) in after_answer, entry
        assert short_breaks(screen, cols, [*prompts, typed, *briefs, *answers]) == []

        send_grade(child, "4")
        wait_for(child, "answer", lang)
        child.sendeof()  # end of input at the next card: the summary
        child.expect_exact(in_lang("今日小结", "Today's summary", lang))
        child.expect_exact(in_lang("连续天数", "Streak", lang))
        summary = "\n".join(screen_of(child, cols))
        assert "…" not in summary
        for label in (in_lang("今天仍到期", "Still due today", lang),
                      in_lang("明天到期", "Due tomorrow", lang)):
            assert flat(label) in flat(summary)
    finally:
        close(child)


def test_the_checks_catch_what_rich_used_to_do():
    # rich moved an unspaced CJK run whole to the next line, leaving the line above short
    screen = ["│ 机器学习（ML）：AI          │", "│ 的子集，也是人工智能的一部分 │"]
    source = ["机器学习（ML）：AI 的子集，也是人工智能的一部分"]
    assert short_breaks(screen, 40, source) == [
        (" 机器学习（ML）：AI", "的子集，也是人工智能的一部分")]
    # the same break where the line above is full is fine, and so is a paragraph's end
    full = ["│ 机器学习（ML）：AI的子集， │", "│ 也是人工智能的一部分       │"]
    assert short_breaks(full, 40, ["机器学习（ML）：AI的子集，也是人工智能的一部分"]) == []
    assert short_breaks(screen, 40, ["机器学习（ML）：AI", "的子集，也是人工智能的一部分"]) == []
    # a side-by-side table is read column by column; a cut text is missing
    table = ["│ 你的回答一 │ 参考答案一 │", "│ 你的回答二 │ 参考答案二 │"]
    assert find_in_order(reading_order(table), ["你的回答一你的回答二",
                                                "参考答案一参考答案二"]) == []
    assert find_in_order("参考答案一…", ["参考答案一参考答案二"]) == ["参考答案一参考答案二"]


@pytest.mark.slow
@pytest.mark.parametrize(("cols", "lang"), [(60, "zh"), (80, "both"), (120, "en")])
def test_the_mock_report_shows_every_answered_questions_brief_whole(tmp_path, cols, lang):
    bank = {q.id: q for q in load_bank([BANK]).questions}
    child = spawn_session(BANK, tmp_path / "mock.db", cols, lang, "--count", "2",
                          command="mock")
    try:
        for grade in ("4", "2"):
            wait_for(child, "answer", lang)
            type_answer(child, TYPED["en" if lang == "en" else "zh"])
            wait_for(child, "grade", lang)
            send_grade(child, grade)
        wait_for(child, "finish", lang)
        send_grade(child, "")
        child.expect_exact("To revisit" if lang == "en" else "需要再复习")
        screen = screen_of(child, cols)
        title = "Mock interview score" if lang == "en" else "模拟面试得分"
        report = reading_order(screen[max(i for i, line in enumerate(screen) if title in line):])
        assert "…" not in report
        for question in bank.values():
            assert find_in_order(report, [question.id, *pick(question.brief, lang)]) == []
    finally:
        close(child)


@pytest.mark.slow
def test_practice_shows_the_whole_card_at_60_columns(tmp_path, question):
    child = spawn_session(BANK, tmp_path / "practice.db", 60, "zh", command="practice")
    try:
        wait_for(child, "answer", "zh")
        type_answer(child, TYPED["zh"])
        wait_for(child, "grade", "zh")
        screen = screen_of(child, 60)
        assert "…" not in "\n".join(screen)
        pieces = [question.prompt.zh, TYPED["zh"], TYPED["zh"], question.brief.zh,
                  question.answer.zh]
        assert find_in_order(reading_order(screen), pieces) == []
        assert short_breaks(screen, 60, pieces) == []
    finally:
        close(child)
