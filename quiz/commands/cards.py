"""Commands about the bank and its cards: `validate`, `list`, `show`."""

from pathlib import Path
from typing import Annotated

import typer

from quiz import config
from quiz.cli import (
    BankOption,
    DbOption,
    LangOption,
    QuestionIdArgument,
    TagOption,
    TopicOption,
    app,
    bank_of,
    console,
    open_store,
    question_by_id,
)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Bank files or folders (default: the bundled banks, QUIZ_BANKS and --bank).",
        show_default=False)] = None,
    bank: BankOption = None,
) -> None:
    """Check banks; print a summary, or every problem as file:line: message (exit 2)."""
    from quiz.bank.files import bank_files, bundled_dir
    from quiz.bank.reader import load_bank, missing_briefs
    from quiz.errors import BankError
    from quiz.views import bank_summary

    targets = list(paths) if paths else config.bank_paths(bank)
    the_bank = load_bank(targets)
    missing = missing_briefs(the_bank, bundled_dir())
    if missing:
        raise BankError(missing)
    files, _ = bank_files(targets)
    console().print(bank_summary(the_bank.questions, len(files)))


@app.command("list")
def list_questions(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due today.")] = False,
    lang: LangOption = None,
) -> None:
    """A table of questions with their review state."""
    from quiz.review_queue import select_questions
    from quiz.views import card_lines

    lang = config.language(lang)
    store = open_store(db)
    the_bank = bank_of(store, bank)
    chosen = select_questions(the_bank.entries(), topic, tag)
    relearning: set[str] = set()
    if due:  # the review's own rule: due cards and cards to relearn today
        from quiz.today import due_today

        cards, chosen, relearning = due_today(store, chosen, config.today(),
                                              config.interview_date(store))
    else:
        cards = store.cards()
    questions = the_bank.questions(q.id for q in chosen)
    typer.echo(card_lines(questions, cards, relearning, lang))


@app.command()
def show(
    question_id: QuestionIdArgument,
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
) -> None:
    """One question with its answer, sources and correction note."""
    from quiz.views import memory_line, show_question

    lang = config.language(lang)
    store = open_store(db)
    q = question_by_id(bank_of(store, bank), question_id)
    out = console()
    show_question(out, q, lang)
    memory = memory_line(store.scheduler(), store.card(q.id), config.today(), lang)
    if memory is not None:
        out.print(memory, markup=False)
