"""Build the benchmark data set: a 5,000-question bank and a 1,000,000-review database.

    .venv/bin/python benchmarks/make_data.py --out /tmp/quiz-bench

writes, from a fixed seed (same seed and same `--today`, same files):

- `DIR/banks/NN-topic.yaml`: 20 topic files of 250 questions each (235 open questions with
  bilingual answers of realistic length, 15 numeric templates built on real checks), which
  pass `quiz validate`;
- `DIR/quiz.db`: opened with `quiz.store.Store.open`, so the schema is the real one, then
  10,000 cards (the 5,000 bank ids and 5,000 retired ids that left the bank) and exactly
  1,000,000 reviews spread over three years of daily sessions ending `--today`.

The schedule is the real one: every state-changing review goes through `quiz.sm2.next_state`
(memoised on the state it starts from, which is all the function depends on besides the
date), and the `cards` table is the last state of each card, exactly as `Store.record`
would have left it. `--verify` checks that by replaying the log with `Store.rebuild_cards`.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import shutil
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

SEED = 20_240_601
N_TOPICS = 20
PER_TOPIC = 250
NUMERIC_PER_TOPIC = 15  # 300 numeric templates, 4,700 open questions
N_RETIRED = 5_000
N_REVIEWS = 1_000_000
DAYS = 3 * 365
UTC_OFFSET = 8 * 60  # the learner studies in China (UTC+8, no daylight saving)
ROLLOVER = 4  # quiz's default study-day rollover (04:00)
ZH_CHARS = (60, 250)  # Chinese characters in a zh answer
EN_WORDS = (40, 180)  # words in an en answer
FAIL_RANGE = (0.12, 0.42)  # each card's chance of a grade below 3, by its difficulty
PASS_WEIGHTS = (5, 4, 2)  # grades 3, 4, 5 when recalled: hard material, EF drifts down
REPEATS_PER_FAIL = 1.3  # same-day repeats per answer graded below 4
INTRO_DAYS = 500  # new cards are introduced during the first 500 days
REORGANISATIONS = (500, 800, 1000)  # days the bank was reorganised and questions left it
SCHEDULED_SHARE = 0.40  # scheduled answers in the log (the rest: repeats and drills)

TOPICS = [
    ("fundamentals", "深度学习基础", "Deep-learning fundamentals"),
    ("training", "训练与反向传播", "Training and backpropagation"),
    ("optimizers", "优化器", "Optimizers"),
    ("regularization", "正则化与过拟合", "Regularization and overfitting"),
    ("normalization", "归一化", "Normalization"),
    ("activations", "激活函数", "Activation functions"),
    ("cnn", "卷积神经网络", "Convolutional neural networks"),
    ("rnn", "循环神经网络", "Recurrent networks"),
    ("attention", "注意力机制", "Attention"),
    ("transformers", "Transformer 模型", "Transformers"),
    ("generative", "生成模型", "Generative models"),
    ("ensembles", "集成学习", "Ensembles"),
    ("detection", "目标检测", "Object detection"),
    ("segmentation", "图像分割", "Image segmentation"),
    ("nlp", "自然语言处理", "Natural language processing"),
    ("speech", "语音识别", "Speech recognition"),
    ("recsys", "推荐系统", "Recommender systems"),
    ("graphs", "图神经网络", "Graph neural networks"),
    ("reinforcement", "强化学习", "Reinforcement learning"),
    ("deployment", "模型部署与加速", "Deployment and inference speed"),
]

TERMS = [
    ("梯度消失", "vanishing gradients"), ("梯度爆炸", "exploding gradients"),
    ("反向传播", "backpropagation"), ("损失函数", "the loss function"),
    ("交叉熵", "cross-entropy"), ("均方误差", "mean squared error"),
    ("学习率", "the learning rate"), ("动量", "momentum"), ("权重衰减", "weight decay"),
    ("批归一化", "batch normalization"), ("层归一化", "layer normalization"),
    ("残差连接", "residual connections"), ("注意力", "attention"),
    ("自注意力", "self-attention"), ("多头注意力", "multi-head attention"),
    ("位置编码", "positional encoding"), ("卷积核", "the convolution kernel"),
    ("感受野", "the receptive field"), ("池化", "pooling"), ("步长", "the stride"),
    ("填充", "padding"), ("激活函数", "the activation function"), ("过拟合", "overfitting"),
    ("欠拟合", "underfitting"), ("正则化", "regularization"), ("数据增强", "data augmentation"),
    ("早停", "early stopping"), ("迁移学习", "transfer learning"), ("微调", "fine-tuning"),
    ("嵌入向量", "embeddings"), ("词向量", "word vectors"), ("门控单元", "gating units"),
    ("长短期记忆网络", "LSTM"), ("循环神经网络", "recurrent networks"),
    ("生成对抗网络", "generative adversarial networks"),
    ("变分自编码器", "variational autoencoders"),
    ("扩散模型", "diffusion models"), ("知识蒸馏", "knowledge distillation"),
    ("模型量化", "quantization"), ("剪枝", "pruning"), ("混合精度", "mixed precision"),
    ("数据并行", "data parallelism"), ("模型并行", "model parallelism"),
    ("非极大值抑制", "non-maximum suppression"), ("锚框", "anchor boxes"),
    ("交并比", "intersection over union"), ("召回率", "recall"), ("精确率", "precision"),
    ("特征金字塔", "feature pyramids"), ("图卷积", "graph convolution"),
    ("消息传递", "message passing"), ("策略梯度", "policy gradients"),
    ("价值函数", "value functions"), ("经验回放", "experience replay"),
    ("集成学习", "ensembles"), ("随机森林", "random forests"), ("梯度提升", "gradient boosting"),
    ("特征交叉", "feature crosses"), ("召回与排序", "retrieval and ranking"),
    ("声学模型", "acoustic models"),
]
ZH_LINKS = [
    "可以缓解", "会导致", "的输出", "通过", "使得", "在训练时", "对", "进行归一化", "更稳定",
    "收敛更快", "因此", "需要", "而不是", "相当于", "提高了", "降低了", "的梯度", "参数量",
    "在推理时", "与", "结合", "能够", "减少", "增加", "一般", "通常", "的方差", "的均值",
    "每一层", "整个网络", "小批量", "样本", "特征图", "泛化能力", "计算量", "显存", "模型",
]
EN_WORDS_POOL = (
    "the a of to and in that it is for with as on by this we can which layer model network "
    "training gradient loss weights input output data batch learning rate value each step "
    "error features parameters function between more less when because so however usually "
    "reduces increases helps avoids keeps makes allows uses computes updates scales shifts "
    "normalizes stable faster slower larger smaller deeper wider every single whole small "
    "large mean variance noise signal sample samples tokens sequence hidden state memory "
    "cost time inference accuracy bias regularization overfitting generalization update "
    "norm direction curvature early later first last same different average maximum minimum"
).split()
Q_TEMPLATES = [
    ("什么是{a}？它和{b}有什么区别？", "What is {a}, and how does it differ from {b}?"),
    ("为什么{a}能缓解{b}的问题？", "Why does {a} help with {b}?"),
    ("简述{a}的原理，并说明它的优缺点。", "Explain how {a} works, with its pros and cons."),
    ("{a}在{b}中起什么作用？", "What role does {a} play in {b}?"),
    ("训练时{a}和{b}如何配合使用？", "How are {a} and {b} used together in training?"),
    ("如何判断是否出现了{a}？有哪些应对方法？", "How do you detect {a}, and what helps?"),
    ("比较{a}与{b}：各自适合什么场景？", "Compare {a} with {b}: when is each the better choice?"),
    ("面试常问：{a}为什么有效？", "A common interview question: why does {a} work?"),
]
SOURCE_TITLES = [
    "算法工程师-机器学习面试题总结(4)", "深度学习面试问题与答案(2023)",
    "深度学习面试题(优化器、过拟合、归一化、神经网络)", "百面深度学习面试笔记", "AI 面试八股文合集",
]
TAG_WORDS = [
    "basics", "math", "theory", "practice", "tuning", "architecture", "loss", "speed",
    "memory", "data", "metrics", "pitfalls", "history", "scaling", "debugging", "design",
]

# Numeric templates copied from the bundled questions/*.yaml (real checks, real params).
NUMERIC_TEMPLATES: list[dict[str, Any]] = [
    {"check": "conv_output_size", "tags": ["output-size", "convolution"],
     "params": {"size": [28, 32, 35, 56, 64, 100, 224, 227], "kernel": [1, 2, 3, 5, 7, 11],
                "stride": [1, 2, 3, 4], "padding": 0},
     "constraints": ["kernel <= size", "stride <= kernel or kernel == 1"],
     "zh": "输入特征图 {size}×{size}，卷积核 {kernel}×{kernel}，步长 {stride}，"
           "不填充。输出边长？（整数）",
     "en": "A {size}×{size} input, a {kernel}×{kernel} kernel, stride {stride}, no padding. "
           "Output side length? (an integer)"},
    {"check": "same_padding", "tags": ["padding"],
     "params": {"kernel": [3, 5, 7, 9, 11], "dilation": [1, 1, 1, 2, 3]},
     "zh": "步长 1，卷积核 {kernel}×{kernel}，膨胀率 {dilation}。每侧补多少个零才能 same？（整数）",
     "en": "Stride 1, a {kernel}×{kernel} kernel, dilation {dilation}. How many zeros per side "
           "for same padding? (an integer)"},
    {"check": "pool_output_size", "tags": ["pooling", "output-size"],
     "params": {"size": [7, 13, 14, 15, 27, 28, 55, 56, 112, 113], "kernel": [2, 3],
                "stride": [1, 2], "padding": [0, 0, 1], "ceil_mode": [False, False, True]},
     "constraints": ["stride <= kernel"],
     "zh": "MaxPool2d：输入 {size}×{size}，kernel_size={kernel}，stride={stride}，"
           "padding={padding}，ceil_mode={ceil_mode}。输出边长？（整数）",
     "en": "MaxPool2d on a {size}×{size} input, kernel_size={kernel}, stride={stride}, "
           "padding={padding}, ceil_mode={ceil_mode}. Output side length? (an integer)"},
    {"check": "conv_params", "tags": ["parameter-count"],
     "params": {"in_channels": [1, 3, 3, 16, 32, 64, 128, 256],
                "out_channels": [8, 16, 32, 64, 128, 256, 512], "kernel": [1, 3, 3, 5, 7],
                "bias": [True, True, False]},
     "zh": "输入通道 {in_channels}，{out_channels} 个 {kernel}×{kernel} 卷积核，bias={bias}。"
           "可学习参数有多少？（整数）",
     "en": "C_in = {in_channels}, {out_channels} kernels of {kernel}×{kernel}, bias={bias}. "
           "How many learnable parameters? (an integer)"},
    {"check": "linear_params", "tags": ["parameter-count"],
     "params": {"in_features": [64, 128, 256, 512, 784, 1024, 2048],
                "out_features": [10, 32, 64, 100, 128, 256, 512, 1000], "bias": [True, False]},
     "zh": "nn.Linear({in_features}, {out_features}, bias={bias}) 有多少个可训练参数？（整数）",
     "en": "How many trainable parameters does nn.Linear({in_features}, {out_features}, "
           "bias={bias}) have? (an integer)"},
    {"check": "iterations_per_epoch", "tags": ["epochs"],
     "params": {"n_samples": [1000, 2500, 7300, 10000, 12345, 50000, 60000],
                "batch_size": [16, 32, 64, 100, 128, 200, 256], "drop_last": [True, False]},
     "constraints": ["batch_size < n_samples"],
     "zh": "{n_samples} 个样本，batch 大小 {batch_size}，drop_last={drop_last}。"
           "一个 epoch 多少次迭代？",
     "en": "{n_samples} samples, batch size {batch_size}, drop_last={drop_last}. "
           "Iterations per epoch? (an integer)"},
    {"check": "lstm_params", "tags": ["lstm", "parameter-count"],
     "params": {"input_size": [16, 32, 50, 64, 100, 128, 256, 300],
                "hidden_size": [16, 32, 64, 100, 128, 256, 512]},
     "zh": "单层单向 LSTM，输入维度 {input_size}，隐藏维度 {hidden_size}。"
           "按 PyTorch 计数共多少参数？",
     "en": "A one-layer LSTM with input size {input_size} and hidden size {hidden_size}: how "
           "many parameters, as PyTorch counts them? (an integer)"},
    {"check": "gru_params", "tags": ["gru", "parameter-count"],
     "params": {"input_size": [16, 32, 50, 64, 100, 128, 256, 300],
                "hidden_size": [16, 32, 64, 100, 128, 256, 512]},
     "zh": "单层单向 GRU，输入维度 {input_size}，隐藏维度 {hidden_size}。"
           "按 PyTorch 计数共多少参数？",
     "en": "A one-layer GRU with input size {input_size} and hidden size {hidden_size}: how "
           "many parameters, as PyTorch counts them? (an integer)"},
    {"check": "derivative", "tags": ["derivative"],
     "params": {"name": ["sigmoid", "tanh"], "x": {"min": -3, "max": 3, "step": 0.5}},
     "tolerance": {"abs": 0.001},
     "zh": "{name} 在 x = {x} 处的导数是多少？（保留三位小数）",
     "en": "What is the derivative of {name} at x = {x}? (Give three decimals.)"},
    {"check": "softmax", "tags": ["softmax"],
     "params": {"xs": {"length": 3, "min": -2, "max": 3}}, "tolerance": {"abs": 0.001},
     "zh": "计算 softmax({xs})。答案是 3 个数的列表，各保留三位小数。",
     "en": "Compute softmax({xs}). Answer with a list of 3 numbers, three decimals each."},
    {"check": "inverted_dropout_scale", "tags": ["dropout"],
     "params": {"p": [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6]},
     "zh": "inverted dropout，丢弃概率 p = {p}。训练时保留的激活要乘以多少？（保留三位小数）",
     "en": "Inverted dropout with drop probability p = {p}: by what factor are kept "
           "activations multiplied in training? (three decimals)"},
    {"check": "gd_step", "tags": ["gradient-descent"],
     "params": {"theta": {"length": 3, "min": -2, "max": 2, "step": 0.1},
                "grad": {"length": 3, "min": -5, "max": 5, "step": 0.5},
                "lr": [0.01, 0.05, 0.1, 0.2, 0.5]},
     "zh": "θ = {theta}，梯度 {grad}，学习率 {lr}。一步梯度下降后的 θ？（3 个数的列表）",
     "en": "θ = {theta}, gradient {grad}, learning rate {lr}. θ after one plain gradient-descent "
           "step? (a list of 3 numbers)"},
    {"check": "pool2d", "tags": ["pooling"],
     "params": {"matrix": {"rows": 4, "cols": 4, "min": 0, "max": 9}, "kernel": 2,
                "stride": 2, "mode": "max"},
     "zh": "对下面的 4×4 特征图做 {kernel}×{kernel} 最大池化，步长 {stride}："
           "{matrix}写出 2×2 结果，例如 6 8; 3 4",
     "en": "Apply {kernel}×{kernel} max pooling with stride {stride} to:{matrix}Give the 2×2 "
           "result, e.g. 6 8; 3 4"},
]


# -- the bank -----------------------------------------------------------------------------------


def _cjk(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


def zh_sentence(rng: random.Random) -> str:
    pieces = []
    for i in range(rng.randint(3, 7)):
        pieces.append(rng.choice(TERMS)[0] if i % 2 == 0 else rng.choice(ZH_LINKS))
        if i and rng.random() < 0.15:
            pieces.append("，")
    return "".join(pieces).rstrip("，") + rng.choice("。。。；")


def zh_text(rng: random.Random, low: int, high: int) -> str:
    """Chinese prose of `low`–`high` CJK characters: a lead sentence, then bullet lines."""
    target = min(high, max(low, int(rng.triangular(low, high, low + (high - low) / 3))))
    lines = [zh_sentence(rng)]
    while _cjk("".join(lines)) < target:
        line = f"- {rng.choice(TERMS)[0]}：{zh_sentence(rng)}" if rng.random() < 0.8 \
            else zh_sentence(rng)
        lines.append(line)
    text = "\n".join(lines)
    while _cjk(text) > high:  # trim the overshoot of the last line
        text = text[:-2] + "。"
    return text


def en_sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(TERMS)[1] if rng.random() < 0.12 else rng.choice(EN_WORDS_POOL)
              for _ in range(words)]
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def en_text(rng: random.Random, low: int, high: int) -> str:
    """English prose of `low`–`high` words: a lead sentence, then bullet lines."""
    target = min(high, max(low, int(rng.triangular(low, high, low + (high - low) / 3))))
    lines: list[str] = []
    count = 0
    while count < target:
        room = target - count
        n = max(5, min(room, rng.randint(8, 18)))
        sentence = en_sentence(rng, n)
        count += len(sentence.split())  # a term may be several words
        if lines and rng.random() < 0.8:
            term = rng.choice(TERMS)[1]
            lines.append(f"- {term[0].upper() + term[1:]}: {sentence}")
            count += len(term.split())
        else:
            lines.append(sentence)
    text = "\n".join(lines)
    words = text.split()
    if len([w for w in words if w != "-"]) > high:
        text = " ".join(words[:high]).rstrip(".:") + "."
    return text


def slug(text: str) -> str:
    return "-".join("".join(c for c in word if c.isalnum()) for word in text.lower().split()
                    if word not in ("the", "a")).strip("-") or "q"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.splitlines())


def _sources(rng: random.Random, zh_q: str) -> list[str]:
    out = []
    for title in rng.sample(SOURCE_TITLES, rng.choice((1, 1, 1, 2, 2, 3))):
        out.append(f"      - {{title: {_q(title)}, question: {_q(zh_q.replace('？', '?'))}}}")
    return out


def open_question(rng: random.Random, qid: str, tags: list[str]) -> list[str]:
    (a_zh, a_en), (b_zh, b_en) = rng.sample(TERMS, 2)
    t_zh, t_en = rng.choice(Q_TEMPLATES)
    zh_q, en_q = t_zh.format(a=a_zh, b=b_zh), t_en.format(a=a_en, b=b_en)
    en_q = en_q[0].upper() + en_q[1:]
    lines = [f"  - id: {qid}", f"    tags: [{', '.join(tags)}]",
             "    zh:", f"      q: {_q(zh_q)}", f"      a: {_block(zh_text(rng, *ZH_CHARS), 8)}",
             "    en:", f"      q: {_q(en_q)}", f"      a: {_block(en_text(rng, *EN_WORDS), 8)}"]
    if rng.random() < 0.12:
        lines += ["    note:", f"      zh: {_block('原文称' + zh_text(rng, 20, 70), 8)}",
                  f"      en: {_block('The source claims ' + en_text(rng, 15, 45), 8)}"]
    if rng.random() < 0.4:
        lines.append("    key_points:")
        for zh, en in rng.sample(TERMS, rng.randint(2, 4)):
            extra = rng.choice(TERMS)
            lines.append(f"      - {{zh: [{_q(zh)}, {_q(extra[0])}], "
                         f"en: [{_q(en)}, {_q(en.removeprefix('the '))}]}}")
    lines.append("    sources:")
    lines += _sources(rng, zh_q)
    return lines


def numeric_question(rng: random.Random, qid: str, n: int, tags: list[str]) -> list[str]:
    t = NUMERIC_TEMPLATES[n % len(NUMERIC_TEMPLATES)]
    lines = [f"  - id: {qid}", "    type: numeric", f"    tags: [{', '.join(t['tags'] + tags)}]",
             f"    check: {t['check']}", f"    params: {json.dumps(t['params'])}"]
    if "constraints" in t:
        lines.append(f"    constraints: {json.dumps(t['constraints'])}")
    if "tolerance" in t:
        lines.append(f"    tolerance: {json.dumps(t['tolerance'])}")
    lines += [f"    zh: {{q: {_q(f'练习 {n + 1}：' + t['zh'])}}}",
              f"    en: {{q: {_q(f'Drill {n + 1}: ' + t['en'])}}}", "    sources:"]
    lines += _sources(rng, t["zh"])
    return lines


def write_banks(folder: Path, rng: random.Random) -> list[Path]:
    """20 topic files of PER_TOPIC questions; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    numeric_every = PER_TOPIC // NUMERIC_PER_TOPIC
    for index, (topic, zh_title, en_title) in enumerate(TOPICS, start=1):
        tag_pool = [f"{topic}-{w}" for w in rng.sample(TAG_WORDS, 8)]
        lines = [f"topic: {topic}", f"title: {{zh: {_q(zh_title)}, en: {_q(en_title)}}}",
                 "questions:"]
        numeric_n = 0
        for n in range(PER_TOPIC):
            tags = rng.sample(tag_pool, rng.randint(1, 3))
            if n % numeric_every == numeric_every - 1 and numeric_n < NUMERIC_PER_TOPIC:
                check = NUMERIC_TEMPLATES[numeric_n % len(NUMERIC_TEMPLATES)]["check"]
                qid = f"{topic}-drill-{check.replace('_', '-')}-{n:03d}"
                lines += numeric_question(rng, qid, numeric_n, tags)
                numeric_n += 1
            else:
                # the id's slug comes from a term drawn independently of the text
                qid = f"{topic}-{slug(rng.choice(TERMS)[1])}-{n:03d}"
                lines += open_question(rng, qid, tags)
            lines.append("")
        path = folder / f"{index:02d}-{topic}.yaml"
        path.write_text("\n".join(lines), encoding="utf-8")
        files.append(path)
    return files


