"""Key points: which of a question's key phrases a typed answer covers, and a suggested grade.

The answer and every wording of a point are folded (`fold`), then cut into tokens: one per
CJK character, one per run of Latin letters, of other letters, or of digits. English tokens
are lightly stemmed, a few abbreviations a learner types are spelt out ("lr", "grads",
"params", "dims", "net"), and words that carry no content are dropped (articles, "of", the
particles 的/地). A wording is covered when its tokens, glued together, equal a run of
consecutive answer tokens glued together. So Chinese needs no spaces, English matches whole
words only ("tanh" is not in "than", "BN" not in "abnormal"), word order is kept, and
"feed-forward" ≈ "feed forward" ≈ "feedforward".

A wording may hold gaps, written `...` (or `…`): "stack ... layers" is covered by "stack
lots of neural net layers", "γ...β" by "乘γ加β"; each part must follow the one before it
within `GAP` tokens, in order.

Negation is not read, on purpose: a point names a topic, and correct answers often state it
negated ("isn't zero-centred", "正区间不饱和", "门接近 1 就不会消失").

Matching is linear in the answer's length: the answer's tokens are indexed by value once, a
wording absent from the glued answer is skipped at once, and otherwise it is only tried
where one of its prefixes starts, gluing at most its own length of tokens.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from quiz.model import KeyPoint, Question, Text

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_DASHES = re.compile("[\u2010-\u2015\u2043\u2212\ufe58]")
_STAR = re.compile(r"(?<=\d)\s*\*\s*(?=\d)")  # 3*3 → 3x3 (elsewhere * is noise)
# Anything but letters and digits, keeping "-" inside words and "." inside numbers.
_NOISE = re.compile(r"_|(?![-.])\W|(?<![^\W_])-|-(?![^\W_])|(?<!\d)\.|\.(?!\d)")
_TIMES = re.compile(r"(?<=\d) ?x ?(?=\d)")  # 3 x 3 → 3x3
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_TOKEN = re.compile(rf"[{_CJK}]|[a-z]+|\d+(?:\.\d+)*|(?:(?![{_CJK}a-z])[^\W\d_])+")
_BRITISH = (  # British → American, on whole words: normalise, analyse, colour, neighbour
    (re.compile(r"(?<=[a-z]{2})is(?=(?:e[ds]?|ing|ations?|ers?)$)"), "iz"),
    (re.compile(r"(?<=[a-z])ys(?=(?:e[ds]?|ing)$)"), "yz"),
    (re.compile(r"(?<=[a-z]{2})our"), "or"),
)
_SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s", "ly")
# Words without content are left out, small numbers read as digits ("set to zero" ≈ "set to
# 0"), and the abbreviations learners type spelt out, on both sides of the match.
_WORDS = {
    "a": "", "an": "", "the": "", "of": "", "的": "", "地": "",
    "zero": "0", "one": "1", "two": "2", "three": "3",
    "lr": "learning rate", "grad": "gradient", "grads": "gradients",
    "param": "parameter", "params": "parameters", "dim": "dimension", "dims": "dimensions",
    "net": "network", "nets": "networks", "prob": "probability", "probs": "probabilities",
    "iter": "iteration", "iters": "iterations", "nn": "neural network",
}
GAP = 6  # tokens allowed between the parts of a wording written with `...`
_GAP_MARK = re.compile(r"\.\.\.|…")


def fold(text: str) -> str:
    """`text` NFKC-normalised and casefolded, dashes unified, `3×3`/`3 x 3`/`3*3` written
    `3x3`, punctuation dropped, whitespace collapsed, spaces between CJK characters removed."""
    for _ in range(4):  # NFKC and casefold can undo each other ("ᵀ" → "T" → "t")
        folded = unicodedata.normalize("NFKC", text).casefold()
        if folded == text:
            break
        text = folded
    text = _STAR.sub("x", _DASHES.sub("-", text.replace("×", "x")))
    text = " ".join(_NOISE.sub(" ", text).split())
    return _CJK_SPACE.sub("", _TIMES.sub("x", text))


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    """A light stem: plural, -ing, -ed and -ly stripped, British spelling made American.

    It only needs to map the forms of one word together without merging different words:
    downsample/downsampled/downsampling → "downsampl", centre/centred/centered → "centr",
    labelled/labeled → "label", biases/bias → "bias"."""
    if len(word) < 4 or not (word.isascii() and word.isalpha()):
        return word
    for pattern, american in _BRITISH:
        word = pattern.sub(american, word)
    while True:
        for suffix in _SUFFIXES:
            stem = word[: -len(suffix)]
            if not word.endswith(suffix) or len(stem) < 3 or not _strips(suffix, stem):
                continue
            word = stem + ("y" if suffix in ("ies", "ied") else "")
            word = _undouble(word)  # labell → label, runn → run
            break
        else:
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]  # gate/gates, share/sharing, centre/centred
    word = _undouble(word)  # loss/losses, cell/cells
    return word[:-2] + "r" if word.endswith(("ter", "ber")) else word  # center ≈ centre


def _undouble(word: str) -> str:
    """`word` without a doubled last letter, unless that leaves under 3 letters (CNN, ANN)."""
    return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word


def _strips(suffix: str, stem: str) -> bool:
    """Whether `suffix` is an ending on `stem` rather than part of the word (speed, bias)."""
    if suffix == "ed":
        return not stem.endswith("e")
    if suffix == "es":
        return stem.endswith(("s", "x", "z", "ch", "sh"))
    if suffix == "s":
        return not stem.endswith(("s", "i", "a"))
    return suffix != "ly" or len(stem) >= 5  # locally → local, but not apply → app


def _tokens(text: str) -> tuple[str, ...]:
    words = (_WORDS.get(t, t) for t in _TOKEN.findall(fold(text)))
    return tuple(_stem(w) for phrase in words for w in phrase.split())


@lru_cache(maxsize=2048)
def _targets(point: KeyPoint) -> tuple[tuple[str, ...], ...]:
    """Every wording of `point`, as its parts (split at `...`), each its glued stemmed tokens."""
    out = []
    for wording in point.zh + point.en:
        parts = tuple("".join(_tokens(part)) for part in _GAP_MARK.split(wording))
        parts = tuple(part for part in parts if part)
        if parts:
            out.append(parts)
    return tuple(out)


class _Answer:
    """An answer's tokens, indexed by value: where each token occurs, in order."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.glued = "".join(self.tokens)  # a wording not in here is not in the answer
        self.where: dict[str, list[int]] = defaultdict(list)
        for position, token in enumerate(self.tokens):
            self.where[token].append(position)

    def spans(self, target: str, first_only: bool = False) -> list[tuple[int, int]]:
        """Each (start, end) where consecutive tokens, glued together, spell `target`.

        Each start is tried once and glues at most len(target) tokens: linear in the answer.
        """
        found: list[tuple[int, int]] = []
        if target not in self.glued:
            return found
        for length in range(1, len(target) + 1):  # the first token is a prefix of `target`
            for start in self.where.get(target[:length], ()):
                end, glued = start + 1, length
                while glued < len(target) and end < len(self.tokens) \
                        and target.startswith(self.tokens[end], glued):
                    glued += len(self.tokens[end])
                    end += 1
                if glued == len(target):
                    found.append((start, end))
                    if first_only:
                        return found
        return sorted(found)

    def says(self, parts: Sequence[str]) -> bool:
        """Whether `parts` occur in order, each within GAP tokens after the one before."""
        if len(parts) == 1:
            return bool(self.spans(parts[0], first_only=True))
        ends = sorted(end for _, end in self.spans(parts[0]))
        for part in parts[1:]:
            if not ends:
                return False
            # a part counts when it starts in [end, end + GAP] of some earlier part's end
            ends = sorted(end for start, end in self.spans(part)
                          if (i := bisect_left(ends, start - GAP)) < len(ends) and ends[i] <= start)
        return bool(ends)


