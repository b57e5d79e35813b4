"""Where quiz takes its settings from: options, environment variables, the clock, the store.

| setting | option | environment | default |
|---|---|---|---|
| database | --db | QUIZ_DB | quiz.db in the user data folder |
| banks | --bank (adds) | QUIZ_BANKS (adds; os.pathsep between), QUIZ_BUNDLED=0 | bundled |
| language | --lang | QUIZ_LANG | both |
| study-day rollover | | QUIZ_ROLLOVER (an hour) | 4 |
| scheduler | --scheduler (switches), quiz scheduler | | sm2 (stored in the database) |
| desired retention (FSRS) | quiz scheduler --retention | | 0.9 (stored in the database) |
| sync folder | quiz sync DIR, --dir | QUIZ_SYNC_DIR | none: `quiz sync` asks for one |
| leech threshold | | | 8 lapses (`replay.LEECH_THRESHOLD`) |
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.errors import UsageError
from quiz.lang import DISPLAY_LANGS
from quiz.study_day import DEFAULT_ROLLOVER_HOUR, study_day

if TYPE_CHECKING:
    from quiz.schedulers import Scheduler
    from quiz.store import Store


def bank_paths(extra: list[Path] | None) -> list[Path]:
    """The bundled banks (unless QUIZ_BUNDLED=0), then QUIZ_BANKS, then --bank."""
    from quiz.bank.files import bundled_dir

    env = [Path(p) for p in os.environ.get("QUIZ_BANKS", "").split(os.pathsep) if p]
    bundled = [] if os.environ.get("QUIZ_BUNDLED") == "0" else [bundled_dir()]
    return [*bundled, *env, *(extra or [])]


def db_path(db: Path | None) -> Path:
    """--db, else QUIZ_DB, else quiz.db in the user data folder."""
    if db is not None:
        return db
    if os.environ.get("QUIZ_DB"):
        return Path(os.environ["QUIZ_DB"])
    from platformdirs import user_data_dir

    try:
        folder = Path(user_data_dir("quiz", appauthor=False))
    except RuntimeError:  # platformdirs' own "could not determine the home directory"
        folder = Path("~")
    if not folder.is_absolute():
        # No HOME and a user id the password database does not know (a bare container):
        # "~" stays as it is, and the database would land in a folder named "~" here.
        raise UsageError("cannot find your home folder (HOME is not set and user id "
                         f"{os.getuid()} has no home in the password database); set HOME, "
                         "QUIZ_DB or --db")
    return folder / "quiz.db"


def language(lang: str | None) -> str:
    """--lang, else QUIZ_LANG, else both."""
    value = lang or os.environ.get("QUIZ_LANG") or "both"
    if value not in DISPLAY_LANGS:
        raise UsageError(f"--lang must be one of {', '.join(DISPLAY_LANGS)}, not '{value}'")
    return value


def rollover_hour() -> int:
    """QUIZ_ROLLOVER: the hour a study day starts at."""
    value = os.environ.get("QUIZ_ROLLOVER") or str(DEFAULT_ROLLOVER_HOUR)
    # ASCII digits only: str.isdigit and int() also take "²" or "٣"
    if not re.fullmatch(r"[0-9]{1,2}", value) or not 0 <= int(value) <= 23:
        raise UsageError(f"QUIZ_ROLLOVER must be an hour from 0 to 23, not {value!r}")
    return int(value)


def local_now() -> datetime:
    """The local time, with its UTC offset (the one place quiz reads the clock)."""
    try:
        return datetime.now().astimezone()
    except (ValueError, OverflowError, OSError):
        # e.g. TZ=UTC+99: the C library accepts offsets that Python's datetime cannot hold
        raise UsageError(f"the time zone TZ={os.environ.get('TZ', '')!r} is not one quiz can "
                         "use (an offset of 24 hours or more?); set TZ to a zone such as "
                         "Asia/Shanghai or UTC-8, or unset it") from None


def today() -> date:
    """The current study day."""
    return study_day(local_now(), rollover_hour())


def interview_date(store: Store) -> date | None:
    """The interview date of `quiz plan`, or None."""
    from quiz.store import parse_interview

    return parse_interview(store.setting("interview"), store.path)


def scheduler(store: Store, name: str | None = None, retention: float | None = None) -> Scheduler:
    """The scheduler to use: `name` (--scheduler), else the store's `scheduler` setting, else
    SM-2; FSRS at `retention`, else the stored desired retention, else 0.9.

    A choice that differs from the stored one is saved and replays the whole log into the
    cards (issue 15's config file will plug in here as the layer below the option).
    """
    from quiz import schedulers

    current = store.scheduler()
    chosen = name or current.name
    if chosen not in schedulers.NAMES:
        raise UsageError(f"--scheduler must be one of {', '.join(schedulers.NAMES)}, "
                         f"not '{chosen}'")
    if retention is None:
        stored = store.setting("desired_retention")
        retention = float(stored) if stored else schedulers.DEFAULT_RETENTION
    try:
        store.use_scheduler(chosen, retention)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return store.scheduler()


def sync_dir(folder: Path | None) -> Path:
    """The sync folder: DIR (or --dir), else QUIZ_SYNC_DIR (the config file's `sync_dir`
    will plug in here, below the environment)."""
    if folder is not None and str(folder) != "":
        return folder
    if os.environ.get("QUIZ_SYNC_DIR"):
        return Path(os.environ["QUIZ_SYNC_DIR"])
    raise UsageError("no sync folder: give one (quiz sync DIR), or set QUIZ_SYNC_DIR to a "
                     "folder your file sync (Syncthing, Dropbox, git) shares between machines")


def leech_threshold() -> int:
    """The lapses that make a card a leech (the config file's `leech_threshold` will plug in
    here)."""
    from quiz.replay import LEECH_THRESHOLD

    return LEECH_THRESHOLD