# -- the review history -------------------------------------------------------------------------


@dataclass
class CardPlan:
    """One card's life: when it is introduced, when (if ever) it leaves the bank, how hard."""

    question_id: str
    intro: int  # day index
    retire: int | None  # day index from which it is no longer reviewed
    fail: float  # probability of a grade below 3
    fingerprint: str
    numeric: Any = None  # the Question, for numeric cards
    instances: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Shape:
    """The size of the history: `reviews` rows over `days` study days ending today.

    The defaults (1,000,000 over 3 × 365 days) are the reference data set, built exactly as
    before the options existed. Any other size keeps the reference's shape instead of its
    constants: the bank (5,000 questions) stays, the calendar (introduction period, the
    reorganisations, the first drills) stretches with `days`, and the number of cards the
    learner went through grows or shrinks so that scheduled answers stay ~40 % of the log,
    each card keeps its lapse rate, and repeats and drills fill the rest as in the reference.
    More reviews per day therefore means more cards per day, as a heavier learner would have,
    not a card answered ten times a day.
    """

    reviews: int = N_REVIEWS
    days: int = DAYS

    @property
    def reference(self) -> bool:
        return (self.reviews, self.days) == (N_REVIEWS, DAYS)

    def scaled(self, day: int) -> int:
        """A day of the reference calendar, on this calendar."""
        return day if self.days == DAYS else round(day * self.days / DAYS)

    @property
    def intro_days(self) -> int:
        return self.scaled(INTRO_DAYS)

    @property
    def reorganisations(self) -> tuple[int, ...]:
        return tuple(self.scaled(d) for d in REORGANISATIONS)


