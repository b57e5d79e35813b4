"""Cards and the log to and from other tools and machines: `export`, `import`, `sync`."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from quiz import config
from quiz.cli import _escape, app, bank_of, console, err_console, open_store, ui_text
from quiz.commands.options import BankOption, DbOption, LangOption, TagOption, TopicOption
from quiz.export.formats import FORMATS

Format = Enum("Format", {name: name for name in FORMATS}, type=str)  # a typer choice


@app.command("export")
def export_cards(
    fmt: Annotated[Format, typer.Argument(
        metavar="FORMAT", help="anki (an .apkg deck), csv or md (a study sheet).",
        show_default=False)],
    file: Annotated[str, typer.Argument(
        metavar="FILE", help="The file to write; - for standard output (csv, md).",
        show_default=False)],
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    only_due: Annotated[bool, typer.Option(
        "--only-due", help="Only cards due today, or within --days days.")] = False,
    days: Annotated[int | None, typer.Option(
        "--days", min=0, help="Due within this many days (implies --only-due).",
        show_default=False)] = None,
    weak: Annotated[bool, typer.Option(
        "--weak", help="Only weak cards: EF below 2.0 or at least one lapse.")] = False,
    instances: Annotated[int, typer.Option(
        "--instances", min=0, max=100, help="Drawn instances per numeric question.")] = 3,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    tsv: Annotated[bool, typer.Option("--tsv", help="csv: tab-separated.")] = False,
    anki_header: Annotated[bool, typer.Option(
        "--anki-header", help="csv: Anki's import headers, so the file imports as-is.")] = False,
) -> None:
    """Export flashcards: an Anki deck, a CSV/TSV table or a Markdown study sheet.

    Importing a later .apkg (or --anki-header CSV) into Anki updates its notes in place.
    """
    import time

    from quiz.errors import QuizError
    from quiz.export import selection as export
    from quiz.export.formats import STDOUT, check_options, write_export
    from quiz.printable import printable
    from quiz.review_queue import select_questions

    fmt = fmt.value
    check_options(fmt, file, tsv=tsv, anki_header=anki_header)
    database = config.db_path(db)
    if file != STDOUT:
        export.check_target(Path(file), force, database=database)
    lang = config.language(lang)
    store = open_store(db)
    the_bank = bank_of(store, bank)
    topics = the_bank.topics()
    chosen = select_questions(the_bank.entries(), topic, tag)
    only_due = only_due or days is not None
    if only_due or weak:
        chosen = export.filter_by_state(
            chosen, store.cards(), today=config.today(),
            due_days=(days or 0) if only_due else None, weak=weak,
            interview=config.interview_date(store))
    questions = export.by_topic(the_bank.questions(q.id for q in chosen), topics)
    flashcards = export.flashcards(questions, instances)
    if not flashcards:
        raise QuizError("nothing to export: no question matches the filters")
    write_export(fmt, flashcards, topics, file, lang=lang, tsv=tsv, anki_header=anki_header,
                 force=force, database=database, timestamp=time.time())
    asked = len({card.question.id for card in flashcards})
    where = "standard output" if file == STDOUT else printable(file)
    (err_console() if file == STDOUT else console()).print(
        f"Wrote {len(flashcards)} card(s) from {asked} question(s) to {_escape(where)}",
        highlight=False, soft_wrap=True)


import_app = typer.Typer(
    help="Import questions into a bank file: Anki packages, CSV/TSV tables.",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")

OutOption = Annotated[Path, typer.Option(
    "--out", help="The bank file (.yaml) to write; importing again updates it in place.",
    show_default=False)]
ImportTopicOption = Annotated[str | None, typer.Option(
    "--topic", help="The bank's topic id (default: the file's, else the deck's name).",
    show_default=False)]
FrontOption = Annotated[list[str] | None, typer.Option(
    "--front", help="A field (column) that asks the question (repeatable).",
    show_default=False)]
BackOption = Annotated[list[str] | None, typer.Option(
    "--back", help="A field (column) that answers it (repeatable).", show_default=False)]


@import_app.command("anki")
def import_anki(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="An Anki package: .apkg or .colpkg.", show_default=False)],
    out: OutOption, topic: ImportTopicOption = None, front: FrontOption = None,
    back: BackOption = None,
    with_history: Annotated[bool, typer.Option(
        "--with-history", help="Bring Anki's review log along, so the schedule continues.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import an Anki package's notes as open questions (ids from the notes' GUIDs)."""
    from quiz.importing import anki_import
    from quiz.importing.anki_package import read_package
    from quiz.importing.import_run import common_deck, deck_topic, hold_cards, write_imported

    collection = read_package(file)
    found = anki_import.convert(collection, fronts=front, backs=back)
    ids, fingerprints = write_imported(
        out, found.questions, topic=topic, default_topic=deck_topic(found.decks, out),
        title=common_deck(found.decks) or out.stem, warnings=found.warnings, source=str(file),
        report=_report)
    if with_history:
        notes = {note: (qid, fingerprints[qid]) for note, qid in zip(found.note_ids, ids,
                                                                     strict=True) if qid}
        reviews = anki_import.reviews(collection, notes, rollover_hour=config.rollover_hour())
        store = open_store(db)
        added = store.import_reviews(reviews)
        holds = hold_cards(store, anki_import.held_cards(collection, notes), config.today())
        cards = len({r.question_id for r in reviews})
        there = len(reviews) - added
        console().print(f"History: {added} answer(s) of {cards} card(s) added to the log"
                        + (f" ({there} already there)" if there else "")
                        + (f"; kept as in Anki: {holds}" if holds else ""), highlight=False)


