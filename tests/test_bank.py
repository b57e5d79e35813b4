"""Bank loading and validation: every problem reported as file:line: message."""

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quiz.bank.files import bundled_dir
from quiz.bank.reader import load_bank, parse_text
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
        ("syntax.yaml", 6, "YAML syntax error at column 1: found unexpected end of stream; "
                           "the quote opened on line 5 is not closed")
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


def brief_bank(tmp_path, en: str) -> Path:
    """A one-question bank whose zh text has a brief and whose en text is `en`."""
    bank = tmp_path / "b.yaml"
    bank.write_text("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
                    "  - id: t-one\n"
                    "    zh: {q: 问？, brief: 短答。, a: 长答。}\n"
                    f"    en: {en}\n", encoding="utf-8")
    return bank


def test_brief_is_read_in_both_languages_and_kept_through_the_cache(tmp_path):
    import json

    from quiz.bank.cache import decode, encode

    question = load_bank([brief_bank(tmp_path, "{q: Q?, brief: Short., a: Long.}")]).questions[0]
    assert (question.brief.zh, question.brief.en) == ("短答。", "Short.")
    assert decode(json.loads(encode(question))) == question


def test_a_brief_in_one_language_only_is_an_error(tmp_path):
    with pytest.raises(BankError) as caught:
        load_bank([brief_bank(tmp_path, "{q: Q?, a: Long.}")])
    assert any(line == 5 and "'zh' brief but no 'en' brief" in message
               for _path, line, message in caught.value.problems)


# -- control characters ---------------------------------------------------------------------

GOOD = ("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
        "  - id: t-one\n    tags: [a]\n    zh: {q: 问, a: 答}\n    en: {q: Q, a: A}\n")


def parsed(text):
    return parse_text(text.encode("utf-8", "surrogatepass"), "b.yaml")


@pytest.mark.parametrize(("char", "named"), [
    ("\x00", "U+0000 (NUL)"), ("\x1b", "U+001B (ESC)"), ("\x07", "U+0007 (BEL)"),
    ("\x7f", "U+007F (DEL)"), ("\x9b", "U+009B (CSI)"), ("\x90", "U+0090 (a C1 control)"),
    ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
])
def test_a_raw_control_character_is_named_at_its_line_and_column(char, named):
    text = GOOD.replace("en: {q: Q, a: A}", f"en: {{q: Q, a: A{char}}}")
    topic, questions, problems = parsed(text)
    assert (topic, questions) == (None, [])
    assert problems == [("b.yaml", 7, f"column 20: the control character {named} is not "
                                      "allowed in a bank; remove it")]


def test_a_nul_on_line_5_is_reported_at_line_5():
    text = GOOD.replace("tags: [a]", "tags: [a\x00]")
    assert [line for _, line, _ in parsed(text)[2]] == [5]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_lines_are_counted_as_yaml_counts_them(line_end):
    text = GOOD.replace("\n", line_end).replace("a: 答", "a: 答\x1b")
    assert [line for _, line, _ in parsed(text)[2]] == [6]


@pytest.mark.parametrize(("escape", "named"), [
    ("\\e[2J", "U+001B (ESC)"), ("\\x1b]0;title\\x07", "U+001B (ESC)"),
    ("\\x9b6n", "U+009B (CSI)"), ("\\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\\0", "U+0000 (NUL)"), ("\\x7f", "U+007F (DEL)"), ("\\r", "U+000D (CR)"),
    ("\\N", "U+0085 (NEL)"), ("\\L", "U+2028 (LINE SEPARATOR)"),
])
@pytest.mark.parametrize("key", ["q", "a"])
def test_an_escaped_control_character_in_text_is_refused(escape, named, key):
    value = f'"x{escape}y"'
    english = {"q": "Q", "a": "A", key: value}
    text = GOOD.replace("en: {q: Q, a: A}", f"en: {{q: {english['q']}, a: {english['a']}}}")
    assert parsed(text)[2] == [("b.yaml", 7, f"question 't-one'.en.{key} contains the control "
                                             f"character {named}; remove it")]


