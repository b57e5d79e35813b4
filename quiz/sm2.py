"""SM-2 as published (Wozniak 1990, "Optimization of learning", §3.2), with exact E-Factors."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from quiz.model import CardState

INITIAL_EF = Fraction(5, 2)
MIN_EF = Fraction(13, 10)
MAX_INTERVAL = 36_500  # Anki's cap, our one departure from the text
PASSING = 3  # q >= 3 is a successful recall
GOOD_ENOUGH = 4  # below this a card is asked again at the end of the day's session

GRADES = {
    5: ("完美回答", "perfect response"),
    4: ("犹豫后答对", "correct after a hesitation"),
    3: ("答对，但很吃力", "correct with serious difficulty"),
    2: ("答错，看答案后觉得容易", "wrong; the answer seemed easy once shown"),
    1: ("答错，看答案后想起来了", "wrong; remembered once shown"),
    0: ("完全想不起来", "complete blackout"),
}


def ef_change(quality: int) -> Fraction:
    """EF' − EF = 0.1 − (5−q)(0.08 + (5−q)·0.02), exact in hundredths."""
    miss = 5 - quality
    return Fraction(10, 100) - miss * (Fraction(8, 100) + miss * Fraction(2, 100))


def next_state(state: CardState | None, quality: int, today: date) -> CardState:
    """The card's state after a review graded `quality` (0–5) on `today`; None means new."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"quality must be an integer from 0 to 5, not {quality!r}")
    reps = state.repetitions if state else 0
    ef = state.efactor if state else INITIAL_EF
    previous = state.interval if state else 0
    if quality < PASSING:
        reps, interval = 0, 1
    else:
        reps += 1
        if reps == 1:
            interval = 1
        elif reps == 2:
            interval = 6
        else:
            # The EF from before this review, as SuperMemo's own SM-2 code does.
            interval = math.ceil(previous * ef)
        ef = max(MIN_EF, ef + ef_change(quality))
    interval = min(interval, MAX_INTERVAL)
    return CardState(repetitions=reps, interval=interval, efactor=ef,
                     due=today + timedelta(days=interval))
