"""The "text changed" notice: what changed (question, answer, exercise) and a compact diff,
by characters in Chinese and by words in Latin text; kept by the bank cache, shown by the UI."""

import re
from dataclasses import replace

from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from quiz.bank.cache import BankCache, previous_version
from quiz.model import NumericSpec, Question, Text
from quiz.session import CardView
from quiz.store import Store
from quiz.text_diff import diff, plain, text_change, tokens
from quiz.ui import TerminalUI

QUESTION = Question(id="q-one", topic="t", prompt=Text(zh="池化是什么？", en="What is pooling?"),
                    answer=Text(zh="在局部窗口内取最大值。", en="It takes the max over a window."))


def test_latin_text_changes_by_whole_words():
    assert plain(diff("It takes the max over a window.", "It takes the mean over a window.")) \
        == "It takes the [-max-]{+mean+} over a window."
    # a word that changed inside is one unit, not letters: no "m[-ax-]{+ean+}"
    assert tokens("non-linear, don't 1.5x") == ["non-linear", ",", " ", "don't", " ", "1.5x"]


def test_chinese_text_changes_by_characters():
    assert plain(diff("在局部窗口内取最大值。", "在局部窗口内取平均值。")) == \
        "在局部窗口内取[-最大-]{+平均+}值。"
    assert tokens("卷积 CNN") == ["卷", "积", " ", "CNN"]


def test_long_unchanged_stretches_are_cut_to_context():
    before = "word " * 40 + "old " + "tail " * 40
    after = "word " * 40 + "new " + "tail " * 40
    shown = plain(diff(before, after))
    assert shown == "… word word word [-old-]{+new+} tail tail tail …"


def test_white_space_alone_is_no_visible_change():
    change = text_change(QUESTION, replace(QUESTION, answer=Text(
        zh="在局部窗口内取最大值。", en="It takes  the max\nover a window.")))
    assert change.what == ("answer",) and change.parts[0].spacing_only


units = st.lists(st.sampled_from(["池", "化", "max", "mean", " ", ",", "。", "gate", "门"]),
                 max_size=30).map("".join)