@pytest.mark.parametrize(("before", "after", "line", "what"), [
    ("topic: t", 'topic: "t\\e"', 1, "topic"),
    ("title: {zh: 题, en: T}", 'title: {zh: 题, en: "T\\e"}', 2, "title.en"),
    ("id: t-one", 'id: "t\\e"', 4, "id"),
    ("tags: [a]", 'tags: ["a\\e"]', 5, "tags"),
    ("tags: [a]", 'sources: [{title: "x\\x9b", question: y}]', 5, "source title"),
    ("tags: [a]", 'note: {zh: 注, en: "x\\u202d"}', 5, "note.en"),
    ("tags: [a]", 'key_points: [{zh: 点, en: "x\\e"}]', 5, "key point en"),
])
def test_every_text_field_is_checked(before, after, line, what):
    (problem,) = [p for p in parsed(GOOD.replace(before, after))[2]
                  if "control character" in p[2]]
    assert problem[:2] == ("b.yaml", line) and problem[2].startswith(f"{what} contains")


def test_numeric_params_are_checked_too():
    text = ("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
            "  - id: t-act\n    type: numeric\n    check: activation_value\n"
            '    params: {name: ["relu\\e"], x: [1]}\n'
            "    zh: {q: '{name}({x})'}\n    en: {q: '{name}({x})'}\n")
    assert ("b.yaml", 7, "params.name contains the control character U+001B (ESC); remove it"
            ) in parsed(text)[2]


def test_tabs_and_line_breaks_are_kept_where_text_may_hold_them():
    text = GOOD.replace("en: {q: Q, a: A}", 'en: {q: "Q\\tq", a: "line\\nnext\\tcol"}')
    topic, questions, problems = parsed(text)
    assert problems == []
    assert questions[0].answer.en == "line\nnext\tcol" and questions[0].prompt.en == "Q\tq"


@pytest.mark.parametrize(("before", "after", "what"), [
    ("tags: [a]", 'tags: ["a\\nb"]', "tags"),
    ("title: {zh: 题, en: T}", 'title: {zh: 题, en: "T\\nU"}', "title.en"),
])
def test_one_line_fields_refuse_line_breaks(before, after, what):
    problems = parsed(GOOD.replace(before, after))[2]
    assert [m for _, _, m in problems] == [f"{what} must be one line; it holds a line break"]


def test_a_file_full_of_escapes_is_reported_in_a_bounded_list():
    text = GOOD + "".join(f"# \x1b[{i}m\n" for i in range(50))
    problems = parsed(text)[2]
    assert len(problems) == 11 and problems[-1][2].startswith("… and more")


# -- YAML 1.1 text stays text ---------------------------------------------------------------

@pytest.mark.parametrize("written", ["yes", "NO", "on", "off", "Y", "true", "1:30", "0x1F",
                                     "010", "0o17", "1_000", "1.50", ".inf", "-.NaN", "2026-03-08",
                                     "2026-03-08 04:00:00", "=", "<<", "1e3", "+12"])
def test_plain_scalars_in_text_fields_keep_the_text_written(written):
    text = (f"topic: t\ntitle: {{zh: {written}, en: {written}}}\nquestions:\n"
            f"  - id: t-one\n    tags: [{written}]\n"
            f"    sources: [{{title: {written}, question: {written}}}]\n"
            f"    zh: {{q: {written}, a: {written}}}\n    en: {{q: {written}, a: {written}}}\n"
            f"    note: {{zh: {written}, en: {written}}}\n")
    topic, (q,), problems = parsed(text)
    assert problems == []
    assert topic.title.en == q.prompt.zh == q.answer.en == q.note.zh == written
    assert q.tags == (written,) and q.sources[0].title == q.sources[0].question == written


@pytest.mark.parametrize("written", ["010", "0x1f", "2026", "1e3"])
def test_ids_keep_their_digits(written):
    topic, (q,), problems = parsed(GOOD.replace("id: t-one", f"id: {written}"))
    assert problems == [] and q.id == written


@pytest.mark.parametrize("written", ["~", "null", "NULL", ""])
def test_an_empty_value_is_still_empty(written):
    problems = parsed(GOOD.replace("a: A}", f"a: {written}}}"))[2]
    assert [m for _, _, m in problems] == ["question 't-one'.en.a is empty"]


@given(st.from_regex(r"[0-9a-fxoA-FXO:._+-]{1,8}|yes|no|on|off|true|false|y|n",
                     fullmatch=True))
def test_any_plain_scalar_in_an_answer_round_trips(written):
    """Property: whatever YAML 1.1 would make of a plain scalar, the answer is its text."""
    import yaml

    try:
        value = yaml.safe_load(f"a: {written}")["a"]
    except yaml.YAMLError:
        assume(False)
    assume(value is not None and written.strip() == written and not written.startswith("-"))
    problems = parsed(GOOD.replace("a: A}", f"a: {written}}}"))
    assume(not problems[2])  # e.g. `:` alone is YAML syntax, not a scalar
    assert problems[1][0].answer.en == written


