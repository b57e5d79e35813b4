"""What the listing commands print: `validate`, `list`, `show`, `calc`, `try`, `stats --compare`.

Each function takes plain values and returns text or a rich renderable (or prints to a given
console); the command modules open files and stores, this module only lays out. Bank text is
escaped here before rich sees it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from quiz.lang import in_lang, pick

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from quiz.keypoints import Attempt
    from quiz.mock_interview import MockSummary
    from quiz.model import Card, Question, Review, Text
    from quiz.numeric.reference import Worked
    from quiz.schedulers import Scheduler
    from quiz.stats.recall import Score


def escape(text: str) -> str:
    """Text as rich markup that prints as itself."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def bank_summary(questions: Iterable[Question], files: int) -> RenderableType:
    """`quiz validate`: questions per topic and type."""
    from rich.table import Table

    counts = Counter((q.topic, q.type) for q in questions)
    table = Table(title=f"{sum(counts.values())} questions in {files} file(s): OK")
    for column in ("topic", "open", "numeric", "total"):
        table.add_column(escape(column), justify="left" if column == "topic" else "right")
    for topic in sorted({t for t, _ in counts}):
        opened, numeric = counts[(topic, "open")], counts[(topic, "numeric")]
        table.add_row(escape(topic), str(opened), str(numeric), str(opened + numeric))
    return table


def card_lines(questions: list[Question], cards: Mapping[str, Card], relearning: set[str],
               lang: str) -> str:
    """`quiz list`: one aligned line per question (plain text: no rich import).

    Aligned lines rather than a rich Table: a table of a few hundred rows takes rich most of
    a second to lay out. The question comes last, so CJK widths need no padding.
    """
    width = max([len(q.id) for q in questions] + [2])
    topic_width = max([len(q.topic) for q in questions] + [5])
    lines = [f"{len(questions)} question(s)",
             f"{'id':<{width}}  {'topic':<{topic_width}}  type     due         interval  EF    "
             "question"]
    for q in questions:
        card = cards.get(q.id)
        state = card.state if card else None
        due_text = ("relearn" if q.id in relearning else "suspended" if card and card.suspended
                    else str(state.due) if state else "new")
        interval = str(state.interval) if state else ""
        ef = f"{float(state.efactor):.2f}" if state else ""
        text = clip(" ".join(q.prompt.get("zh" if lang == "zh" else "en").split()), 60)
        lines.append(f"{q.id:<{width}}  {q.topic:<{topic_width}}  {q.type:<7}  {due_text:<10}  "
                     f"{interval:>8}  {ef:<4}  {text}")
    return "\n".join(lines)