def covered(answer: str, point: KeyPoint) -> bool:
    """Whether `answer` says any wording of `point`, Chinese or English, synonyms included."""
    return coverage(answer, (point,))[0]


@lru_cache(maxsize=4)  # one answer is checked against many point lists (validation, eval)
def _indexed(answer: str) -> _Answer:
    return _Answer(answer)


def coverage(answer: str, points: Sequence[KeyPoint]) -> list[bool]:
    """`covered(answer, point)` for each of `points`, in order."""
    indexed = _indexed(answer)
    return [any(indexed.says(parts) for parts in _targets(point)) for point in points]


def suggest_grade(hits: int, total: int, answered: bool) -> int | None:
    """The SM-2 grade suggested by `hits` of `total` key points covered, or None.

    All → 5, at least ¾ → 4, at least half and at least two points → 3 (a pass); none of
    three or more points → 1 (a lapse). Anything between (one point, or less than half) is
    thin evidence: matching is by wording and misses paraphrases, so no grade is offered and
    the learner chooses. Never 0 (a blackout is the learner's call). None as well when the
    question has no key points or nothing was typed.
    """
    if not 0 <= hits <= total:
        raise ValueError(f"hits must be between 0 and total ({total}), not {hits}")
    if total == 0 or not answered:
        return None
    if hits == total:
        return 5
    if 4 * hits >= 3 * total:
        return 4
    if hits >= 2 and 2 * hits >= total:
        return 3
    if hits == 0 and total >= 3:
        return 1
    return None


@dataclass(frozen=True)
class Attempt:
    """What the review makes of one typed answer to one question (see `attempt`)."""

    question: Question
    prompt: Text  # as shown: a numeric template's prompt is that seed's instance
    seed: int | None  # None for an open question: nothing is drawn
    expected: str | None  # a numeric instance's answer as quiz prints it; None if open
    covered: tuple[bool, ...]  # one per key point (all False when nothing was typed)
    suggested: int | None  # Enter's default grade, or None when none is offered
    correct: bool | None  # a numeric verdict; None if open or nothing was typed


def attempt(question: Question, typed: str | None, seed: int = 0) -> Attempt:
    """The key points `typed` covers and the grade the review would offer for it, as the
    session computes them; for a numeric question, the instance of `seed` and its verdict.

    Raises AnswerFormatError when a numeric answer cannot be read (the review asks again).
    """
    typed = typed.strip() if typed else None
    if question.numeric is not None:
        from quiz.numeric import (
            templates as numeric,  # only for numeric questions: its import is not free
        )
        from quiz.numeric.typed_answers import format_value

        instance = numeric.instantiate(question, seed)
        correct = None if typed is None else numeric.grade(instance, numeric.parse_answer(typed))
        suggested = None if correct is None else 4 if correct else 1
        return Attempt(question, instance.prompt, seed, format_value(instance.expected), (),
                       suggested, correct)
    points = question.key_points
    hits = tuple(coverage(typed, points)) if typed else (False,) * len(points)
    suggested = suggest_grade(sum(hits), len(points), typed is not None) if points else None
    return Attempt(question, question.prompt, None, None, hits, suggested, None)