def test_numeric_params_are_still_numbers():
    text = ("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
            "  - id: t-conv\n    type: numeric\n    check: conv_output_size\n"
            "    params: {size: [0x20, 28], kernel: [3], stride: [1], padding: [0]}\n"
            "    tolerance: {abs: 0.5}\n"
            "    zh: {q: '{size} {kernel}'}\n    en: {q: '{size} {kernel}'}\n")
    topic, (q,), problems = parsed(text)
    assert problems == []
    assert q.numeric.params["size"] == [32, 28] and q.numeric.tolerance == {"abs": 0.5}
    assert all(type(v) is int for v in q.numeric.params["size"])


# -- limits ---------------------------------------------------------------------------------

def test_a_file_past_the_size_limit_is_refused_at_the_line_where_it_passes():
    from quiz.bank.files import MAX_FILE_BYTES

    filler = "# " + "x" * 97 + "\n"  # 100 bytes a line
    text = GOOD + filler * (MAX_FILE_BYTES // 100)
    problems = parsed(text)[2]
    passing_line = (MAX_FILE_BYTES - len(GOOD.encode())) // 100 + 8
    assert problems == [("b.yaml", passing_line,
                         f"the file goes past {MAX_FILE_BYTES:,} bytes here, the limit for one "
                         "bank file; split it into several")]


def test_a_file_past_the_node_limit_is_refused_before_it_is_composed():
    from quiz.bank.reader import MAX_NODES

    text = "topic: t\ntitle: {zh: 题, en: T}\nquestions: []\nbig:\n" + "  - 1\n" * MAX_NODES
    problems = parsed(text)[2]
    # 13 nodes come before the items (the root, 4 keys, the title's mapping and its 4
    # scalars, 2 lists), then one item a line from line 5.
    assert problems == [("b.yaml", 5 + MAX_NODES - 13, f"the file passes {MAX_NODES:,} values "
                         "here, the limit for one bank file; split it into several")]


def test_the_bundled_banks_are_far_below_the_limits():
    from quiz.bank.files import MAX_FILE_BYTES
    from quiz.bank.reader import MAX_NODES, _node_bound

    for path in bundled_dir().glob("*.yaml"):
        assert path.stat().st_size * 10 < MAX_FILE_BYTES
        assert _node_bound(path.read_text(encoding="utf-8")) * 3 < MAX_NODES


@given(st.lists(st.sampled_from(["a", "- ", "? ", ": ", ", ", "[", "]", "{", "}", "\n", "  ",
                                 "x: ", "'q'", "~"]), max_size=40))
def test_the_node_bound_is_an_upper_bound(pieces):
    """Property: the cheap bound that skips the exact count never undercounts."""
    import yaml

    from quiz.bank.reader import _Loader, _node_bound

    text = "".join(pieces)
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.YAMLError:
        assume(False)
    nodes = sum(isinstance(e, yaml.ScalarEvent | yaml.CollectionStartEvent) for e in events)
    assert nodes <= _node_bound(text)


# -- hints for YAML syntax errors -----------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "hint"), [
    ("a: b: c\n", 1, "a value that contains ': ' must be quoted, like a: \"ratio: 2\""),
    ("q: x\n  y: 2\n", 2, "a value that contains ': ' must be quoted"),
    ('a: "x\n', 2, "the quote opened on line 1 is not closed"),
    ("a: 'it''s\n", 2, "the quote opened on line 1 is not closed"),
    ("a:\n\t- b\n", 2, "indent with spaces, not tabs"),
    ("a: @x\n", 1, "'@' cannot start a plain value: quote the text"),
    ("a: `x`\n", 1, "'`' cannot start a plain value: quote the text"),
    ("q: *x\n", 1, "'*' starts an alias: quote text that begins with it"),
    ("a: [1, 2\nb: 3\n", 2, "the '[' on line 1 is not closed"),
    ("a: {b: 1\n", 2, "the '{' on line 1 is not closed"),
    ("a: |\nb\n", 3, "a line that continues a value must be indented under it"),
    ("a:\n  b: 1\n c: 2\n", 3, "check the indentation"),
])
def test_a_yaml_syntax_error_says_its_likely_cause(text, line, hint):
    ((_, found_line, message),) = parse_text(text.encode(), "b.yaml")[2]
    assert found_line == line and message.startswith("YAML syntax error at column ")
    assert f"; {hint}" in message