def to_json(data: object) -> str:
    """JSON for scripts: UTF-8 text as it is (ensure_ascii off), indented, no markup."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def _text_json(text: Text | None) -> dict[str, str] | None:
    return {"zh": text.zh, "en": text.en} if text is not None else None


def card_fields(card: Card | None, status: str) -> dict[str, object]:
    """A card's schedule as JSON values (`list --json`, `show --json`): dates as ISO text,
    the E-Factor as a number; None where the card has no such value yet."""
    state = card.state if card else None

    def day(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "status": status,
        "due": day(state.due) if state else None,
        "interval": state.interval if state else None,
        "efactor": float(state.efactor) if state else None,
        "repetitions": state.repetitions if state else None,
        "lapses": card.lapses if card else 0,
        "reviews": card.reviews if card else 0,
        "first_day": day(card.first_day) if card else None,
        "last_day": day(card.last_day) if card else None,
        "buried_until": day(card.buried_until) if card else None,
        "stability": state.stability if state else None,
        "difficulty": state.difficulty if state else None,
    }


def card_list_json(questions: list[Question], cards: Mapping[str, Card],
                   statuses: Mapping[str, str], relearning: set[str]) -> str:
    """`quiz list --json`: one object per question (keys in the command's help)."""
    return to_json([{
        "id": q.id, "topic": q.topic, "type": q.type, "tags": list(q.tags),
        "question": _text_json(q.prompt), "relearn": q.id in relearning,
        **card_fields(cards.get(q.id), statuses[q.id])} for q in questions])


def history_fields(review: Review) -> dict[str, object]:
    """One answer of a card's history as JSON values."""
    return {"reviewed_at": review.reviewed_at.isoformat(),
            "study_day": review.study_day.isoformat(), "kind": review.kind,
            "grade": review.quality, "answer": review.answer,
            "seconds": review.duration_ms / 1000, "scheduled": review.state is not None}


def card_json(q: Question, card: Card | None, status: str, history: list[Review]) -> str:
    """`quiz show --json`: the question, its card and its history (keys in the help)."""
    return to_json({
        "id": q.id, "topic": q.topic, "type": q.type, "tags": list(q.tags),
        "file": q.file, "line": q.line,
        "question": _text_json(q.prompt), "brief": _text_json(q.brief),
        "answer": _text_json(q.answer), "note": _text_json(q.note),
        "check": q.numeric.check if q.numeric else None,
        "key_points": [{"zh": list(k.zh), "en": list(k.en)} for k in q.key_points],
        "sources": [{"title": s.title, "question": s.question} for s in q.sources],
        "card": card_fields(card, status),
        "history": [history_fields(r) for r in history]})


STATUS_NAMES = {"new": ("新卡片", "new"), "learning": ("学习中", "learning"),
                "review": ("复习中", "review"), "suspended": ("已暂停", "suspended"),
                "buried": ("已搁置", "buried"),
                "retired": ("已退役（不在题库中）", "retired (no longer in the bank)")}


def card_summary(card: Card | None, status: str, lang: str) -> str:
    """`quiz show`: the card's state in one line (plain text)."""
    zh_name, en_name = STATUS_NAMES[status]
    zh, en = [f"卡片：{zh_name}"], [f"Card: {en_name}"]
    if card is not None and status == "buried" and card.buried_until is not None:
        zh[0] += f"，至 {card.buried_until}"
        en[0] += f" until {card.buried_until}"
    if card is not None and card.state is not None:
        state, ef = card.state, f"{float(card.state.efactor):.2f}"
        zh += [f"到期 {state.due}", f"间隔 {state.interval} 天", f"EF {ef}"]
        en += [f"due {state.due}", f"interval {state.interval} day(s)", f"EF {ef}"]
    lapses, reviews = (card.lapses, card.reviews) if card else (0, 0)
    zh += [f"遗忘 {lapses} 次", f"复习 {reviews} 次"]
    en += [f"lapses {lapses}", f"reviews {reviews}"]
    return in_lang(" · ".join(zh), " · ".join(en), lang)


HISTORY_ANSWER_CELLS = 60  # a typed answer in `quiz show`'s history, at most


def history_lines(history: list[Review], lang: str, width: int = 100) -> str:
    """`quiz show`: the card's answers, oldest first: local time, kind, grade, typed answer
    (clipped so that each answer stays on one line of a `width`-column terminal)."""
    from quiz.printable import printable

    if not history:
        return in_lang("还没有作答记录", "No answers yet", lang)
    lines = [in_lang(f"作答记录（{len(history)}）", f"History ({len(history)})", lang)]
    for review in history:
        typed = printable(" ".join((review.answer or "").split()))  # typed text: no escapes
        head = (f"  {review.reviewed_at.astimezone():%Y-%m-%d %H:%M}  {review.kind:<8} "
                f"{review.quality}  ")
        room = max(8, min(HISTORY_ANSWER_CELLS, width - len(head) - 1))  # 1: the ellipsis
        lines.append(f"{head}{clip(typed, room)}".rstrip())
    return "\n".join(lines)


def validation_json(questions: Iterable[Question] | None, files: int,
                    problems: list[tuple[str, int, str]] = ()) -> str:
    """`quiz validate --json`: ok, the counts per topic, or every problem (keys in the help)."""
    if questions is None:
        return to_json({"ok": False, "files": files, "questions": 0, "topics": {},
                        "problems": [{"file": f, "line": n, "message": m}
                                     for f, n, m in problems]})
    counts = Counter((q.topic, q.type) for q in questions)
    topics = {t: {"open": counts[(t, "open")], "numeric": counts[(t, "numeric")],
                  "total": counts[(t, "open")] + counts[(t, "numeric")]}
              for t in sorted({t for t, _ in counts})}
    return to_json({"ok": True, "files": files, "questions": sum(counts.values()),
                    "topics": topics, "problems": []})


def mock_history_json(history: list[MockSummary]) -> str:
    """`quiz mock --history --json`: past mocks, oldest first (keys in the help)."""
    return to_json([{"session": m.session, "started": m.started.isoformat(),
                     "answered": m.answered, "score": m.score} for m in history])


def clip(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal columns (CJK characters take two), with an ellipsis."""
    from unicodedata import east_asian_width

    used = 0
    for index, char in enumerate(text):
        used += 2 if east_asian_width(char) in "WF" else 1
        if used > cells:
            return text[:index] + "…"
    return text


def show_question(out: Console, q: Question, lang: str) -> None:
    """`quiz show`: the question with its answer (a numeric one's instance 0), note, sources."""
    from quiz.numeric import templates as numeric
    from quiz.wrapped import Wrapped  # CJK-aware line breaking, as in the session

    out.print(Wrapped.markup(f"[bold]{escape(q.id)}[/]  [magenta]{escape(q.topic)}[/]  "
                             f"[dim]{escape(' '.join('#' + t for t in q.tags))}[/]"))
    if q.numeric is not None:
        instance = numeric.instantiate(q, 0)
        for text in pick(instance.prompt, lang):
            out.print(Wrapped(text, "bold"))
        out.print(Wrapped(f"= {numeric.format_value(instance.expected)}"))
        for text in pick(instance.solution, lang):
            out.print(Wrapped(text))
    else:
        for text in pick(q.prompt, lang):
            out.print(Wrapped(text, "bold"))
        for text in pick(q.brief, lang):
            out.print(Wrapped(text, "bold"))
        for text in pick(q.answer, lang):
            out.print(Wrapped(text.strip("\n")))
    for text in pick(q.note, lang):
        out.print(Wrapped(text, "yellow"))
    for source in q.sources:
        out.print(Wrapped(f"— {source.title}: {source.question}", "dim"))


def memory_line(scheduler: Scheduler, card: Card | None, today: date, lang: str) -> str | None:
    """FSRS's memory state of the card, when FSRS is the scheduler and the card is started."""
    if scheduler.name != "fsrs" or card is None or card.state is None:
        return None
    state = card.state
    recall = scheduler.retrievability(state, today)
    return in_lang(
        f"FSRS：稳定性 {state.stability:.1f} 天，难度 {state.difficulty:.2f}（1–10），"
        f"今天的回忆概率 {recall:.0%}；下次 {state.due}（间隔 {state.interval} 天）",
        f"FSRS: stability {state.stability:.1f} days, difficulty {state.difficulty:.2f} "
        f"(1–10), retrievability today {recall:.0%}; due {state.due} "
        f"(interval {state.interval} days)", lang)


def worked_solution(out: Console, worked: Worked, lang: str) -> None:
    """`quiz calc`: the value in bold, then the worked solution."""
    from quiz.numeric.templates import format_value

    out.print(f"[bold]{escape(format_value(worked.value))}[/]")
    for text in pick(worked.solution, lang):
        out.print(escape(text))


def attempt_json(question: Question, result: Attempt) -> str:
    """`quiz try --json` (its keys are documented in the command's help)."""
    import json

    return json.dumps({
        "id": question.id, "seed": result.seed,
        "question": {"zh": result.prompt.zh, "en": result.prompt.en},
        "expected": result.expected, "covered": list(result.covered),
        "suggested_grade": result.suggested, "correct": result.correct,
    }, ensure_ascii=False, indent=2)


def attempt_report(out: Console, question: Question, result: Attempt, lang: str) -> None:
    """`quiz try`: the question, the expected value, each key point hit or missed, the grade."""
    out.print(f"[bold]{escape(question.id)}[/]"
              + (f"  [dim]seed {result.seed}[/]" if result.seed is not None else ""))
    for text in pick(result.prompt, lang):
        out.print(f"[bold]{escape(text)}[/]")
    if result.expected is not None:
        out.print(f"= {escape(result.expected)}")
        if result.correct is not None:
            out.print(in_lang("✓ 正确", "✓ correct", lang) if result.correct
                      else in_lang("✗ 不正确", "✗ incorrect", lang))
    for point, hit in zip(question.key_points, result.covered, strict=True):
        mark = "[green]✓[/]" if hit else "[red]✗[/]"
        out.print(f"{mark} {escape(in_lang(point.zh[0], point.en[0], lang))}")
    if question.key_points:
        hits = sum(result.covered)
        out.print(in_lang(f"要点 {hits}/{len(result.covered)}",
                          f"Key points {hits}/{len(result.covered)}", lang))
    if result.suggested is not None:
        grade = result.suggested
        out.print(in_lang(f"建议评分 {grade}", f"Suggested grade {grade}", lang))
    else:
        out.print(in_lang("无建议评分", "No suggested grade", lang))


def scheduler_name(name: str) -> str:
    return "SM-2" if name == "sm2" else "FSRS"


def comparison(out: Console, scores: list[Score], current: str, lang: str) -> None:
    """`quiz stats --compare`: both schedulers' scores on the learner's log, and the verdict."""
    from rich.table import Table

    if not scores[0].count:
        out.print(escape(in_lang("还没有可比较的复习：每张卡片第二次复习起才计入。",
                                 "No reviews to compare yet: they count from a card's second "
                                 "review.", lang)))
        return

    def shown(value: float | None, form: str = "{:.3f}") -> str:
        return "—" if value is None else form.format(value)

    table = Table(title=in_lang("调度器预测你记住的能力",
                                "How well each scheduler predicted your recalls", lang))
    table.add_column("")
    for score in scores:
        table.add_column(scheduler_name(score.scheduler), justify="right")
    rows = [("reviews predicted", lambda s: str(s.count)),
            ("log loss (lower is better)", lambda s: shown(s.log_loss)),
            ("Brier score (lower is better)", lambda s: shown(s.brier)),
            ("AUC (higher is better)", lambda s: shown(s.auc)),
            ("mean predicted recall", lambda s: shown(s.predicted, "{:.1%}")),
            ("actual recall", lambda s: shown(s.recalled, "{:.1%}"))]
    for label, cell in rows:
        table.add_row(label, *(cell(s) for s in scores))
    out.print(table)
    for score in scores:
        cells = ", ".join(f"{b.low:.0%}–{b.high:.0%}: {b.count} predicted {b.predicted:.0%}, "
                          f"recalled {b.recalled:.0%}" for b in score.bands)
        out.print(escape(f"{scheduler_name(score.scheduler)} calibration — {cells}"))
    best = scheduler_name(min(scores, key=lambda s: s.log_loss).scheduler)
    out.print(escape(in_lang(
        f"对你的记录，{best} 的预测更准（对数损失更低）。当前调度器：{current}。",
        f"On your log, {best} predicted your recalls better (lower log loss). Current "
        f"scheduler: {current}.", lang)))
