"""The numeric drills from the command line: `calc` and `try`."""

from typing import Annotated

import typer

from quiz import config
from quiz.cli import app, bank_of, console, open_store, question_by_id
from quiz.commands.options import BankOption, DbOption, LangOption, QuestionIdArgument


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                               "help_option_names": []})
def calc(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(
        help="The calculation (quiz calc --list names them; they are the bank's check names).",
        show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    """Compute with a reference function and show the worked solution.

    Examples: quiz calc conv --size 224 --kernel 7 --stride 2 --padding 3;
    quiz calc derivative sigmoid 0.5; quiz calc iterations --samples 10000 --batch 200
    --epochs 3; quiz calc softmax 1 2 3; quiz calc pool2d --matrix "1 2; 3 4" --kernel 2;
    quiz calc gd-step --theta 0.5 -1 --grad 2 0.5 --lr 0.1. quiz calc --list names every
    calculation and its arguments; quiz calc NAME --help shows one.
    """
    from quiz.errors import UsageError
    from quiz.numeric import calc as calculator
    from quiz.numeric.templates import explain
    from quiz.views import worked_solution

    words = list(ctx.args)
    if name in ("-h", "--help") or (name is None and {"-h", "--help"} & set(words)):
        typer.echo(ctx.get_help())
        return
    if name == "--list" or (name is None and "--list" in words):
        typer.echo("\n".join(calculator.listing()))
        return
    if name is not None and ({"-h", "--help"} & set(words)):
        typer.echo(calculator.usage(name))
        return
    lang = config.language(lang)
    check, args = calculator.parse(name, words)
    try:
        worked = explain(check, args)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    worked_solution(console(), worked, lang)


@app.command("try")
def try_answer(
    question_id: QuestionIdArgument,
    answer: Annotated[str | None, typer.Option(
        "--answer", help="The typed answer to grade (default: none).", show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, help="Which instance of a numeric template.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
) -> None:
    """For bank authors: the key points an answer covers and the grade quiz would offer.

    For a numeric template, the question is the instance of --seed, graded against its
    expected answer. JSON keys: id, seed, question {zh, en}, expected, covered,
    suggested_grade, correct (seed, expected and correct are null for open questions;
    without --answer nothing is graded).
    """
    from quiz.errors import AnswerFormatError, UsageError
    from quiz.keypoints import attempt
    from quiz.lang import in_lang
    from quiz.views import attempt_json, attempt_report

    lang = config.language(lang)
    question = question_by_id(bank_of(open_store(db), bank), question_id)
    try:
        result = attempt(question, answer, seed)
    except AnswerFormatError as exc:
        raise UsageError("cannot read the answer: "
                         + in_lang(exc.reason_zh, exc.reason_en, lang)) from None
    if as_json:
        typer.echo(attempt_json(question, result))
    else:
        attempt_report(console(), question, result, lang)
