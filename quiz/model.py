"""The values quiz passes around: questions, card states, reviews."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

# The heading of a question's correction note: the session, and every export format.
NOTE_LABEL = {"zh": "更正", "en": "Correction"}


@dataclass(frozen=True)
class Text:
    """One piece of text in Chinese and in English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Source:
    """Where a question was asked: a seed document's title and its own wording."""

    title: str
    question: str


@dataclass(frozen=True)
class NumericSpec:
    """A numeric template: a reference function and the values to draw its arguments from.

    `params` maps a parameter name to its raw YAML value: a list of choices or a
    `{min, max, step}` range (see numeric/templates.py for the full grammar).
    """

    check: str
    params: dict[str, Any] = field(hash=False)
    constraints: tuple[str, ...] = ()
    tolerance: dict[str, float] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class KeyPoint:
    """A point a good answer makes: its wording in each language, then accepted synonyms."""

    zh: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One bank question, open (self-graded) or numeric (graded by a reference function)."""

    id: str
    topic: str
    prompt: Text
    answer: Text | None = None  # None for numeric questions: the worked solution answers them
    type: str = "open"  # "open" | "numeric"
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    note: Text | None = None  # a correction of what a source document claimed
    numeric: NumericSpec | None = None
    key_points: tuple[KeyPoint, ...] = ()
    file: str = ""
    line: int = 0
    brief: Text | None = None  # the 10–15-second answer said first (open questions)

    def fingerprint(self) -> str:
        """A short hash of what the learner reads; it changes when the text is edited."""
        parts = [self.prompt.zh, self.prompt.en]
        if self.answer:
            parts += [self.answer.zh, self.answer.en]
        if self.numeric:
            parts += [self.numeric.check, repr(sorted(self.numeric.params.items()))]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Topic:
    """A bank file's topic: its id and its title in both languages."""

    id: str
    title: Text
    file: str = ""


@dataclass(frozen=True)
class CardState:
    """A card's schedule after a review; `efactor` is exact (it moves in hundredths).

    Under FSRS, `stability` (days) and `difficulty` (1–10) are FSRS's memory state and
    `interval` / `due` its schedule; `repetitions` and `efactor` are still counted as SM-2
    counts them. Under SM-2 the two FSRS fields are None.
    """

    repetitions: int
    interval: int
    efactor: Fraction
    due: date
    stability: float | None = None
    difficulty: float | None = None


@dataclass(frozen=True)
class Card:
    """What the store knows of one question: its SM-2 state and bookkeeping."""

    question_id: str
    state: CardState | None
    fingerprint: str = ""
    first_day: date | None = None
    last_day: date | None = None
    lapses: int = 0
    reviews: int = 0
    buried_until: date | None = None
    retired: bool = False
    suspended: bool = False  # `quiz suspend`, or a leech: never asked until unsuspended
    leech: bool = False  # lapsed LEECH_THRESHOLD times since it was last reset


@dataclass(frozen=True)
class Review:
    """One answer, as appended to the review log."""

    question_id: str
    reviewed_at: datetime  # UTC, timezone-aware
    utc_offset: int  # minutes east of UTC at the time of the review
    study_day: date
    quality: int
    state: CardState | None  # state after the review (None for practice answers)
    kind: str = "review"  # review | repeat (same-day relearning) | practice | mock
    # A review moves the schedule exactly when it carries a state.
    answer: str | None = None
    duration_ms: int = 0
    fingerprint: str = ""
    seed: int | None = None
    values: dict[str, Any] | None = field(default=None, hash=False)
    session: str | None = None  # the mock interview the answer belongs to
    cap_day: date | None = None  # the latest due day the interview plan allowed (None: no cap)
