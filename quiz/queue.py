"""Which cards to ask: today's review queue, a practice drill, a mock interview."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from fractions import Fraction
from typing import Protocol, TypeVar

from quiz.errors import UsageError
from quiz.model import Card
from quiz.plan import effective_due

WEAK_EF = Fraction(2)  # a card below this E-Factor, or with a lapse, is weak


class Listed(Protocol):
    """What a queue needs of a question: a bank question, or a cached bank entry."""

    id: str
    topic: str
    type: str
    tags: tuple[str, ...]


Q = TypeVar("Q", bound=Listed)


def is_buried(card: Card | None, today: date) -> bool:
    """Hidden by `s` until a later study day."""
    return card is not None and card.buried_until is not None and card.buried_until > today


def is_due(card: Card | None, today: date, interview: date | None = None) -> bool:
    """A reviewed, unburied card whose due date (under the interview plan, if any) has come."""
    return (card is not None and card.state is not None and not is_buried(card, today)
            and effective_due(card, today, interview) <= today)


def is_new(card: Card | None, today: date) -> bool:
    """Never reviewed (and not buried today)."""
    return (card is None or card.state is None) and not is_buried(card, today)


def is_weak(card: Card | None) -> bool:
    """Reviewed, and either its E-Factor is below 2.0 or it has lapsed at least once."""
    return card is not None and card.state is not None and (
        card.state.efactor < WEAK_EF or card.lapses > 0)


def select_questions(questions: list[Q], topics: list[str] | None,
                     tags: list[str] | None) -> list[Q]:
    """Questions narrowed to `topics` and `tags`; an unknown name is a usage error."""
    known_topics = sorted({q.topic for q in questions})
    for topic in topics or []:
        if topic not in known_topics:
            raise UsageError(f"unknown topic '{topic}'; known topics: {', '.join(known_topics)}")
    known_tags = sorted({t for q in questions for t in q.tags})
    for tag in tags or []:
        if tag not in known_tags:
            raise UsageError(f"unknown tag '{tag}'; known tags: {', '.join(known_tags)}")
    if topics:
        questions = [q for q in questions if q.topic in topics]
    if tags:
        questions = [q for q in questions if set(tags) & set(q.tags)]
    return questions


def build_queue(questions: Iterable[Q], cards: Mapping[str, Card], today: date, *,
                new_limit: int, introduced_today: int = 0, relearn: Iterable[str] = (),
                limit: int | None = None, interview: date | None = None,
                started: Collection[str] | None = None) -> list[Q]:
    """Due cards by due date (bank order within a day), then new cards, then today's relearning.

    `introduced_today` counts new cards already seen today, so `new_limit` is per day;
    `relearn` are cards failed earlier today that have not yet been answered with 4 or 5.
    `cards` may hold only the due and buried cards when `started` names every card with a
    schedule (so the rest of the log need not be loaded).
    """
    questions = list(questions)
    due = sorted((q for q in questions if is_due(cards.get(q.id), today, interview)),
                 key=lambda q: effective_due(cards[q.id], today, interview))
    room = max(0, new_limit - introduced_today)
    new = [q for q in questions if is_new(cards.get(q.id), today)
           and (started is None or q.id not in started)][:room]
    queued = {q.id for q in due} | {q.id for q in new}
    wanted = set(relearn) - queued
    again = [q for q in questions if q.id in wanted and not is_buried(cards.get(q.id), today)]
    queue = due + new + again
    return queue[:limit] if limit is not None else queue


def practice_queue(questions: Iterable[Q], cards: Mapping[str, Card], *, count: int,
                   weak: bool = False, rng: random.Random | None = None) -> list[Q]:
    """Up to `count` questions to drill: weak ones only with `weak`; shuffled with `rng`."""
    pool = [q for q in questions if not weak or is_weak(cards.get(q.id))]
    if rng is not None:
        rng.shuffle(pool)
    return pool[:count]


def mock_weight(card: Card | None) -> float:
    """Never-seen and weak cards are drawn more often in a mock interview."""
    if card is None or card.state is None:
        return 3.0
    if is_weak(card):
        return 2.0 + min(card.lapses, 3)
    return 1.0


def mock_queue(questions: Iterable[Q], cards: Mapping[str, Card], *, count: int,
               rng: random.Random) -> list[Q]:
    """`count` questions across topics, weighted to weak and unseen ones, numeric included.

    Weighted sampling without replacement (key u^(1/w)), at most ⌈count/topics⌉ per topic
    while other topics still have questions, and one numeric exercise when there is one.
    """
    questions = list(questions)
    keyed = sorted(questions, key=lambda q: rng.random() ** (1 / mock_weight(cards.get(q.id))),
                   reverse=True)
    topics = {q.topic for q in questions}
    cap = math.ceil(count / max(1, min(count, len(topics))))
    chosen: list[Q] = []
    per_topic: dict[str, int] = defaultdict(int)
    for question in keyed:
        if len(chosen) < count and per_topic[question.topic] < cap:
            chosen.append(question)
            per_topic[question.topic] += 1
    for question in keyed:  # fill up if the caps left room (few topics)
        if len(chosen) < count and question not in chosen:
            chosen.append(question)
    numeric = [q for q in keyed if q.type == "numeric"]
    if numeric and count >= 3 and not any(q.type == "numeric" for q in chosen):
        same_topic = [i for i, q in enumerate(chosen) if q.topic == numeric[0].topic]
        chosen[same_topic[-1] if same_topic else -1] = numeric[0]  # keeps the topic caps
    return chosen
