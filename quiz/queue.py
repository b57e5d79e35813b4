"""Today's queue: due cards (most overdue first), then new cards within the daily limit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from quiz.model import Card, Question


def is_due(card: Card | None, today: date) -> bool:
    """A reviewed, unburied card whose due date has come."""
    return (card is not None and card.state is not None and card.state.due <= today
            and not is_buried(card, today))


def is_buried(card: Card | None, today: date) -> bool:
    """Hidden by `s` until a later study day."""
    return card is not None and card.buried_until is not None and card.buried_until > today


def is_new(card: Card | None, today: date) -> bool:
    """Never reviewed (and not buried today)."""
    return (card is None or card.state is None) and not is_buried(card, today)


def build_queue(questions: Iterable[Question], cards: Mapping[str, Card], today: date, *,
                new_limit: int, introduced_today: int = 0, relearn: Iterable[str] = (),
                limit: int | None = None) -> list[Question]:
    """Due cards by due date (bank order within a day), then new cards, then today's relearning.

    `introduced_today` counts new cards already seen today, so `new_limit` is per day;
    `relearn` are cards failed earlier today that have not yet been answered with 4 or 5.
    """
    questions = list(questions)
    due = sorted((q for q in questions if is_due(cards.get(q.id), today)),
                 key=lambda q: cards[q.id].state.due)
    room = max(0, new_limit - introduced_today)
    new = [q for q in questions if is_new(cards.get(q.id), today)][:room]
    queued = {q.id for q in due} | {q.id for q in new}
    wanted = set(relearn) - queued
    again = [q for q in questions if q.id in wanted and not is_buried(cards.get(q.id), today)]
    queue = due + new + again
    return queue[:limit] if limit is not None else queue