class Scheduler:
    """`sm2.next_state` memoised on (repetitions, interval, EF in hundredths, quality)."""

    def __init__(self) -> None:
        from quiz import sm2
        from quiz.model import CardState

        self.sm2, self.CardState = sm2, CardState
        self.memo: dict[tuple[Any, ...], tuple[int, int, int]] = {}
        self.base = date(2000, 1, 1)

    def next(self, state: tuple[int, int, int] | None, quality: int) -> tuple[int, int, int]:
        key = (*state, quality) if state else (quality,)
        hit = self.memo.get(key)
        if hit is None:
            before = None if state is None else self.CardState(
                repetitions=state[0], interval=state[1], efactor=Fraction(state[2], 100),
                due=self.base)
            after = self.sm2.next_state(before, quality, self.base)
            ef = after.efactor * 100
            assert ef.denominator == 1, after
            hit = self.memo[key] = (after.repetitions, after.interval, int(ef))
        return hit


def grade(rng: random.Random, fail: float) -> int:
    if rng.random() < fail:
        return rng.choices((0, 1, 2), (2, 3, 5))[0]
    return rng.choices((3, 4, 5), PASS_WEIGHTS)[0]


def simulate(plans: list[CardPlan], seed: int, sched: Scheduler, days: int = DAYS
             ) -> Iterator[tuple[int, list[tuple[int, int, tuple[int, int, int]]]]]:
    """Day by day: (day, [(card, quality, (reps, interval, ef)) of the day's first answers]).

    Cards come back on their due day (a few days late now and then); skipped days push the
    day's cards to the next one. On the last day (today) only part of the queue is done, so
    that cards are due when the benchmark runs.
    """
    rng = random.Random(seed)
    states: list[tuple[int, int, int] | None] = [None] * len(plans)
    buckets: dict[int, list[int]] = defaultdict(list)
    for index, plan in enumerate(plans):
        buckets[plan.intro].append(index)
    last = days - 1
    for day in range(days):
        todays = buckets.pop(day, [])
        if day < last and rng.random() < 0.04:  # a missed day
            buckets[day + 1].extend(todays)
            yield day, []
            continue
        if day == last:  # today: the session is under way
            todays = todays[: len(todays) * 2 // 5]
        events = []
        for index in todays:
            plan = plans[index]
            if plan.retire is not None and day >= plan.retire:
                continue
            quality = grade(rng, plan.fail)
            state = states[index] = sched.next(states[index], quality)
            events.append((index, quality, state))
            late = 0 if rng.random() < 0.85 else rng.randint(1, 3)
            if day + state[1] + late <= last:
                buckets[day + state[1] + late].append(index)
        yield day, events


def repeat_counts(rng: random.Random, failed: list[int], wanted: int) -> list[int]:
    """How many same-day repeats each answer graded below 4 gets, `wanted` in all.

    A blackout (grade 0–2) tends to need more repeats than a hard pass (grade 3); a zero
    means the learner ended that day's session before the card came back.
    """
    n = len(failed)
    if wanted <= n:
        counts = [0] * n
        for i in rng.sample(range(n), wanted):
            counts[i] = 1
        return counts
    counts = [1] * n
    weights = [3 if q < 3 else 1 for q in failed]
    for i in rng.choices(range(n), weights, k=wanted - n):
        counts[i] += 1
    return counts


def practice_counts(rng: random.Random, wanted: int, days_total: int = DAYS) -> dict[int, int]:
    """Evening drills (`quiz practice`) before interviews: answers per day, `wanted` in all."""
    if wanted <= 0:
        return {}
    first = 30 if days_total == DAYS else max(1, round(30 * days_total / DAYS))
    days = [d for d in range(first, days_total - 1) if rng.random() < 0.3]
    weights = [rng.uniform(0.3, 1.7) for _ in days]
    total = sum(weights)
    counts = {d: int(wanted * w / total) for d, w in zip(days, weights, strict=True)}
    for d in rng.choices(days, k=wanted - sum(counts.values())):
        counts[d] += 1
    return counts


REVIEW_COLUMNS = ("question_id", "reviewed_at", "utc_offset", "study_day", "quality", "kind",
                  "answer", "duration_ms", "repetitions", "interval", "ef", "due",
                  "fingerprint", "seed", "params", "last_interval")
OPTIONAL_COLUMNS = {"last_interval"}  # schema 2: filled when the store's schema has it
INSERT_CARD = (
    "INSERT INTO cards (question_id, repetitions, interval, ef, due, fingerprint, first_day, "
    "last_day, lapses, reviews, buried_until, retired) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)")

Answer = tuple[int, int, str, "tuple[int, int, int] | None"]  # card, quality, kind, state


@dataclass
class History:
    """The rows of the log, produced lazily, and the card rows they leave behind."""

    plans: list[CardPlan]
    start: date
    seed: int
    repeats: list[int]
    practice: dict[int, int]
    days: int = DAYS
    cards: dict[int, list[Any]] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)

    def rows(self, sched: Scheduler) -> Iterator[tuple[Any, ...]]:
        """Every review row in log order: each day's session, its repeats, then drills."""
        rng = random.Random(self.seed + 1)
        repeat_iter = iter(self.repeats)
        by_intro = sorted(range(len(self.plans)), key=lambda i: self.plans[i].intro)
        intros = [self.plans[i].intro for i in by_intro]
        for day_index, events in simulate(self.plans, self.seed, sched, self.days):
            day = self.start + timedelta(days=day_index)
            session: list[Answer] = []
            chains: list[list[int]] = []
            for index, quality, state in events:
                session.append((index, quality, "review", state))
                if quality < 4:
                    k = next(repeat_iter)
                    chain = [rng.choice((1, 2, 3, 3)) for _ in range(k - 1)]
                    chains.append([index, *chain, rng.choice((4, 4, 5))] if k else [index])
            for round_ in range(1, max((len(c) for c in chains), default=1)):
                session += [(c[0], c[round_], "repeat", None) for c in chains if len(c) > round_]
            yield from self.session_rows(rng, day, 7, 11, session)
            drill = []
            known = bisect.bisect_right(intros, day_index)
            while len(drill) < self.practice.get(day_index, 0) and known:
                index = by_intro[rng.randrange(known)]
                plan = self.plans[index]
                if plan.retire is None or plan.retire > day_index:
                    drill.append((index, grade(rng, plan.fail), "practice", None))
            yield from self.session_rows(rng, day, 19, 8, drill)

    def session_rows(self, rng: random.Random, day: date, hour: int, hours: int,
                     answers: list[Answer]) -> Iterator[tuple[Any, ...]]:
        """One session's rows, starting at `hour` local time and lasting at most `hours`."""
        from quiz.numeric.templates import format_value

        if not answers:
            return
        day_text = day.isoformat()
        durations = [int(rng.lognormvariate(9.3, 0.6)) for _ in answers]  # ~11 s median
        scale = min(1.0, hours * 3600 * 1000 / sum(durations))
        moment = datetime(day.year, day.month, day.day, hour, rng.randint(0, 50),
                          rng.randint(0, 59), tzinfo=UTC) - timedelta(minutes=UTC_OFFSET)
        for (index, quality, kind, state), ms in zip(answers, durations, strict=True):
            ms = max(800, int(ms * scale))
            moment += timedelta(milliseconds=ms)
            plan = self.plans[index]
            seed = params = answer = None
            if plan.numeric is not None:
                instance = rng.choice(plan.instances)
                seed, params = instance.seed, json.dumps(instance.values, ensure_ascii=False)
                answer = format_value(instance.expected) if quality >= 3 else "42"
            elif rng.random() < 0.25:
                answer = rng.choice(rng.choice(TERMS))  # a term, in zh or en
            reps = interval = ef = due = None
            card = self.cards.get(index)
            before = card[1] if card is not None else 0  # the card's interval: last_interval
            if state is not None:
                reps, interval, ef = state
                due = (day + timedelta(days=interval)).isoformat()
                if card is None:
                    card = self.cards[index] = [None, None, None, None, day_text, None, 0, 0]
                card[:4] = reps, interval, ef, due
                card[5] = day_text
                card[6] += quality < 3
                card[7] += 1
            self.kinds[kind] += 1
            yield (plan.question_id, moment.isoformat(), UTC_OFFSET, day_text, quality, kind,
                   answer, ms, reps, interval, ef, due, plan.fingerprint, seed, params, before)

    def card_rows(self) -> Iterator[tuple[Any, ...]]:
        for index, plan in enumerate(self.plans):
            card = self.cards.get(index)
            if card is None:
                continue
            reps, interval, ef, due, first, last, lapses, reviews = card
            yield (plan.question_id, reps, interval, ef, due, plan.fingerprint, first, last,
                   lapses, reviews, int(plan.retire is not None))


