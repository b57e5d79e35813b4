"""FSRS (py-fsrs 6) by study day, with the same shape as sm2: state in, new state out.

quiz schedules whole study days, so py-fsrs runs with no learning or relearning steps (every
answer goes straight to a whole-day interval, a lapse included) and no fuzz (a replay gives
the same states every time). A review on study day D is given to py-fsrs as D at 00:00 UTC:
the days between two reviews are then exactly the study days between them, whatever the
time zone or the hour the learner answered at.

The state keeps `repetitions` and `efactor` as SM-2 counts them for the same grades (they
feed `--weak` and the learning/young/mature split); `interval` and `due` are FSRS's.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from quiz import sm2
from quiz.model import CardState
from quiz.schedulers import reviewed_on

if TYPE_CHECKING:
    import fsrs

DEFAULT_RETENTION = 0.9
MAX_INTERVAL = sm2.MAX_INTERVAL  # 36,500 days, as for SM-2
# 0, 1, 2 are failures in SM-2 (2 is "wrong, easy once shown"): FSRS's Hard would be a pass.
RATING_OF_GRADE = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # Again=1, Hard=2, Good=3, Easy=4
# An SM-2 state met by FSRS (another process switched scheduler mid-session) goes on from
# the stability at which its interval is recalled with probability 0.9, and a middle
# difficulty; the next replay gives the card its real FSRS state.
FALLBACK_DIFFICULTY = 5.0


def rating(quality: int) -> int:
    """py-fsrs's rating (1 Again … 4 Easy) for an SM-2 grade 0–5."""
    if isinstance(quality, bool) or not isinstance(quality, int) or quality not in RATING_OF_GRADE:
        raise ValueError(f"quality must be an integer from 0 to 5, not {quality!r}")
    return RATING_OF_GRADE[quality]


def check_retention(retention: float) -> float:
    """`retention` if it is a desired retention quiz accepts (0.7–0.99), else a ValueError."""
    if isinstance(retention, bool) or not isinstance(retention, int | float) \
            or not 0.7 <= retention <= 0.99:
        raise ValueError(f"the desired retention must be a number from 0.7 to 0.99, "
                         f"not {retention!r}")
    return float(retention)


@functools.lru_cache(maxsize=8)
def scheduler(retention: float = DEFAULT_RETENTION) -> fsrs.Scheduler:
    """py-fsrs's scheduler as quiz runs it: default weights, no steps, no fuzz, the cap."""
    import fsrs  # ~40 ms: only when FSRS is used

    return fsrs.Scheduler(desired_retention=check_retention(retention), learning_steps=(),
                          relearning_steps=(), maximum_interval=MAX_INTERVAL,
                          enable_fuzzing=False)


def moment(day: date) -> datetime:
    """The instant py-fsrs is given for a review on study day `day`: 00:00 UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def _card(state: CardState | None) -> fsrs.Card:
    import fsrs

    if state is None:
        return fsrs.Card(card_id=1)  # an explicit id: py-fsrs otherwise sleeps 1 ms per card
    stability = state.stability if state.stability is not None else max(state.interval, 1)
    difficulty = state.difficulty if state.difficulty is not None else FALLBACK_DIFFICULTY
    return fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability,
                     difficulty=difficulty, due=moment(state.due),
                     last_review=moment(reviewed_on(state)))


def next_state(state: CardState | None, quality: int, today: date,
               retention: float = DEFAULT_RETENTION) -> CardState:
    """The card's state after a review graded `quality` (0–5) on `today`; None means new."""
    import fsrs

    card, _log = scheduler(retention).review_card(_card(state), fsrs.Rating(rating(quality)),
                                                  moment(today))
    interval = min(max((card.due.date() - today).days, 1), MAX_INTERVAL)
    counted = sm2.next_state(state, quality, today)  # repetitions and E-Factor only
    return replace(counted, interval=interval, due=today + timedelta(days=interval),
                   stability=card.stability, difficulty=card.difficulty)


def retrievability(state: CardState, day: date, retention: float = DEFAULT_RETENTION) -> float:
    """FSRS's probability that the card is recalled on study day `day`."""
    return scheduler(retention).get_card_retrievability(_card(state), moment(day))
