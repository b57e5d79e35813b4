"""Where quiz takes its settings from: options, environment variables, the settings file,
the clock and the store.

Every setting goes through one resolver, `resolve`: the command-line option, else the
environment variable, else `config.toml` (`settings_file.py`), else the default. It also
says where the value came from, which `quiz config` prints.

| setting | option | environment | default |
|---|---|---|---|
| database | --db | QUIZ_DB | quiz.db in the user data folder |
| banks (added to the bundled ones) | --bank | QUIZ_BANKS (os.pathsep between) | none |
| bundled | | QUIZ_BUNDLED (0: no) | true |
| language | --lang | QUIZ_LANG | both |
| new_per_day | --new | QUIZ_NEW_PER_DAY | 10 (an interview plan sets its own pace) |
| rollover_hour | | QUIZ_ROLLOVER | 4 |
| order (of new cards) | --order | QUIZ_ORDER | interleave |
| leech_threshold | | QUIZ_LEECH_THRESHOLD | 8 |
| scheduler | --scheduler, quiz scheduler | QUIZ_SCHEDULER | the database's (sm2) |
| desired_retention | quiz scheduler --retention | QUIZ_DESIRED_RETENTION | the database's (0.9) |
| sync_dir | quiz sync DIR | QUIZ_SYNC_DIR | none |
| sync_on_review | --sync/--no-sync | QUIZ_SYNC_ON_REVIEW (1 or 0) | false |

The file is `config.toml` in the user config folder, or QUIZ_CONFIG; it is read (tomllib)
only when a setting is first asked for, so `quiz --help` never reads it. Banks add up
(bundled, the file's, QUIZ_BANKS, --bank); every other setting takes the first layer that
has it. A scheduler setting acts like --scheduler: a different one replays the log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from quiz.errors import UsageError
from quiz.lang import DISPLAY_LANGS
from quiz.study_day import DEFAULT_ROLLOVER_HOUR, study_day

if TYPE_CHECKING:
    from quiz.schedulers import Scheduler
    from quiz.settings_file import SettingsFile
    from quiz.store import Store

SCHEDULER_NAMES = ("sm2", "fsrs")  # schedulers.NAMES, without importing it at start-up
NEW_CARD_ORDERS = ("bank", "interleave", "random")  # review_queue's, likewise
DEFAULT_LEECH_THRESHOLD = 8  # lapses, as in Anki: replay.LEECH_THRESHOLD, kept apart for start-up
SOURCES = ("option", "environment", "file", "database", "default")  # `quiz config --json`


# -- what each setting may be ----------------------------------------------------------------


def _whole(low: int, high: int, what: str) -> Callable[[object], int]:
    def check(value: object) -> int:
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"must be {what} from {low} to {high}")
        return value
    return check


def _one_of(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value  # type: ignore[return-value]
    return check


def _path(value: object) -> Path:
    if isinstance(value, Path):
        return value
    if type(value) is not str or not value or "\x00" in value:
        raise ValueError("must be a path (a non-empty string)")
    return Path(value).expanduser()


def _paths(value: object) -> list[Path]:
    if type(value) is not list:
        raise ValueError('must be a list of paths, e.g. ["~/my-bank.yaml"]')
    return [_path(v) for v in value]


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise ValueError("must be true or false")
    return value


def _env_flag(text: str) -> object:
    return {"1": True, "0": False, "true": True, "false": False}.get(text.lower(), text)


def _retention(value: object) -> float:
    if type(value) not in (int, float) or not 0.7 <= value <= 0.99:  # fsrs_scheduler's range
        raise ValueError("must be a number from 0.7 to 0.99")
    return float(value)


def _env_whole(text: str) -> object:
    # ASCII digits only: str.isdigit and int() also take "²" or "٣"
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else text


def _env_number(text: str) -> object:
    return float(text) if re.fullmatch(r"[0-9]*\.?[0-9]+", text) else text


class Setting(NamedTuple):  # not a dataclass: importing dataclasses slows `quiz --help`
    """One setting: its key in the file, its environment variable and option, its check."""

    key: str
    env: str | None
    option: str | None
    check: Callable[[object], object]  # the value, normalised; a ValueError saying what to fix
    from_env: Callable[[str], object] = str
    help: str = ""


SETTINGS: dict[str, Setting] = {s.key: s for s in [
    Setting("database", "QUIZ_DB", "--db", _path, help="the review database"),
    Setting("banks", "QUIZ_BANKS", "--bank", _paths,
            lambda t: [p for p in t.split(os.pathsep) if p],
            help="extra bank files or folders, added to the bundled ones"),
    Setting("bundled", "QUIZ_BUNDLED", None, _flag, lambda t: t != "0",
            help="load the bundled banks"),
    Setting("language", "QUIZ_LANG", "--lang", _one_of(DISPLAY_LANGS),
            help="zh, en or both"),
    Setting("new_per_day", "QUIZ_NEW_PER_DAY", "--new",
            _whole(0, 10_000, "a whole number"), _env_whole,
            help="new cards a day (an interview plan sets its own pace)"),
    Setting("rollover_hour", "QUIZ_ROLLOVER", None, _whole(0, 23, "an hour"), _env_whole,
            help="the hour a study day starts at"),
    Setting("order", "QUIZ_ORDER", "--order", _one_of(NEW_CARD_ORDERS),
            help="the order of new cards: bank, interleave or random"),
    Setting("leech_threshold", "QUIZ_LEECH_THRESHOLD", None,
            _whole(1, 1000, "a whole number"), _env_whole,
            help="lapses after which a card is a leech (tagged and suspended)"),
    Setting("scheduler", "QUIZ_SCHEDULER", "--scheduler", _one_of(SCHEDULER_NAMES),
            help="sm2 or fsrs; a different one replays the log"),
    Setting("desired_retention", "QUIZ_DESIRED_RETENTION", "--retention", _retention,
            _env_number, help="FSRS's desired retention"),
    Setting("sync_dir", "QUIZ_SYNC_DIR", None, _path, help="the folder `quiz sync` uses"),
    Setting("sync_on_review", "QUIZ_SYNC_ON_REVIEW", "--sync", _flag, _env_flag,
            help="sync with sync_dir before and after each review, practice and mock"),
]}


# -- the one resolver --------------------------------------------------------------------------


class Resolved(NamedTuple):
    """A setting's value and where it came from: `source` is one of SOURCES, `where` the
    option, the variable, `path:line` of the file, the database, or "default"."""

    key: str
    value: object
    source: str
    where: str


def config_path() -> Path:
    """QUIZ_CONFIG, else config.toml in the user config folder."""
    if os.environ.get("QUIZ_CONFIG"):
        return Path(os.environ["QUIZ_CONFIG"]).expanduser()
    from platformdirs import user_config_dir

    try:
        return Path(user_config_dir("quiz", appauthor=False)) / "config.toml"
    except RuntimeError:  # no home folder: then there is no file either
        return Path("config.toml")


_READ: dict[tuple[str, tuple[int, int] | None], SettingsFile] = {}  # one read per file state


def settings_file() -> SettingsFile:
    """The settings file, read and checked (every bad value a `file:line` UsageError)."""
    from quiz.settings_file import FileValue, SettingsFile, read

    path = config_path()
    try:
        stat = path.stat()
        state: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError):
        state = None
    cached = _READ.get((str(path), state))
    if cached is not None:
        return cached
    found = read(path, SETTINGS)
    values, problems = {}, []
    for key, raw in found.values.items():
        try:
            value = SETTINGS[key].check(raw.value)
        except ValueError as exc:
            problems.append(f"{path}:{raw.line}: {key} {exc}, not {_shown(raw.value)}")
            continue
        if isinstance(value, Path):
            value = path.parent / value  # relative to the file, not to where quiz runs
        elif key == "banks":
            value = [path.parent / p for p in value]
        values[key] = FileValue(value, raw.line)
    if problems:
        raise UsageError("\n".join(problems))
    _READ.clear()
    _READ[(str(path), state)] = checked = SettingsFile(path, found.exists, values)
    return checked


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def resolve(key: str, option: object = None) -> Resolved:
    """The setting `key`: `option` (the command line's, None if not given), else its
    environment variable (unless empty), else the settings file; None as the value with
    source "default" when none has it. Banks add up instead: see `banks`."""
    if key == "banks":
        return banks(option)  # type: ignore[arg-type]
    setting = SETTINGS[key]
    if option is not None:
        return Resolved(key, _checked(setting, option, setting.option or key), "option",
                        setting.option or key)
    text = os.environ.get(setting.env) if setting.env else None
    if text:
        return Resolved(key, _checked(setting, setting.from_env(text), setting.env, text),
                        "environment", setting.env)
    found = settings_file()
    if key in found.values:
        return Resolved(key, found.values[key].value, "file", found.where(key))
    return Resolved(key, None, "default", "default")


def _checked(setting: Setting, value: object, name: str, raw: object = None) -> object:
    try:
        return setting.check(value)
    except ValueError as exc:
        shown = repr(raw) if raw is not None else _shown(value)
        raise UsageError(f"{name} {exc}, not {shown}") from None


def _or(found: Resolved, default: object) -> Resolved:
    """`found`, with `default` filled in when no layer had the setting."""
    if found.source == "default":
        return Resolved(found.key, default, "default", "default")
    return found


def banks(extra: list[Path] | None = None) -> Resolved:
    """The extra banks: the file's, then QUIZ_BANKS, then --bank (these add up)."""
    layers: list[tuple[list[Path], str, str]] = []
    found = settings_file()
    if "banks" in found.values:
        layers.append((found.values["banks"].value, "file", found.where("banks")))
    text = os.environ.get("QUIZ_BANKS")
    if text:
        layers.append(([Path(p) for p in text.split(os.pathsep) if p], "environment",
                       "QUIZ_BANKS"))
    if extra:
        layers.append((list(extra), "option", "--bank"))
    if not layers:
        return Resolved("banks", [], "default", "default")
    return Resolved("banks", [p for paths, _, _ in layers for p in paths],
                    layers[-1][1], " + ".join(where for _, _, where in layers))


# -- the settings, as the commands ask for them --------------------------------------------


def bank_paths(extra: list[Path] | None) -> list[Path]:
    """The bundled banks (unless `bundled` is off), then the extra ones (see `banks`)."""
    from quiz.bank.files import bundled_dir

    bundled = [bundled_dir()] if _or(resolve("bundled"), True).value else []
    return [*bundled, *banks(extra).value]  # type: ignore[misc]


def db_path(db: Path | None) -> Path:
    """--db, else QUIZ_DB, else the file's `database`, else quiz.db in the user data folder."""
    found = resolve("database", db)
    if found.source == "default":
        return _default_database()
    path: Path = found.value  # type: ignore[assignment]
    if not path.name:  # "" or "." (typer makes "" the current folder) or "/": no file
        raise UsageError(f"{found.where} must name a database file, not '{path}'")
    return path


def _default_database() -> Path:
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
    """--lang, else QUIZ_LANG, else the file's `language`, else both."""
    return _or(resolve("language", lang or None), "both").value  # type: ignore[return-value]


def new_per_day(new: int | None = None) -> int:
    """--new, else QUIZ_NEW_PER_DAY, else the file's `new_per_day`, else 10 (an interview
    plan's pace comes between --new and the rest: `today.review_today`)."""
    from quiz.today import DEFAULT_NEW_PER_DAY

    return _or(resolve("new_per_day", new), DEFAULT_NEW_PER_DAY).value  # type: ignore


def rollover_hour() -> int:
    """QUIZ_ROLLOVER, else the file's `rollover_hour`, else 4: the hour a study day starts."""
    return _or(resolve("rollover_hour"), DEFAULT_ROLLOVER_HOUR).value  # type: ignore


def new_card_order(option: str | None = None) -> str:
    """--order, else QUIZ_ORDER, else the file's `order`, else interleave."""
    return _or(resolve("order", option), "interleave").value  # type: ignore[return-value]


def leech_threshold() -> int:
    """QUIZ_LEECH_THRESHOLD, else the file's `leech_threshold`, else 8 lapses."""
    return _or(resolve("leech_threshold"), DEFAULT_LEECH_THRESHOLD).value  # type: ignore


def sync_dir(option: Path | None = None) -> Path | None:
    """DIR of `quiz sync`, else QUIZ_SYNC_DIR, else the file's `sync_dir`, else None."""
    return resolve("sync_dir", option).value  # type: ignore[return-value]


def sync_on_review(option: bool | None = None) -> bool:
    """--sync/--no-sync, else QUIZ_SYNC_ON_REVIEW, else the file's `sync_on_review`, else
    false: whether review, practice and mock sync before and after the session."""
    return _or(resolve("sync_on_review", option), False).value  # type: ignore[return-value]


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


def scheduler_choice(store: Store | None, name: str | None = None,
                     retention: float | None = None) -> tuple[Resolved, Resolved]:
    """The scheduler and desired retention to use, and where each came from: `name` and
    `retention` (the options), else the environment, else the file, else the database's
    (what was chosen last), else SM-2 at 0.9."""
    from quiz import schedulers

    chosen = resolve("scheduler", name or None)
    wanted = resolve("desired_retention", retention)
    if chosen.source != "default" and wanted.source != "default":
        return chosen, wanted
    current = store.scheduler() if store is not None else schedulers.DEFAULT_SCHEDULER
    stored = store.setting("desired_retention") if store is not None else None
    where = f"database {store.path}" if store is not None else "default"
    source = "database" if store is not None else "default"
    if chosen.source == "default":
        chosen = Resolved("scheduler", current.name, source, where)
    if wanted.source == "default":
        wanted = (Resolved("desired_retention", float(stored), source, where) if stored
                  else Resolved("desired_retention", schedulers.DEFAULT_RETENTION,
                                "default", "default"))
    return chosen, wanted


def standing_scheduler() -> Resolved | None:
    """The scheduler QUIZ_SCHEDULER or the config file asks for (every command without
    --scheduler switches to it), or None."""
    found = resolve("scheduler")
    return found if found.source != "default" else None


def scheduler(store: Store, name: str | None = None, retention: float | None = None) -> Scheduler:
    """The scheduler to use (see `scheduler_choice`). A choice that differs from the stored
    one is saved and replays the whole log into the cards: an option, a variable or the
    file's `scheduler` all switch the same way."""
    chosen, wanted = scheduler_choice(store, name, retention)
    try:
        store.use_scheduler(chosen.value, wanted.value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return store.scheduler()


def effective(db: Path | None = None, store: Store | None = None) -> list[Resolved]:
    """Every setting as a command given only `db` (--db) would use it, for `quiz config`;
    the scheduler's from `store` when no layer above has it."""
    found = {key: resolve(key, db if key == "database" else None) for key in SETTINGS
             if key not in ("banks", "scheduler", "desired_retention")}
    database = found["database"]
    if database.source == "default":
        database = Resolved("database", _default_database(), "default", "default")
    chosen, wanted = scheduler_choice(store)
    from quiz.today import DEFAULT_NEW_PER_DAY

    defaults = {"bundled": True, "language": "both", "new_per_day": DEFAULT_NEW_PER_DAY,
                "rollover_hour": DEFAULT_ROLLOVER_HOUR, "order": "interleave",
                "leech_threshold": DEFAULT_LEECH_THRESHOLD, "sync_on_review": False}
    values = {**{k: _or(v, defaults.get(k)) for k, v in found.items()},
              "database": database, "banks": banks(), "scheduler": chosen,
              "desired_retention": wanted}
    return [values[key] for key in SETTINGS]
