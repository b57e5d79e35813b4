"""The bundled bank: complete, bilingual, valid, and every numeric template drawable."""

import re
from collections import Counter
from pathlib import Path

import pytest

from quiz.bank import lengths
from quiz.bank.files import bundled_dir
from quiz.bank.reader import load_bank
from quiz.numeric import templates as numeric

BANK = load_bank([bundled_dir()])
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
HAN = re.compile(r"[\u4e00-\u9fff]")
SEEDS = [tuple(line.split("\t")) for line in
         (Path(__file__).parent / "data" / "seed_questions.tsv").read_text("utf-8").splitlines()
         if not line.startswith("#")]

EXPECTED_TOPICS = {
    "fundamentals": 18, "training": 17, "optimizers": 2, "regularization": 7,
    "normalization": 5, "activations": 16, "cnn": 20, "rnn": 21, "generative": 6,
    "ensembles": 3, "frameworks": 4, "transformers": 24,
}
# The Transformers bank goes beyond the five seed documents: it cites papers and the PyTorch
# documentation instead.
BEYOND_SEEDS = {"transformers"}
REFERENCES = {
    "Vaswani et al. 2017, Attention Is All You Need",
    "Devlin et al. 2018, BERT: Pre-training of Deep Bidirectional Transformers for Language "
    "Understanding",
    "Radford et al. 2018, Improving Language Understanding by Generative Pre-Training",
    "Radford et al. 2019, Language Models are Unsupervised Multitask Learners",
    "Raffel et al. 2020, Exploring the Limits of Transfer Learning with a Unified Text-to-Text "
    "Transformer",
    "Su et al. 2021, RoFormer: Enhanced Transformer with Rotary Position Embedding",
    "Xiong et al. 2020, On Layer Normalization in the Transformer Architecture",
    "Dao et al. 2022, FlashAttention: Fast and Memory-Efficient Exact Attention with "
    "IO-Awareness",
    "Ainslie et al. 2023, GQA: Training Generalized Multi-Query Transformer Models from "
    "Multi-Head Checkpoints",
    "Sennrich et al. 2016, Neural Machine Translation of Rare Words with Subword Units",
    "Ba et al. 2016, Layer Normalization",
    "Shen et al. 2020, PowerNorm: Rethinking Batch Normalization in Transformers",
    "Szegedy et al. 2016, Rethinking the Inception Architecture for Computer Vision",
    "PyTorch documentation, torch.nn.MultiheadAttention",
    "PyTorch documentation, torch.nn.TransformerEncoderLayer",
}


def texts(question):
    """(language, text) of everything a learner reads."""
    pairs = [question.prompt, question.answer, question.note]
    for pair in pairs:
        if pair is not None:
            yield "zh", pair.zh
            yield "en", pair.en
    for point in question.key_points:
        yield from (("zh", t) for t in point.zh)
        yield from (("en", t) for t in point.en)


def test_counts_per_topic():
    assert Counter(q.topic for q in BANK.questions) == EXPECTED_TOPICS
    kinds = Counter(q.type for q in BANK.questions)
    assert kinds["open"] >= 85 and kinds["numeric"] >= 12


def test_ids_are_unique_and_prefixed_by_their_topic():
    ids = [q.id for q in BANK.questions]
    assert len(ids) == len(set(ids))
    assert all(q.id.startswith(q.topic + "-") for q in BANK.questions)


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_chinese_is_chinese_and_english_has_no_chinese(question):
    for lang, text in texts(question):
        if lang == "en":
            assert not CJK.search(text), (question.id, text)
    assert HAN.search(question.prompt.zh)
    if question.answer is not None:
        assert HAN.search(question.answer.zh)


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_no_latex_and_no_page_noise(question):
    for _lang, text in texts(question):
        assert "\\frac" not in text and "$" not in text
        for noise in ("在这里插入图片描述", "未完待续", "相关文章", "点赞"):
            assert noise not in text


def test_every_seed_question_is_cited():
    cited = {(s.title, s.question) for q in BANK.questions for s in q.sources
             if q.topic not in BEYOND_SEEDS}
    assert len(SEEDS) == 122
    assert [seed for seed in SEEDS if seed not in cited] == []
    assert cited <= set(SEEDS)


@pytest.mark.parametrize("question", [q for q in BANK.questions if q.type == "numeric"],
                         ids=lambda q: q.id)
def test_numeric_templates_draw_and_grade(question):
    assert question.sources, "a numeric template cites the question it drills"
    for seed in range(25):
        instance = numeric.instantiate(question, seed)
        assert numeric.grade(instance, numeric.format_value(instance.expected))
        for name in question.numeric.params:
            assert "{" + name not in instance.prompt.zh + instance.prompt.en


# -- sayable, well-punctuated answers: checked file by file ---------------------------------

FILES = sorted(bundled_dir().glob("*.yaml"))
OPEN_BY_FILE = {path.name: [q for q in BANK.questions
                            if q.type == "open" and Path(q.file).name == path.name]
                for path in FILES}
# Han characters and CJK/full-width punctuation: what an ASCII mark must not touch in zh.
CJK_MARKS = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
ASCII_BETWEEN_CJK = re.compile(rf"[{CJK_MARKS}] *[,;:?!] *[{CJK_MARKS}]")
ASCII_QUOTE_BY_CJK = re.compile(rf"[{CJK_MARKS}][\"']|[\"'][{CJK_MARKS}]")
NOT_ENGLISH = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
                         "\u201c\u201d\u2018\u2019]")


def prose(question):
    """(part, language, text) of the question's own prose: prompt, brief, answer, note."""
    for part in ("prompt", "brief", "answer", "note"):
        pair = getattr(question, part)
        if pair is not None:
            yield part, "zh", pair.zh
            yield part, "en", pair.en


