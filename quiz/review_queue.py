"""Which cards to ask: today's review queue, a practice drill, a mock interview."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Protocol, TypeVar

from quiz.errors import UsageError
from quiz.model import Card
from quiz.plan import effective_due

WEAK_EF = Fraction(2)  # a card below this E-Factor, or with a lapse, is weak
NEW_CARD_ORDERS = ("bank", "interleave", "random")  # how new cards are introduced


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


def is_suspended(card: Card | None) -> bool:
    """Suspended (`quiz suspend`, or a leech): never asked until unsuspended."""
    return card is not None and card.suspended


def is_due(card: Card | None, today: date, interview: date | None = None) -> bool:
    """A reviewed, unburied card whose due date (under the interview plan, if any) has come."""
    return is_due_by(card, today, today, interview)


def is_due_by(card: Card | None, today: date, horizon: date,
              interview: date | None = None) -> bool:
    """`is_due`'s rule with a later day: due on or before `horizon` (export's --days)."""
    return (card is not None and card.state is not None and not is_buried(card, today)
            and not card.suspended and effective_due(card, today, interview) <= horizon)


def is_new(card: Card | None, today: date) -> bool:
    """Never reviewed (and neither buried today nor suspended)."""
    return ((card is None or card.state is None) and not is_buried(card, today)
            and not is_suspended(card))


def is_weak(card: Card | None) -> bool:
    """Reviewed, and either its E-Factor is below 2.0 or it has lapsed at least once."""
    return card is not None and card.state is not None and (
        card.state.efactor < WEAK_EF or card.lapses > 0)


CARD_STATUSES = ("new", "learning", "review", "suspended", "buried", "retired")


def card_status(card: Card | None, today: date, relearning: bool = False) -> str:
    """One of CARD_STATUSES: retired (gone from the bank), suspended, buried (until a later
    day), new (never scheduled), learning (failed today and `relearning`, or fewer than two
    passing reviews in a row: SM-2's fixed first intervals), else review."""
    if card is None:
        return "new"
    if card.retired:
        return "retired"
    if card.suspended:
        return "suspended"
    if is_buried(card, today):
        return "buried"
    if card.state is None:
        return "new"
    if relearning or card.state.repetitions < 2:
        return "learning"
    return "review"


def check_topics(known: Iterable[str], asked: Iterable[str] | None) -> None:
    """A UsageError naming the first of the `asked` topics that is not `known`."""
    known_topics = sorted(set(known))
    for topic in asked or []:
        if topic not in known_topics:
            raise UsageError(f"unknown topic '{topic}'; known topics: {', '.join(known_topics)}")


def select_questions(questions: list[Q], topics: list[str] | None,
                     tags: list[str] | None) -> list[Q]:
    """Questions narrowed to `topics` and `tags`; an unknown name is a usage error."""
    check_topics((q.topic for q in questions), topics)
    known_tags = sorted({t for q in questions for t in q.tags})
    for tag in tags or []:
        if tag not in known_tags:
            raise UsageError(f"unknown tag '{tag}'; known tags: {', '.join(known_tags)}")
    if topics:
        questions = [q for q in questions if q.topic in topics]
    if tags:
        questions = [q for q in questions if set(tags) & set(q.tags)]
    return questions


class HasId(Protocol):
    """Anything with a question id: a question, a cached entry, a bare id holder."""

    id: str


H = TypeVar("H", bound=HasId)


@dataclass(frozen=True)
class QuestionRef:
    """A question known only by its id (enough to count cards)."""

    id: str


def still_due(questions: Iterable[H], cards: Mapping[str, Card], today: date, *,
              relearn: Iterable[str] = (),
              interview: date | None = None) -> tuple[list[H], list[H]]:
    """What is still due on `today`: (started cards due, by due date; cards to relearn).

    The one rule behind the review queue, the session summary, `quiz stats` and
    `quiz list --due`. A card to relearn was failed earlier today and not yet answered with
    4 or 5 (its SM-2 due date is tomorrow, but the day's review asks it again); buried and
    never-scheduled cards are left out.
    """
    questions = list(questions)
    due = sorted((q for q in questions if is_due(cards.get(q.id), today, interview)),
                 key=lambda q: effective_due(cards[q.id], today, interview))
    wanted = set(relearn) - {q.id for q in due}
    # a card never scheduled (a mock without --schedule) is new, not one to relearn
    again = [q for q in questions if q.id in wanted and not is_buried(cards.get(q.id), today)
             and not is_suspended(cards.get(q.id)) and not is_new(cards.get(q.id), today)]
    return due, again


def interleaved(questions: Iterable[Q]) -> list[Q]:
    """Round-robin across topics (in the order they first appear), each topic's own order kept.

    A, A, A, B, B, C → A, B, C, A, B, A: while every topic lasts, no topic is more than one
    question ahead of another at any point.
    """
    by_topic: dict[str, list[Q]] = {}
    for question in questions:
        by_topic.setdefault(question.topic, []).append(question)
    rounds = max((len(group) for group in by_topic.values()), default=0)
    return [group[i] for i in range(rounds) for group in by_topic.values() if i < len(group)]


def new_card_seed(today: date) -> str:
    """The seed of `random` new-card order: one per study day, so a restarted session shows
    the same new cards."""
    return f"new-cards:{today.isoformat()}"


def in_new_card_order(questions: Iterable[Q], order: str, seed: str = "") -> list[Q]:
    """`questions` in new-card `order`: as in the bank, interleaved across topics, or
    shuffled by `seed` (the same seed, the same permutation)."""
    questions = list(questions)
    if order == "bank":
        return questions
    if order == "interleave":
        return interleaved(questions)
    if order == "random":
        shuffled = questions.copy()
        random.Random(seed).shuffle(shuffled)
        return shuffled
    raise UsageError(f"the new-card order must be one of {', '.join(NEW_CARD_ORDERS)}, "
                     f"not '{order}'")


def new_allowed(questions: Iterable[Q], cards: Mapping[str, Card], today: date, *,
                new_limit: int, introduced_today: int = 0,
                started: Collection[str] | None = None, order: str = "bank") -> list[Q]:
    """The never-reviewed cards today's new-card limit still lets in, in new-card `order`.

    The order is laid over every given question, started ones included, and only then
    narrowed to the new ones: a session restarted after a few new cards goes on where the
    first one stopped, and a topic studied alone before is not asked again first.
    """
    room = max(0, new_limit - introduced_today)
    ordered = in_new_card_order(questions, order, new_card_seed(today))
    return [q for q in ordered if is_new(cards.get(q.id), today)
            and (started is None or q.id not in started)][:room]


def build_queue(questions: Iterable[Q], cards: Mapping[str, Card], today: date, *,
                new_limit: int, introduced_today: int = 0, relearn: Iterable[str] = (),
                limit: int | None = None, interview: date | None = None,
                started: Collection[str] | None = None, order: str = "bank") -> list[Q]:
    """Due cards by due date (bank order within a day), then new cards (in new-card `order`),
    then today's relearning.

    `introduced_today` counts new cards already seen today, so `new_limit` is per day;
    `relearn` are cards failed earlier today that have not yet been answered with 4 or 5.
    `cards` may hold only the due and buried cards when `started` names every card with a
    schedule (so the rest of the log need not be loaded).
    """
    questions = list(questions)
    due, again = still_due(questions, cards, today, relearn=relearn, interview=interview)
    new = new_allowed(questions, cards, today, new_limit=new_limit,
                      introduced_today=introduced_today, started=started, order=order)
    queue = due + new + again
    return queue[:limit] if limit is not None else queue


@dataclass(frozen=True)
class Outlook:
    """What is left of study day `today` and what comes after it, for the given questions."""

    today: date
    review: int  # started cards due today and not yet reviewed
    relearning: int  # failed today, not yet answered with 4 or 5
    new: int  # new cards today's limit still lets in
    new_left: int  # never-reviewed cards, in all (the limit aside)
    tomorrow: int  # started cards due tomorrow, today's leftovers and relearning included
    next_due: date | None  # the first later study day on which a started card is due

    @property
    def still_due(self) -> int:
        """Started cards still due today: due reviews plus cards to relearn."""
        return self.review + self.relearning

    @property
    def new_limit_reached(self) -> bool:
        """No more new cards today, though some are left."""
        return self.new == 0 and self.new_left > 0


def outlook(questions: Iterable[Q], cards: Mapping[str, Card], today: date, *, new_limit: int,
            introduced_today: int = 0, relearn: Iterable[str] = (),
            interview: date | None = None) -> Outlook:
    """Counts for `questions` by the queue's own rules; `cards` must hold every started card."""
    questions = list(questions)
    due, again = still_due(questions, cards, today, relearn=relearn, interview=interview)
    new = new_allowed(questions, cards, today, new_limit=new_limit,
                      introduced_today=introduced_today)
    tomorrow = today + timedelta(days=1)
    started = [cards[q.id] for q in questions if q.id in cards
               and cards[q.id].state is not None and not cards[q.id].suspended]
    # a card's first study day after today: its date under the plan, or when its burial ends
    later = [max(tomorrow, effective_due(c, tomorrow, interview), c.buried_until or tomorrow)
             for c in started]
    return Outlook(
        today=today, review=len(due), relearning=len(again), new=len(new),
        new_left=sum(q.id not in cards or cards[q.id].state is None
                     and not cards[q.id].suspended for q in questions),
        tomorrow=sum(is_due(c, tomorrow, interview) for c in started),
        next_due=min(later, default=None))


def nothing_due(ahead: Outlook, new_limit: int) -> tuple[str, str]:
    """What `quiz review` says when the queue is empty: when the next card, or new card, comes."""
    zh, en = ["今天没有到期的题目。"], ["Nothing is due today."]
    if ahead.next_due is not None:
        zh.append(f"下次到期：{ahead.next_due}"
                  + (f"（明天 {ahead.tomorrow} 张）。" if ahead.tomorrow else "。"))
        en.append(f"Next due: {ahead.next_due}"
                  + (f" ({ahead.tomorrow} due tomorrow)." if ahead.tomorrow else "."))
    if ahead.new_limit_reached:
        zh.append(f"新题：今天的 {new_limit} 道已用完，明天继续（还剩 {ahead.new_left} 道）。")
        en.append(f"New cards: today's limit of {new_limit} is used up; more tomorrow "
                  f"({ahead.new_left} left).")
    elif ahead.next_due is None:
        zh.append("没有安排任何卡片。")
        en.append("No card is scheduled.")
    return " ".join(zh).replace("。 ", "。"), " ".join(en)


def in_given_order(questions: Iterable[Q], ids: Iterable[str]) -> list[Q]:
    """The `questions` named in `ids`, in the order of `ids`, each once (`quiz practice ID…`)."""
    by_id = {q.id: q for q in questions}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


def practice_queue(questions: Iterable[Q], cards: Mapping[str, Card], *, count: int,
                   weak: bool = False, numeric: bool = False,
                   failed: Collection[str] | None = None,
                   rng: random.Random | None = None) -> list[Q]:
    """Up to `count` questions to drill, shuffled with `rng`: only weak ones with `weak`,
    only numeric templates with `numeric`, only the ids in `failed` when it is given."""
    pool = [q for q in questions if (not weak or is_weak(cards.get(q.id)))
            and (not numeric or q.type == "numeric") and (failed is None or q.id in failed)]
    if rng is not None:
        rng.shuffle(pool)
    return pool[:count]


def nothing_to_practise(*, weak: bool, numeric: bool, failed_today: bool) -> tuple[str, str]:
    """What `quiz practice` says when its filters leave nothing (zh, en): not an error."""
    wanted = [(failed_today, "今天评分低于 3", "was graded below 3 today"),
              (weak, "薄弱（E-Factor 低于 2.0 或遗忘过）",
               "is weak (E-Factor below 2.0 or a lapse)"),
              (numeric, "是数值题", "is a numeric template")]
    zh = [z for on, z, _ in wanted if on]
    en = [e for on, _, e in wanted if on]
    if not zh:
        return "没有可练习的：没有符合条件的题目。", "Nothing to practise: no questions match."
    return (f"没有可练习的：没有{'且'.join(zh)}的卡片。",
            f"Nothing to practise: no card {' and '.join(en)}.")


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
