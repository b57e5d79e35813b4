"""Key points: which of a question's key phrases a typed answer covers, and a suggested grade.

The answer and every wording of a point are folded (`fold`), then cut into tokens: one per
CJK character, one per run of Latin letters, of other letters, or of digits. English tokens
are lightly stemmed. A wording is covered when its tokens, glued together, equal a run of
consecutive answer tokens glued together. So Chinese needs no spaces, English matches whole
words only ("tanh" is not in "than", "BN" not in "abnormal"), word order is kept, and
"feed-forward" ≈ "feed forward" ≈ "feedforward".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from quiz.model import KeyPoint

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
# Articles are left out and small numbers read as digits: "set to zero" ≈ "set to 0".
_WORDS = {"a": "", "an": "", "the": "", "zero": "0", "one": "1", "two": "2", "three": "3"}


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
    return tuple(_stem(w) for w in words if w)


@lru_cache(maxsize=2048)
def _targets(point: KeyPoint) -> tuple[str, ...]:
    """Every wording of `point`, as its glued stemmed tokens."""
    return tuple(t for t in ("".join(_tokens(w)) for w in point.zh + point.en) if t)


def _contains(tokens: Sequence[str], target: str) -> bool:
    """Whether consecutive `tokens`, glued together, spell `target` exactly."""
    for start, first in enumerate(tokens):
        if not target.startswith(first):
            continue
        glued = first
        for token in tokens[start + 1 :]:
            if glued == target or not target.startswith(glued + token):
                break
            glued += token
        if glued == target:
            return True
    return False


def covered(answer: str, point: KeyPoint) -> bool:
    """Whether `answer` says any wording of `point`, Chinese or English, synonyms included."""
    return coverage(answer, (point,))[0]


def coverage(answer: str, points: Sequence[KeyPoint]) -> list[bool]:
    """`covered(answer, point)` for each of `points`, in order."""
    tokens = _tokens(answer)
    return [any(_contains(tokens, t) for t in _targets(point)) for point in points]


def suggest_grade(hits: int, total: int, answered: bool) -> int | None:
    """The SM-2 grade suggested by `hits` of `total` key points covered.

    All → 5, at least ¾ → 4, at least ½ → 3 (a pass), some → 2, none → 1. Matching is by
    wording and misses paraphrases, so half the points is a pass and no match is a 1, not
    the 0 of a blackout: that and any correction are the learner's call. None when the
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
    if 2 * hits >= total:
        return 3
    return 2 if hits else 1
