"""How long a brief and a full answer may be, and how their length is counted.

Chinese length is the number of characters that are not whitespace: Han characters,
letters, digits and punctuation all count one each, spaces and line breaks count nothing
("用 ReLU。" is 6). English length is the number of words: whitespace-separated tokens
that contain at least one letter or digit, so "-", "→" or "=" between words are not words
("x = 2 → y" is 3).

A brief (the answer said in the first 10–15 seconds) is at most 60 Chinese characters and
35 English words. A full answer is at most 250 characters and 150 words, unless the
question is tagged `derivation` (it asks for a derivation, which takes the room it needs).
"""

from __future__ import annotations

from quiz.model import Question, Text

BRIEF_LIMITS = {"zh": 60, "en": 35}
ANSWER_LIMITS = {"zh": 250, "en": 150}
UNITS = {"zh": "characters (not counting spaces)", "en": "words"}
DERIVATION_TAG = "derivation"  # answers of questions tagged so have no length limit


def zh_length(text: str) -> int:
    """The number of non-whitespace characters in `text`."""
    return sum(1 for char in text if not char.isspace())


def en_words(text: str) -> int:
    """The number of whitespace-separated tokens of `text` that hold a letter or digit."""
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def length(text: str, lang: str) -> int:
    """`text`'s length in its language's unit: characters for zh, words for en."""
    return zh_length(text) if lang == "zh" else en_words(text)


def too_long(text: str, lang: str, limit: int, what: str) -> str | None:
    """A message when `text` is longer than `limit`, naming the limit and the count."""
    count = length(text, lang)
    if count <= limit:
        return None
    return f"{what} is {count} {UNITS[lang]} long; the limit is {limit}"


def brief_problems(brief: Text, label: str) -> list[tuple[str, str]]:
    """(language, message) for each language whose brief is over its limit."""
    found = ((lang, too_long(brief.get(lang), lang, BRIEF_LIMITS[lang],
                             f"{label}.{lang}.brief")) for lang in BRIEF_LIMITS)
    return [(lang, message) for lang, message in found if message]


def answer_problems(question: Question) -> list[str]:
    """Messages for each language whose full answer is over its limit (none for derivations)."""
    if question.answer is None or DERIVATION_TAG in question.tags:
        return []
    found = (too_long(question.answer.get(lang), lang, ANSWER_LIMITS[lang],
                      f"question '{question.id}'.{lang}.a") for lang in ANSWER_LIMITS)
    return [message for message in found if message]
