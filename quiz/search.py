"""`quiz list --grep`: does a question's text contain a search string?

The text searched is what a learner reads: the prompt, the brief, the answer, the correction
note and the key points (with their synonyms), in both languages. Matching is a plain
substring test after case folding and collapsing runs of white space, so Chinese needs no
word splitting and `%`, `_` or `*` in the search are literal characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from quiz.model import Question, Text

_SPACE = re.compile(r"\s+")


def normalized(text: str) -> str:
    """`text` case-folded, each run of white space one space, ends trimmed."""
    return _SPACE.sub(" ", text.casefold()).strip()


def texts(question: Question) -> Iterator[str]:
    """Every piece of text `--grep` searches in `question`."""
    pieces: list[Text | None] = [question.prompt, question.brief, question.answer, question.note]
    for piece in pieces:
        if piece is not None:
            yield piece.zh
            yield piece.en
    for point in question.key_points:
        yield from point.zh
        yield from point.en


def matches(question: Question, needle: str) -> bool:
    """Whether any of the question's searched texts contains `needle` (see the module doc)."""
    wanted = normalized(needle)
    if " " not in wanted:  # collapsing white space cannot make or break such a match
        return any(wanted in text.casefold() for text in texts(question))
    return any(wanted in normalized(text) for text in texts(question))