def plan_cards(rng: random.Random, bank: Any, shape: Shape = Shape()) -> list[CardPlan]:
    """The 5,000 bank questions and 5,000 retired ones, with intro days and difficulty."""
    intro_days, reorganisations = shape.intro_days, shape.reorganisations
    from quiz.numeric.templates import instantiate

    plans = []
    for q in bank.questions:
        fingerprint = q.fingerprint() if rng.random() > 0.02 else f"{rng.getrandbits(48):012x}"
        plan = CardPlan(q.id, intro=rng.randint(0, intro_days), retire=None,
                        fail=rng.uniform(*FAIL_RANGE), fingerprint=fingerprint)
        if q.numeric is not None:
            plan.numeric = q
            plan.instances = [instantiate(q, rng.randrange(2**31)) for _ in range(12)]
        plans.append(plan)
    for n in range(N_RETIRED):
        topic = TOPICS[n % N_TOPICS][0]
        intro = rng.randint(0, intro_days)
        retire = reorganisations[bisect.bisect_left(reorganisations,
                                                    intro + shape.scaled(60))]
        plans.append(CardPlan(f"{topic}-retired-{n // N_TOPICS:03d}", intro=intro,
                              retire=retire, fail=rng.uniform(*FAIL_RANGE),
                              fingerprint=f"{rng.getrandbits(48):012x}"))
    return plans


