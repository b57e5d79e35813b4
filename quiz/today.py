"""What to review now: today's queue, the new-card limit, relearning and the interview countdown.

`quiz review` asks what this module decides; `quiz plan` and `quiz stats` show the same
countdown. It reads the store, never the clock: `today` and the interview date come in.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the modules below are imported when they are used
    from quiz.bank.cache import BankCache
    from quiz.model import Card, Question
    from quiz.plan import Countdown
    from quiz.review_queue import Listed
    from quiz.store import Store

DEFAULT_NEW_PER_DAY = 10  # new cards a day without --new or an interview plan


def interview_countdown(store: Store, ids: Collection[str], today: date,
                        interview: date | None) -> Countdown | None:
    """The countdown to `interview` for the bank questions `ids` (None without a plan)."""
    from quiz import plan

    if interview is None or today >= interview:  # no countdown: spare the two card queries
        return None
    return plan.countdown(interview, today, total=len(ids),
                          started=len(store.started_ids(ids)),
                          introduced_today=store.new_introduced_count(today))


@dataclass(frozen=True)
class Today:
    """Today's review, decided: the queue (bank entries), its new-card limit, the countdown."""

    queue: list[Question]
    new_limit: int
    countdown: Countdown | None


def review_today(store: Store, questions: Sequence[Question], today: date,
                 interview: date | None, *, new: int | None, limit: int | None,
                 order: str = "interleave", default_new: int = DEFAULT_NEW_PER_DAY) -> Today:
    """Due cards, then new ones up to the day's limit (the plan's pace unless --new) in
    new-card `order`, then relearning; `new` and `limit` are the command line's, None when
    not given; `default_new` is the limit without either (the `new_per_day` setting)."""
    from quiz.review_queue import build_queue
    from quiz.stats.figures import cards_for_today

    cards, relearn = cards_for_today(store, today, interview)
    started = store.started_ids(q.id for q in questions)  # only theirs matter
    introduced = store.new_introduced_count(today)
    ahead = interview_countdown(store, {q.id for q in questions}, today, interview)
    if ahead is not None and new is None:
        new = ahead.pace.per_day
    new_limit = default_new if new is None else new
    queue = build_queue(questions, cards, today, new_limit=new_limit,
                        introduced_today=introduced, relearn=relearn,
                        limit=limit, interview=interview, started=started, order=order)
    return Today(queue=queue, new_limit=new_limit, countdown=ahead)


def due_today(store: Store, today: date, interview: date | None, *,
              questions: Sequence[Listed] | None = None, bank: BankCache | None = None
              ) -> tuple[dict[str, Card], list[Listed], set[str]]:
    """`quiz list --due`, by the review's own rule (`review_queue.still_due`): the cards, the
    `questions` due now or to relearn today (in their order), and the ids of those to relearn.

    Without `questions`, the whole `bank`: only the entries of the cards that may be due are
    read, not the whole bank's (a question without such a card is never due).
    """
    from quiz.review_queue import still_due
    from quiz.stats.figures import cards_for_today

    cards, relearn = cards_for_today(store, today, interview)
    if questions is None:
        assert bank is not None
        questions = bank.entries(set(cards) | set(relearn))
    due_now, again = still_due(questions, cards, today, relearn=relearn, interview=interview)
    relearning = {q.id for q in again}
    keep = relearning | {q.id for q in due_now}
    return cards, [q for q in questions if q.id in keep], relearning
