"""The bundled bank: complete, bilingual, valid, and every numeric template drawable."""

import re
from collections import Counter
from pathlib import Path

import pytest

from quiz import numeric
from quiz.bank import load_bank
from quiz.bank_files import bundled_dir

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


@pytest.mark.parametrize("question", [q for q in BANK.questions if q.topic in BEYOND_SEEDS],
                         ids=lambda q: q.id)
def test_questions_beyond_the_seeds_cite_a_paper_or_the_docs(question):
    assert question.sources
    assert {s.title for s in question.sources} <= REFERENCES