@given(units, units)
def test_a_diff_without_cuts_gives_back_both_texts(before, after):
    pieces = diff(before, after, context=10**6)
    assert all(p.kind != "cut" for p in pieces)
    # the oracle: the texts with runs of white space as one space, ends trimmed (a change
    # may show one space more beside it: `is {+max+} pooling`)
    def spaced(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    assert spaced("".join(p.text for p in pieces if p.kind in ("same", "gone"))) == \
        spaced(before)
    assert spaced("".join(p.text for p in pieces if p.kind in ("same", "new"))) == \
        spaced(after)


@given(units, units)
def test_equal_texts_have_no_change_and_changed_ones_show_one(before, after):
    pieces = diff(before, after)
    changed = any(p.kind in ("gone", "new") for p in pieces)
    assert changed == (tokens(before.strip()) != tokens(after.strip()))


def test_each_part_is_named():
    edited = replace(QUESTION, prompt=Text(zh="池化是什么？", en="What is max pooling?"))
    change = text_change(QUESTION, edited)
    assert change.what == ("question",)
    assert [(p.part, p.lang, plain(p.pieces)) for p in change.parts] == [
        ("question", "en", "What is {+max+} pooling?")]
    numeric = Question(id="n", topic="t", prompt=Text(zh="{a}", en="{a}"), type="numeric",
                       numeric=NumericSpec(check="conv_output_size", params={"a": [1, 2]}))
    wider = replace(numeric, numeric=replace(numeric.numeric, params={"a": [1, 2, 3]}))
    assert [(p.part, plain(p.pieces)) for p in text_change(numeric, wider).parts] == [
        ("exercise", "conv_output_size (a: [1, 2{+, 3+}])")]


# -- kept by the bank cache ---------------------------------------------------------------


def test_the_cache_keeps_the_text_a_card_was_reviewed_with(store, bank_dir):
    cache = BankCache(store, [bank_dir])
    (question,) = cache.questions(["rnn-lstm-vs-gru"])
    record_review(store, question)
    rnn = bank_dir / "rnn.yaml"
    last = "fewer parameters"
    for edit in ("far fewer parameters", "very few parameters"):
        rnn.write_text(rnn.read_text("utf-8").replace(last, edit), encoding="utf-8")
        last = edit
        (now,) = BankCache(store, [bank_dir]).questions([question.id])
        # the text last reviewed, however often it changed since
        assert previous_version(store, question.fingerprint()) == question
    change = text_change(question, now)
    assert [(p.part, p.lang) for p in change.parts] == [("answer", "en")]
    assert plain(change.parts[0].pieces) == "… cell state: [-fewer-]{+very few+} parameters."
    assert previous_version(store, "no-such-fingerprint") is None


def test_versions_no_card_needs_are_dropped(store, bank_dir):
    (question,) = BankCache(store, [bank_dir]).questions(["rnn-lstm-vs-gru"])
    record_review(store, question)
    rnn = bank_dir / "rnn.yaml"
    rnn.write_text(rnn.read_text("utf-8").replace("fewer", "far fewer"), encoding="utf-8")
    (now,) = BankCache(store, [bank_dir]).questions([question.id])
    record_review(store, now)  # reviewed with the new text: the old one is not needed
    rnn.write_text(rnn.read_text("utf-8").replace("far fewer", "fewer"), encoding="utf-8")
    BankCache(store, [bank_dir]).entries()
    assert previous_version(store, question.fingerprint()) is None
    assert previous_version(store, now.fingerprint()) == now


def record_review(store: Store, question: Question) -> None:
    from datetime import UTC, date, datetime

    from quiz import sm2
    from quiz.model import Review

    day = date(2026, 3, 2)
    store.record(Review(question_id=question.id, reviewed_at=datetime(2026, 3, 2, tzinfo=UTC),
                        utc_offset=0, study_day=day, quality=4,
                        state=sm2.next_state(None, 4, day), fingerprint=question.fingerprint()))


# -- shown by the UI ----------------------------------------------------------------------


def shown(view: CardView, lang: str = "en", reveal: bool = False) -> str:
    console = Console(record=True, width=100, color_system=None)
    ui = TerminalUI(console, lang, interactive=False)
    ui.show_card(view)
    if reveal:
        ui.show_reveal(view)
    return console.export_text()


def test_a_changed_answer_is_named_on_the_card_and_shown_only_with_the_answer():
    edited = replace(QUESTION, answer=Text(zh="在局部窗口内取平均值。",
                                           en="It takes the mean over a window."))
    view = CardView(question=edited, position=1, total=1, text_changed=True,
                    change=text_change(QUESTION, edited))
    card = shown(view)
    assert ("Note: the answer changed since your last review; the answer's change is shown "
            "with the answer") in card
    assert "mean" not in card  # the card does not give the answer away
    revealed = shown(view, reveal=True)
    assert "The answer, changed since your last review" in revealed
    assert "It takes the [-max-]{+mean+} over a window." in revealed
    both = shown(view, "both", reveal=True)
    assert "zh: 在局部窗口内取[-最大-]{+平均+}值。" in both and "en: It takes the" in both


def test_a_changed_question_is_shown_on_the_card_in_the_chosen_language():
    edited = replace(QUESTION, prompt=Text(zh="最大池化是什么？", en="What is max pooling?"))
    view = CardView(question=edited, position=1, total=1, text_changed=True,
                    change=text_change(QUESTION, edited))
    card = shown(view, "zh")
    assert "注意：上次复习后题目已修改" in card and "{+最大+}池化是什么？" in card
    assert "max pooling" not in card.split("{+")[1]  # the English diff is not shown in zh


def test_bank_text_in_a_diff_is_data_not_markup():
    edited = replace(QUESTION, prompt=Text(zh="池化是什么？", en="What is [bold]pool[/red]?"))
    view = CardView(question=edited, position=1, total=1, text_changed=True,
                    change=text_change(QUESTION, edited))
    (line,) = [line for line in shown(view).splitlines() if "{+" in line]
    assert "What is {+[bold]pool[/red]+}" in line.replace("[-pooling-]", "")


def test_without_the_old_text_the_notice_only_says_it_changed():
    view = CardView(question=QUESTION, position=1, total=1, text_changed=True)
    assert "Note: this question's text changed since your last review" in shown(view)


def test_review_shows_what_changed_in_an_edited_answer(bank_env, bank_dir):
    review = run_cli("review", "--topic", "rnn", "--lang", "en", input="\n4\n")
    assert review.exit_code == 0
    rnn = bank_dir / "rnn.yaml"
    rnn.write_text(rnn.read_text("utf-8").replace("fewer parameters", "far fewer parameters"),
                   encoding="utf-8")
    store = Store.open(bank_env)
    store.conn.execute("UPDATE cards SET due = '2000-01-01'")
    store.close()
    again = run_cli("review", "--topic", "rnn", "--lang", "en", input="\n4\n")
    assert again.exit_code == 0
    card, reveal = again.output.split("Your answer", 1)
    assert "Note: the answer changed since your last review" in card and "far" not in card
    assert "cell state: {+far+} fewer parameters." in reveal