def scheduled_pass(plans: list[CardPlan], seed: int, sched: Scheduler, days: int
                   ) -> tuple[int, list[int]]:
    """The scheduled answers alone: how many, and the grades of those below 4."""
    first, failed = 0, []
    for _day, events in simulate(plans, seed, sched, days):
        first += len(events)
        failed += [q for _i, q, _s in events if q < 4]
    return first, failed


def resize(plans: list[CardPlan], factor: float, shape: Shape, seed: int) -> list[CardPlan]:
    """`plans` with about `factor` times as many cards studied (a new list; `plans` kept).

    More: extra questions the learner went through in earlier banks, introduced all along
    the calendar and retired at the next of the bank's reorganisations (one every ~300
    days), with the same spread of difficulty. Fewer: some cards never introduced (the
    learner has not reached them yet).
    """
    rng = random.Random(seed + 4)
    if factor <= 1:
        keep = set(rng.sample(range(len(plans)), round(len(plans) * factor)))
        return [p if i in keep else CardPlan(p.question_id, intro=shape.days, retire=None,
                                             fail=p.fail, fingerprint=p.fingerprint)
                for i, p in enumerate(plans)]
    step = shape.scaled(300)
    reorganisations = list(range(step, shape.days, step))
    extra = []
    for n in range(round(len(plans) * (factor - 1))):
        topic = TOPICS[n % N_TOPICS][0]
        intro = rng.randint(0, max(0, shape.days - shape.scaled(90)))
        later = bisect.bisect_left(reorganisations, intro + shape.scaled(60))
        retire = reorganisations[later] if later < len(reorganisations) else shape.days - 1
        extra.append(CardPlan(f"{topic}-earlier-{n // N_TOPICS:05d}", intro=intro,
                              retire=retire, fail=rng.uniform(*FAIL_RANGE),
                              fingerprint=f"{rng.getrandbits(48):012x}"))
    return plans + extra


