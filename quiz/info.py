"""What `quiz info` reports: the version, the database, the banks, the config file, counts
and the scheduler, as plain values (the command renders them, or prints them as JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from quiz.bank.cache import BankCache
    from quiz.store import Store


class BankFile(NamedTuple):
    """A bank file and how many questions it holds."""

    path: str
    questions: int


@dataclass(frozen=True)
class Info:
    """Everything `quiz info` shows. `as_json` gives its stable keys."""

    version: str
    database: str
    database_exists: bool
    database_bytes: int  # the file and its WAL side file: what a backup would hold
    config_file: str
    config_exists: bool
    bank_files: list[BankFile]
    questions: int
    cards_started: int
    reviews: int  # answers of kind "review": the ones a schedule is built from
    answers: dict[str, int]  # every logged answer by kind (review, repeat, practice, mock)
    due_today: int
    scheduler: str
    desired_retention: float | None  # None under SM-2

    def as_json(self) -> dict[str, Any]:
        """The stable keys of `quiz info --json` (the field names above)."""
        return {**asdict(self), "bank_files": [f._asdict() for f in self.bank_files]}


def database_bytes(path: Path) -> int:
    """The size of the database file and its WAL file, 0 if there is none."""
    total = 0
    for part in (path, Path(f"{path}-wal")):
        try:
            total += part.stat().st_size
        except OSError:
            pass
    return total


def gather(store: Store, bank: BankCache, database: Path, database_exists: bool,
           config_file: Path, config_exists: bool, today: date,
           interview: date | None) -> Info:
    """The figures of `quiz info`; `store` may be a throwaway one when there is no database."""
    from quiz import __version__
    from quiz.bank.files import bank_files
    from quiz.today import due_today

    entries = bank.entries()
    files, _ = bank_files(bank.paths)
    file_of = {t.id: t.file for t in bank.topics().values()}
    per_file = Counter(file_of.get(e.topic, "") for e in entries)
    kinds = dict(store.query("SELECT kind, count(*) FROM reviews GROUP BY kind"))
    _, due, _ = due_today(store, today, interview, bank=bank)
    scheduler = store.scheduler()
    return Info(
        version=__version__, database=str(database), database_exists=database_exists,
        database_bytes=database_bytes(database) if database_exists else 0,
        config_file=str(config_file), config_exists=config_exists,
        bank_files=[BankFile(str(f), per_file.get(str(f), 0)) for f in files],
        questions=len(entries), cards_started=len(store.started_ids()),
        reviews=kinds.get("review", 0), answers=kinds,
        due_today=len(due), scheduler=scheduler.name,
        desired_retention=getattr(scheduler, "retention", None))
