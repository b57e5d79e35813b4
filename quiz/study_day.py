"""The study day: like Anki's, it starts at a rollover hour (04:00), not at midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta

DEFAULT_ROLLOVER_HOUR = 4


def study_day(moment: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The study day of a local time: it starts at `rollover_hour` (04:00 by default, like Anki)."""
    return (moment - timedelta(hours=rollover_hour)).date()