def build_db(path: Path, bank: Any, today: date, seed: int, shape: Shape = Shape()
             ) -> dict[str, Any]:
    """Write the cards and the `shape.reviews`-row log through the real schema; some figures."""
    from quiz.store import Store

    rng = random.Random(seed)
    plans = plan_cards(rng, bank, shape)
    sched = Scheduler()
    # Pass 1: the scheduled answers alone, to size the repeats and drills that make the log.
    first, failed = scheduled_pass(plans, seed, sched, shape.days)
    if not shape.reference:
        # Resize the set of cards until scheduled answers are ~40 % of the log, as in the
        # reference (a few passes: the extra cards' lives are not the average card's).
        base, factor, wanted = plans, 1.0, SCHEDULED_SHARE * shape.reviews
        for _ in range(4):
            if abs(first - wanted) <= 0.02 * wanted:
                break
            factor *= wanted / max(first, 1)
            plans = resize(base, factor, shape, seed)
            first, failed = scheduled_pass(plans, seed, sched, shape.days)
    n_reviews = shape.reviews
    if first > n_reviews:
        raise SystemExit(f"the schedule alone makes {first:,} reviews (> {n_reviews:,})")
    wanted_repeats = min(round(REPEATS_PER_FAIL * len(failed)), n_reviews - first)
    repeats = repeat_counts(random.Random(seed + 2), failed, wanted_repeats)
    practice = practice_counts(random.Random(seed + 3), n_reviews - first - wanted_repeats,
                               shape.days)
    history = History(plans, today - timedelta(days=shape.days - 1), seed, repeats, practice,
                      shape.days)
    store = Store.open(path)
    try:
        # A connection setting, not the schema: keeps the indexes' pages in memory meanwhile.
        store.conn.execute("PRAGMA cache_size = -1000000")
        present = {row[1] for row in store.conn.execute("PRAGMA table_info(reviews)")}
        keep = [i for i, c in enumerate(REVIEW_COLUMNS)
                if c in present or c not in OPTIONAL_COLUMNS]
        names = [REVIEW_COLUMNS[i] for i in keep]
        insert = (f"INSERT INTO reviews ({', '.join(names)}) "
                  f"VALUES ({', '.join('?' * len(names))})")
        rows = history.rows(sched)
        if len(keep) < len(REVIEW_COLUMNS):
            rows = (tuple(row[i] for i in keep) for row in rows)
        with store.transaction() as conn:
            conn.executemany(insert, rows)
            conn.executemany(INSERT_CARD, history.card_rows())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        due = store.conn.execute("SELECT count(*) FROM cards WHERE retired = 0 AND due <= ?",
                                 (today.isoformat(),)).fetchone()[0]
    finally:
        store.close()
    return {"kinds": history.kinds, "cards": len(history.cards), "due": due,
            "memo": len(sched.memo),
            "retired": sum(1 for i in history.cards if plans[i].retire is not None)}