def per_file(test):
    return pytest.mark.parametrize("name", sorted(OPEN_BY_FILE))(test)


@per_file
def test_every_open_question_has_a_brief_within_its_limits(name):
    problems = [f"{q.id}: no brief" for q in OPEN_BY_FILE[name] if q.brief is None]
    for q in OPEN_BY_FILE[name]:
        if q.brief is not None:
            problems += [m for _lang, m in lengths.brief_problems(q.brief, q.id)]
    assert problems == []


@per_file
def test_full_answers_are_short_enough_to_say(name):
    assert [m for q in OPEN_BY_FILE[name] for m in lengths.answer_problems(q)] == []


@per_file
def test_a_brief_is_shorter_than_its_answer(name):
    for q in OPEN_BY_FILE[name]:
        if q.brief is not None:
            for lang in ("zh", "en"):
                assert (lengths.length(q.brief.get(lang), lang)
                        < lengths.length(q.answer.get(lang), lang)), (q.id, lang)


@per_file
def test_chinese_uses_full_width_punctuation_and_curly_quotes(name):
    problems = []
    for q in OPEN_BY_FILE[name]:
        for part, lang, text in prose(q):
            if lang != "zh":
                continue
            for pattern in (ASCII_BETWEEN_CJK, ASCII_QUOTE_BY_CJK):
                problems += [(q.id, part, m.group()) for m in pattern.finditer(text)]
            if text.count("“") != text.count("”"):
                problems.append((q.id, part, "unpaired “”"))
    assert problems == []


@per_file
def test_english_has_no_chinese_or_full_width_marks(name):
    problems = [(q.id, part, m.group()) for q in OPEN_BY_FILE[name]
                for part, lang, text in prose(q) if lang == "en"
                for m in NOT_ENGLISH.finditer(text)]
    assert problems == []


@per_file
def test_list_items_end_the_same_way_within_a_file(name):
    endings = {"zh": Counter(), "en": Counter()}
    for q in OPEN_BY_FILE[name]:
        for lang in ("zh", "en"):
            for line in q.answer.get(lang).splitlines():
                if line.lstrip().startswith("- "):
                    last = line.rstrip()[-1]
                    endings[lang][last if last in "。.；;" else "no mark"] += 1
    for lang, counts in endings.items():
        assert len(counts) <= 1, (lang, dict(counts))


@pytest.mark.parametrize("text, expected", [
    ("用 ReLU。", 6), ("  \n\t", 0), ("梯度\n消失", 4), ("x² + 1", 4), ("", 0),
])
def test_chinese_length_counts_every_character_but_whitespace(text, expected):
    assert lengths.zh_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("x = 2 → y", 3), ("Adam's step - roughly α.", 4), ("ReLU, GELU and\nSiLU", 4),
    ("", 0), ("a 3x3 kernel", 3), ("1e-3", 1), ("→ — =", 0),
])
def test_english_length_counts_words_with_a_letter_or_digit(text, expected):
    assert lengths.en_words(text) == expected


# -- quiz validate: brief lengths, and briefs required only in the bundled banks -----------

USER_BANK = """\
topic: mine
title: {{zh: 我的, en: Mine}}
questions:
  - id: mine-one
    zh: {{q: 问？, {zh_brief}a: 长答。}}
    en:
      q: Question?
      {en_brief}a: A long answer.
"""


def validate(path):
    from conftest import run_cli

    return run_cli("validate", path)


def test_validate_names_the_file_line_limit_and_count_of_a_long_brief(tmp_path, cli_env):
    bank = tmp_path / "mine.yaml"
    bank.write_text(USER_BANK.format(zh_brief="brief: " + "很" * 61 + "。, ",
                                     en_brief="brief: " + "word " * 36 + "\n      "),
                    encoding="utf-8")
    result = validate(bank)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{bank}:5: question 'mine-one'.zh.brief is 62 characters (not counting spaces) long; "
        "the limit is 60",
        f"{bank}:8: question 'mine-one'.en.brief is 36 words long; the limit is 35",
        "Error: 2 problem(s) in the bank; nothing was loaded",
    ]


def test_a_brief_at_the_limit_passes(tmp_path, cli_env):
    bank = tmp_path / "mine.yaml"
    bank.write_text(USER_BANK.format(zh_brief="brief: " + "很" * 59 + "。, ",
                                     en_brief="brief: " + "word " * 35 + "\n      "),
                    encoding="utf-8")
    result = validate(bank)
    assert result.exit_code == 0, result.output
    assert "1 questions in 1 file(s): OK" in result.output


def test_a_users_bank_without_briefs_passes(tmp_path, cli_env):
    bank = tmp_path / "mine.yaml"
    bank.write_text(USER_BANK.format(zh_brief="", en_brief=""), encoding="utf-8")
    result = validate(bank)
    assert result.exit_code == 0, result.output
    assert "1 questions in 1 file(s): OK" in result.output


def test_the_bundled_banks_require_a_brief(tmp_path):
    from quiz.bank.reader import missing_briefs

    bank = tmp_path / "mine.yaml"
    bank.write_text(USER_BANK.format(zh_brief="", en_brief=""), encoding="utf-8")
    loaded = load_bank([bank])
    assert missing_briefs(loaded, tmp_path / "elsewhere") == []
    assert missing_briefs(loaded, tmp_path) == [
        (str(bank), 4, "question 'mine-one' has no brief: the bundled banks give every open "
                       "question a 'brief' in zh and en")]


@pytest.mark.parametrize("question", [q for q in BANK.questions if q.topic in BEYOND_SEEDS],
                         ids=lambda q: q.id)
def test_questions_beyond_the_seeds_cite_a_paper_or_the_docs(question):
    assert question.sources
    assert {s.title for s in question.sources} <= REFERENCES