@import_app.command("csv")
def import_csv(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="A CSV/TSV file, or Anki's notes in plain text.",
        show_default=False)],
    out: OutOption, topic: ImportTopicOption = None, front: FrontOption = None,
    back: BackOption = None,
    no_header: Annotated[bool, typer.Option(
        "--no-header", help="The first row is a question, not column names.")] = False,
    html: Annotated[bool | None, typer.Option(
        "--html/--no-html", help="Cells are HTML (default: Anki's #html header, else no).",
        show_default=False)] = None,
) -> None:
    """Import a table's rows as open questions (a header row names the columns)."""
    from quiz.importing import csv_import
    from quiz.importing.import_run import read_text, write_imported

    table = csv_import.read_table(read_text(file), header=not no_header, html=html,
                                  name=str(file))
    questions, warnings = csv_import.convert(table, csv_import.mapping(table, front, back))
    write_imported(out, questions, topic=topic, default_topic=None, title=out.stem,
                   warnings=warnings, source=str(file), report=_report)


def _report(message: str, warning: bool = False) -> None:
    from quiz.printable import printable

    if warning:
        err_console().print(f"[yellow]Warning:[/] {_escape(printable(message))}",
                            highlight=False, soft_wrap=True)
    else:
        console().print(_escape(printable(message)), highlight=False, soft_wrap=True)


@app.command("sync")
def sync_log(
    folder: Annotated[Path | None, typer.Argument(
        metavar="[DIR]", help="The shared folder (default: --dir, else QUIZ_SYNC_DIR, else "
        "the config file's sync_dir).", show_default=False)] = None,
    dir_option: Annotated[Path | None, typer.Option(
        "--dir", help="The shared folder, as an option.", show_default=False)] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Sync the review log with other machines through a shared folder (Syncthing, Dropbox,
    git): this device's answers go to DIR/<device>.jsonl, every other file's come in.

    Exits 2 when a line of a sync file is not a row of the log (it is left out, named).
    """
    from quiz.errors import UsageError
    from quiz.sync import sync

    lang = config.language(lang)
    if folder is not None and dir_option is not None and folder != dir_option:
        raise UsageError(f"give the sync folder once: DIR {folder} or --dir {dir_option}")
    where = config.sync_dir(folder or dir_option)
    if where is None:
        raise UsageError("no sync folder: give one (quiz sync DIR), or set QUIZ_SYNC_DIR or "
                         "sync_dir in the config file to a folder your file sync (Syncthing, "
                         "Dropbox, git) shares between machines")
    done = sync(open_store(db), where)
    err = err_console()
    for line in done.waiting:
        err.print(_escape(f"Note: {line}: not complete yet (still being copied?); taken next "
                          "time"), highlight=False, soft_wrap=True)
    for line in done.bad:
        err.print(_escape(f"Warning: {line}"), style="yellow", highlight=False, soft_wrap=True)
    console().print(ui_text(
        lang, f"已同步 {done.folder}：读入 {done.files} 个文件中 {done.imported} 条新记录，"
              f"更新 {done.cards} 张卡片；写出本机 {done.exported} 条到 {done.device}.jsonl",
        f"Synced with {done.folder}: {done.imported} new row(s) from {done.files} file(s), "
        f"{done.cards} card(s) updated; {done.exported} row(s) of this device written to "
        f"{done.device}.jsonl"), soft_wrap=True)
    if done.bad:
        raise UsageError(f"{len(done.bad)} line(s) of the sync files are not rows of the log and "
                         "were left out (see above); the rest is synced")
