"""The export formats, and one export written in one of them: to a file or standard output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from quiz.errors import UsageError

if TYPE_CHECKING:
    from quiz.export.selection import Flashcard
    from quiz.model import Topic

FORMATS = ("anki", "csv", "md")  # anki: an .apkg deck; csv (or TSV); md: a study sheet
STDOUT = "-"


def check_options(fmt: str, target: str, *, tsv: bool, anki_header: bool) -> None:
    """Options that do not go together: a usage error saying which."""
    if fmt != "csv" and (tsv or anki_header):
        raise UsageError("--tsv and --anki-header apply to csv only")
    if target == STDOUT and fmt == "anki":
        raise UsageError("an .apkg cannot go to standard output; give a file name")


def write_export(fmt: str, cards: Sequence[Flashcard], topics: Mapping[str, Topic], target: str,
                 *, lang: str, tsv: bool, anki_header: bool, force: bool, database: Path,
                 timestamp: float) -> None:
    """Write `cards` as `fmt` to the file `target` (or standard output for "-", text formats).

    A file is written whole or not at all (`selection.write_file`); the database and its side
    files are never a target.
    """
    from quiz.export import selection

    if fmt == "anki":
        from quiz.export.apkg import write_apkg

        selection.write_file(Path(target), lambda out: write_apkg(
            cards, topics, out, lang=lang, timestamp=timestamp), force=force, database=database)
        return
    render: Callable[[IO[str]], None]
    if fmt == "csv":
        from quiz.export.spreadsheet import write_csv

        def render(out: IO[str]) -> None:
            write_csv(cards, out, lang=lang, tsv=tsv, anki_header=anki_header)
    else:
        from quiz.export.markdown import write_markdown

        def render(out: IO[str]) -> None:
            write_markdown(cards, topics, out, lang=lang)
    if target == STDOUT:
        render(sys.stdout)
    else:
        selection.write_text_file(Path(target), render, force=force, database=database)
