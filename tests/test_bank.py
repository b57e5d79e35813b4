"""Bank loading and validation: every problem reported as file:line: message."""

from pathlib import Path

import pytest

from quiz.bank import load_bank, parse_text
from quiz.bank_files import bundled_dir
from quiz.errors import BankError

DATA = Path(__file__).parent / "data"


def problems_of(path):
    with pytest.raises(BankError) as info:
        load_bank([path])
    return [(Path(p).name, line, msg) for p, line, msg in info.value.problems]


def test_loads_a_good_bank(bank_dir):
    bank = load_bank([bank_dir])
    assert [q.id for q in bank.questions] == [
        "cnn-pooling-purpose",
        "cnn-one-by-one",
        "cnn-conv-output-size",
        "rnn-lstm-vs-gru",
    ]
    pooling = bank.questions[0]
    assert pooling.topic == "cnn" and pooling.tags == ("pooling",)
    assert pooling.prompt.en == "What is pooling, and why do CNNs use it?"
    assert pooling.answer.zh.startswith("池化在局部窗口内")
    assert pooling.sources[0].title == "算法工程师-机器学习面试题总结(4)"
    assert pooling.line == 4
    assert bank.questions[2].numeric.check == "conv_output_size"
    assert bank.questions[3].note.en == "The source says GRU has three gates; it has two."
    assert bank.topics["rnn"].title.zh == "循环神经网络"


def test_syntax_error_names_file_line_and_column():
    assert problems_of(DATA / "broken" / "syntax.yaml") == [
        ("syntax.yaml", 6, "YAML syntax error at column 1: found unexpected end of stream")
    ]


def test_every_problem_is_reported_at_once():
    assert problems_of(DATA / "broken" / "many.yaml") == [
        ("many.yaml", 3, "unknown key 'colour' in the bank (allowed: questions, title, topic)"),
        (
            "many.yaml",
            5,
            "id 'Bad_Id' must be lowercase letters, digits and dashes (like cnn-pooling-purpose)",
        ),
        ("many.yaml", 8, "question 'no-english' has no 'en' text"),
        ("many.yaml", 11, "question 'empty-answer'.zh.a is empty"),
        ("many.yaml", 12,
         "unknown key 'hint' in question 'empty-answer'.en (allowed: a, brief, q)"),
        (
            "many.yaml",
            16,
            f"duplicate id 'dup' (first defined at {DATA / 'broken' / 'many.yaml'}:13)",
        ),
        (
            "many.yaml",
            20,
            "question 'evil'.zh.q uses the tag !!python/object/apply:os.system, "
            "which banks do not allow",
        ),
    ]


def test_numeric_problems_name_the_check_and_placeholder():
    found = problems_of(DATA / "broken" / "numeric.yaml")
    assert [(name, line) for name, line, _ in found] == [("numeric.yaml", 6), ("numeric.yaml", 12)]
    assert "unknown check 'conv_size'" in found[0][2]
    assert "{kernal}" in found[1][2]


def test_alias_bombs_are_refused_without_expanding():
    assert problems_of(DATA / "broken" / "bomb.yaml") == [
        ("bomb.yaml", 3, "anchors and aliases (&name / *name) are not allowed in banks")
    ]


def test_non_utf8_names_the_line():
    assert problems_of(DATA / "broken" / "latin1.yaml") == [
        ("latin1.yaml", 5, "not UTF-8 text (byte 0xff); save the file as UTF-8")
    ]


def test_a_broken_file_loads_nothing_from_the_good_ones(bank_dir):
    (bank_dir / "zz.yaml").write_text("topic: x\n", encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank([bank_dir])
    assert [msg for _, _, msg in info.value.problems] == [
        "the bank needs a 'questions' key",
        "the bank needs a 'title' key",
    ]


def test_duplicate_ids_across_files_name_both_places(bank_dir):
    (bank_dir / "more.yaml").write_text(
        "topic: more\ntitle: {zh: 更多, en: More}\nquestions:\n"
        "  - id: rnn-lstm-vs-gru\n    zh: {q: 问, a: 答}\n    en: {q: Q, a: A}\n",
        encoding="utf-8",
    )
    with pytest.raises(BankError) as info:
        load_bank([bank_dir])
    ((path, line, msg),) = info.value.problems
    assert Path(path).name == "rnn.yaml" and line == 4
    assert msg == f"duplicate id 'rnn-lstm-vs-gru' (first defined at {bank_dir / 'more.yaml'}:4)"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- a\n- b\n",
        "topic: [x]\ntitle: 1\nquestions: {}\n",
        "\ufefftopic: cnn\r\ntitle: {zh: 卷, en: C}\r\nquestions: []\r\n",
        "[" * 5000,
    ],
)
def test_odd_documents_give_problems_or_a_clean_load(text):
    topic, questions, problems = parse_text(text.encode(), "odd.yaml")
    assert all(name == "odd.yaml" and line >= 1 for name, line, _ in problems)
    if not problems:
        assert topic.id == "cnn" and questions == []


def test_missing_path_is_a_problem(tmp_path):
    with pytest.raises(BankError) as info:
        load_bank([tmp_path / "nope.yaml"])
    assert info.value.problems[0][2] == "no such file or folder"


def test_bundled_banks_are_found():
    assert (bundled_dir() / ".." / "quiz").exists() or bundled_dir().name == "questions"
    assert bundled_dir().is_dir()


def test_brief_is_read_in_both_languages_and_kept_through_the_cache(tmp_path):
    from quiz.bank import load_bank

    bank = tmp_path / "b.yaml"
    bank.write_text("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
                    "  - id: t-one\n"
                    "    zh: {q: 问？, brief: 短答。, a: 长答。}\n"
                    "    en: {q: Q?, brief: Short., a: Long.}\n", encoding="utf-8")
    question = load_bank([bank]).questions[0]
    assert (question.brief.zh, question.brief.en) == ("短答。", "Short.")
    import json

    from quiz.bank_cache import decode, encode

    assert decode(json.loads(encode(question))) == question


def test_a_brief_in_one_language_only_is_an_error(tmp_path):
    import pytest

    from quiz.bank import load_bank
    from quiz.errors import BankError

    bank = tmp_path / "b.yaml"
    bank.write_text("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
                    "  - id: t-one\n"
                    "    zh: {q: 问？, brief: 短答。, a: 长答。}\n"
                    "    en: {q: Q?, a: Long.}\n", encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank([bank])
    assert any(line == 5 and "'zh' brief but no 'en' brief" in message
               for _path, line, message in caught.value.problems)