def verify(path: Path) -> None:
    """Replay the log with the store's own code on a copy and compare the cards table."""
    from quiz.store import Store

    copy = path.with_name("verify-copy.db")
    src, dst = sqlite3.connect(path), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    cols = "question_id, repetitions, interval, ef, due, first_day, last_day, lapses, reviews"
    try:
        store = Store.open(copy)
        before = store.conn.execute(f"SELECT {cols} FROM cards ORDER BY 1").fetchall()
        store.rebuild_cards()
        after = store.conn.execute(f"SELECT {cols} FROM cards ORDER BY 1").fetchall()
        store.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    if diff:
        raise SystemExit(f"cards differ from the replayed log, e.g. {diff[:3]}")
    print(f"verified: replaying the log gives the same {len(after):,} cards")


def default_today() -> date:
    from quiz.session import study_day

    return study_day(datetime.now().astimezone())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)build")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="last study day of the history (default: quiz's today)")
    parser.add_argument("--verify", action="store_true",
                        help="also replay the log with Store.rebuild_cards and compare")
    parser.add_argument("--reviews", type=int, default=N_REVIEWS,
                        help=f"rows in the review log (default {N_REVIEWS:,})")
    parser.add_argument("--days", type=int, default=DAYS,
                        help=f"study days of history, ending today (default {DAYS:,})")
    args = parser.parse_args(argv)
    if args.reviews < 1_000 or args.days < 60:
        parser.error("--reviews must be at least 1,000 and --days at least 60")
    shape = Shape(args.reviews, args.days)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from quiz.bank.reader import load_bank
    from quiz.errors import BankError

    today = args.today or default_today()
    out: Path = args.out
    banks, db = out / "banks", out / "quiz.db"
    if banks.exists():
        if any(p.suffix != ".yaml" for p in banks.iterdir()):
            raise SystemExit(f"{banks} holds files other than banks; not touching it")
        shutil.rmtree(banks)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    started = time.perf_counter()
    files = write_banks(banks, random.Random(args.seed))
    try:
        bank = load_bank([banks])
    except BankError as exc:
        for problem in exc.problems[:20]:
            print(*problem, file=sys.stderr)
        raise SystemExit("the generated bank does not validate") from None
    bank_s = time.perf_counter() - started
    kinds = Counter(q.type for q in bank.questions)
    open_qs = [q for q in bank.questions if q.answer]
    zh = [_cjk(q.answer.zh) for q in open_qs]
    en = [len([w for w in q.answer.en.split() if w != "-"]) for q in open_qs]
    size = sum(f.stat().st_size for f in files)
    print(f"bank: {len(bank.questions):,} questions ({kinds['open']:,} open, "
          f"{kinds['numeric']:,} numeric) in {len(files)} files, {size / 1e6:.1f} MB, "
          f"{bank_s:.1f} s")
    print(f"      zh answers {min(zh)}–{max(zh)} Chinese characters (median "
          f"{sorted(zh)[len(zh) // 2]}), en answers {min(en)}–{max(en)} words (median "
          f"{sorted(en)[len(en) // 2]})")

    stats = build_db(db, bank, today, args.seed, shape)
    total_s = time.perf_counter() - started
    start = today - timedelta(days=shape.days - 1)
    kinds = stats["kinds"]
    print(f"db:   {stats['cards']:,} cards ({stats['cards'] - stats['retired']:,} in the bank, "
          f"{stats['retired']:,} retired), {kinds.total():,} reviews "
          f"({kinds['review']:,} scheduled, "
          f"{kinds['repeat']:,} same-day repeats, {kinds['practice']:,} practice drills), "
          f"{start} … {today}, {db.stat().st_size / 1e6:.0f} MB")
    print(f"      {stats['due']:,} bank cards due on {today}; {stats['memo']:,} distinct "
          f"sm2.next_state calls")
    print(f"built {out} in {total_s:.1f} s")
    if args.verify:
        verify(db)


if __name__ == "__main__":
    main()
