"""Rich rendering of a study session: the card, the reveal, the prompts, the day's summary,
and the mock-interview report and history (listings are rendered by cli.py)."""

from __future__ import annotations

import math
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text as RichText

from quiz import sm2
from quiz.errors import AnswerFormatError
from quiz.lang import in_lang, pick
from quiz.line_breaking import cells
from quiz.mock_interview import MockReport, MockSummary
from quiz.model import NOTE_LABEL, CardState, Question
from quiz.printable import printable
from quiz.review_queue import Outlook
from quiz.session import CardView, Command
from quiz.stats.figures import DaySummary
from quiz.wrapped import Wrapped

SIDE_BY_SIDE = 30  # cells each column needs for "your answer | model answer" side by side

if TYPE_CHECKING:
    from quiz import line_editor


class TerminalUI:
    """The session's `SessionUI` on a rich console, and the other screens of a session."""

    def __init__(self, console: Console, lang: str = "both",
                 interactive: bool | None = None) -> None:
        self.console = console
        self.lang = lang
        self.seen: dict[str, Question] = {}  # the session's questions, for the mock report
        # one key per grade and the line editor only where a person types at a terminal
        # (POSIX only: the one-key reader uses termios)
        self.interactive = (sys.stdin.isatty() and console.is_terminal and os.name == "posix"
                            if interactive is None else interactive)
        self._editor: line_editor.LineEditor | None = None
        if self.interactive:
            preload_line_editor()
        self.deadline = 0.0  # a mock card's end (time.monotonic), set when it is drawn

    # -- input ---------------------------------------------------------------------------
    #
    # On a terminal (stdin and stdout both one): answers through the prompt_toolkit line
    # editor (quiz.line_editor, imported once the first card is on the screen: it costs
    # ~90 ms), grades with one key. Otherwise (pipes, tests) a line per answer and per grade.

    def read_answer(self, view: CardView) -> str | Command | None:
        """The typed answer to an open question, or a command key; None at end of input."""
        prompt = in_lang("你的回答（可直接回车）", "Your answer (or just Enter)", self.lang)
        return self._read(prompt, view)

    def read_numeric(self, view: CardView) -> str | Command | None:
        """The typed answer to a numeric question, or a command key; None at end of input."""
        return self._read(in_lang("你的答案（回车 = 不会）", "Your answer (Enter = give up)",
                               self.lang), view)

    def read_grade(self, view: CardView) -> str | None:
        """A key at the grade prompt ("" for Enter); None at end of input."""
        prompt = self.grade_prompt(view)
        if not self.interactive:
            return self._read_line(prompt)
        key = self._read_key(prompt)
        return None if key is None else "" if key == "\n" else key

    def read_finish(self, view: CardView) -> bool:
        """After the last card: True (u) to undo its grade, False to go on to the summary."""
        prompt = in_lang("u 撤销最后一个评分，其他键：结束",
                      "u undo the last grade, any other key: finish", self.lang)
        if not self.interactive:
            key = self._read_line(prompt)
        else:
            try:
                key = self._read_key(prompt)
            except KeyboardInterrupt:
                key = None
        return key is not None and key.strip().lower() == "u"

    def _read(self, prompt: str, view: CardView) -> str | Command | None:
        """An answer: from the line editor on a terminal, else a line; None at end of input."""
        if not self.interactive:
            if view.mode.seconds:
                self.console.print(self._time_left(self._seconds_left()), highlight=False)
            return self._read_line(prompt)
        editor = self._line_editor()
        commands = {"escape s": Command.SKIP, "escape b": Command.BURY,  # practice: a skip
                    "escape u": Command.UNDO, "escape q": Command.QUIT}
        try:
            return editor.read(prompt, toolbar=lambda: self._toolbar(view), commands=commands,
                               refresh=1.0 if view.mode.seconds else None)
        except EOFError:  # Ctrl-D on an empty line
            self.console.print()
            return None

    def _read_line(self, prompt: str) -> str | None:
        """One line of input after `prompt`; None at end of input."""
        # Bytes that are not UTF-8 (a paste from elsewhere) read as U+FFFD, instead of an
        # exception (strict locales) or lone surrogates that SQLite refuses (C locale).
        if getattr(sys.stdin, "errors", "replace") != "replace" and hasattr(sys.stdin,
                                                                            "reconfigure"):
            sys.stdin.reconfigure(errors="replace")
        try:
            return self.console.input(f"[bold cyan]{escape(prompt)}[/] › ")
        except EOFError:
            self.console.print()  # the summary starts on a line of its own
            return None
        except KeyboardInterrupt:
            self.console.print()
            raise

    def _read_key(self, prompt: str) -> str | None:
        """One key press after `prompt`, echoed; "\n" for Enter; None at end of input (Ctrl-D).

        What was typed before the prompt appeared is dropped: a key pressed while the answer
        was being revealed (or the rest of a paste) is never taken for a grade.
        """
        from quiz import line_editor

        if self._editor is not None:
            self._editor.discard_pending()
        try:
            key = line_editor.read_key(
                lambda: self.console.print(f"[bold cyan]{escape(prompt)}[/] › ", end=""))
        except KeyboardInterrupt:
            self.console.print()
            raise
        if key == line_editor.END_OF_INPUT:
            self.console.print()
            return None
        self.console.print(escape(key) if len(key) == 1 and key.isprintable() else "",
                           highlight=False)
        return key

    def _line_editor(self) -> line_editor.LineEditor:
        if self._editor is None:
            from quiz import line_editor

            self._editor = line_editor.LineEditor()
        return self._editor

    def _toolbar(self, view: CardView) -> str:
        """The keys of the answer prompt (and a mock's time left), drawn under the input and
        folded to the terminal's width (prompt_toolkit would cut a long toolbar line)."""
        submit = ("回车 提交（空 = 不会）", "Enter submit (empty: give up)") if view.instance \
            else ("回车 提交", "Enter submit")
        keys = [submit, ("Esc 回车 换行", "Esc Enter new line"), ("Esc s 跳过", "Esc s skip")]
        if view.mode.kind != "practice":
            keys.append(("Esc b 搁置到明天", "Esc b bury"))
        keys += [("Esc u 撤销上一个评分", "Esc u undo last grade"), ("Esc q 退出", "Esc q quit")]
        width = max(20, self.console.width - 1)
        lines: list[str] = []
        for index, code in enumerate(("zh", "en")):
            if self.lang not in (code, "both"):
                continue
            items = [key[index] for key in keys]
            if view.mode.seconds and not lines:
                items.insert(0, self._time_left(self._seconds_left()))
            line = ""
            for item in items:
                joined = f"{line} · {item}" if line else item
                if line and cell_len(joined) > width:
                    lines.append(line)
                    joined = item
                line = joined
            lines.append(line)
        return "\n".join(lines)

    def _seconds_left(self) -> int:
        return max(0, math.ceil(self.deadline - time.monotonic()))

    def _time_left(self, left: int) -> str:
        if left == 0:
            return "⏱ " + in_lang("时间到，请尽快作答", "Time's up: finish your answer", self.lang)
        return f"⏱ {left} s"

    def grade_prompt(self, view: CardView) -> str:
        """The grade prompt: the keys it takes (one key press on a terminal)."""
        zh, en = ("s 跳过", "s skip") if view.mode.kind == "practice" else ("s 搁置", "s bury")
        if view.default_grade is not None:
            grades = "".join(k for k in view.allowed_keys if k.isdigit())
            grades = "0–5" if grades == "012345" else "/".join(grades)
            choice = f"Enter={view.default_grade}" + (f", {grades}" if grades else "")
            return in_lang(f"{choice}，u 撤销，{zh}，q 退出", f"{choice}, u undo, {en}, q quit",
                           self.lang)
        return in_lang(f"评分 0–5，u 撤销，{zh}，q 退出", f"Grade 0–5, u undo, {en}, q quit",
                       self.lang)

    # -- output --------------------------------------------------------------------------

    @property
    def fit(self) -> bool:
        """Into a pipe: panels fit their text, so a logical line stays one line."""
        return not self.console.is_terminal

    def _panel(self, body: Any, **options: Any) -> Panel:
        options.setdefault("expand", not self.fit)
        return Panel(body, **options)

    def _texts(self, text: Any, style: str = "") -> list[Wrapped]:
        """A bank text in the chosen language(s), one folding block per language."""
        return [Wrapped(t.strip("\n"), style) for t in pick(text, self.lang)]

    def show_card(self, view: CardView) -> None:
        q = view.question
        self.deadline = time.monotonic() + (view.mode.seconds or 0)
        self.seen[q.id] = q
        header = Table.grid(padding=(0, 1), expand=not self.fit)
        header.add_column(no_wrap=True)
        if not self.fit:
            header.add_column(ratio=1)
        header.add_column(no_wrap=True, justify="right")
        bar = [] if self.fit else [ProgressBar(total=max(view.total, 1),
                                               completed=view.position - 1)]
        header.add_row(f"[bold]{view.position}/{view.total}[/]", *bar, self._left(view))
        lines: list[Any] = [header]
        tags = " ".join(f"#{t}" for t in q.tags)
        lines.append(Wrapped.markup(f"[magenta]{escape(q.topic)}[/] [dim]{escape(tags)}[/]"))
        if view.repeat:
            lines.append(Wrapped(in_lang("（今日重复）", "(again today)", self.lang), "yellow"))
        if view.text_changed:
            lines += self._change_notice(view)
        prompt = view.instance.prompt if view.instance else q.prompt
        lines += self._texts(prompt, "bold")
        self.console.print()
        self.console.print(self._panel(Group(*lines), title=f"[dim]{escape(q.id)}[/]",
                                       title_align="left"))

    def _change_notice(self, view: CardView) -> list[Wrapped]:
        """What changed since the last review; the question's change shown here, the
        answer's only with the answer (it would give the answer away)."""
        change = view.change
        if change is None or not change.parts:  # the old text was not kept: only say so
            return [Wrapped(in_lang("注意：上次复习后题目内容已修改",
                                    "Note: this question's text changed since your last "
                                    "review", self.lang), "yellow")]
        names = {"question": ("题目", "the question"), "answer": ("答案", "the answer"),
                 "exercise": ("练习的参数", "the exercise's check or params")}
        what = [names[part] for part in change.what]
        zh = "和".join(w[0] for w in what)
        en = " and ".join(w[1] for w in what)
        later = ("（答案的改动随答案显示）", "; the answer's change is shown with the answer"
                 ) if "answer" in change.what else ("", "")
        lines = [Wrapped(in_lang(f"注意：上次复习后{zh}已修改{later[0]}",
                                 f"Note: {en} changed since your last review{later[1]}",
                                 self.lang), "yellow")]
        return lines + self._diff_lines(change.of("question", "exercise"))

    def _diff_lines(self, parts: tuple[Any, ...]) -> list[Wrapped]:
        """Each change in the chosen language(s): [-removed-] in red, {+added+} in green."""
        styles = {"same": "{}", "cut": "[dim]{}[/]", "gone": "[red strike][-{}-][/]",
                  "new": "[green]{{+{}+}}[/]"}
        lines = []
        for part in parts:
            if part.lang and self.lang not in ("both", part.lang):
                continue
            if part.spacing_only:
                body = escape(in_lang("（只改了空白或换行）", "(only spacing or line breaks)",
                                      self.lang))
            else:
                body = "".join(styles[p.kind].format(escape(printable(p.text)))
                               for p in part.pieces)
            label = f"{part.lang}: " if part.lang and self.lang == "both" else ""
            lines.append(Wrapped.markup(f"[dim]{label}[/]{body}" if label else body))
        return lines

    def _left(self, view: CardView) -> str:
        """Anki's three numbers: new (blue), relearning (red), review (green) left."""
        new, relearning, review = view.left
        if view.mode.kind != "review" or not (new or relearning or review):
            return ""
        names = in_lang("新 / 重学 / 复习", "new / relearn / review", self.lang)
        return (f"[dim]{escape(names)}[/] [bold blue]{new}[/] [dim]·[/] "
                f"[bold red]{relearning}[/] [dim]·[/] [bold green]{review}[/]")

    def show_reveal(self, view: CardView) -> None:
        self.seen[view.question.id] = view.question
        if view.instance is not None:
            self._worked_solution(view)
        else:
            self._model_answer(view)
        if view.mode.seconds:
            over = view.answer_ms > view.mode.seconds * 1000
            self.note(f"用时 {view.answer_ms / 1000:.0f} 秒" + ("（超时）" if over else ""),
                      f"Answered in {view.answer_ms / 1000:.0f} s" + (" (over time)" if over
                                                                     else ""),
                      "red" if over else "dim")
        answer_change = view.change.of("answer") if view.change is not None else ()
        if answer_change:
            self.console.print(self._panel(
                Group(*self._diff_lines(answer_change)), border_style="yellow",
                title=in_lang("答案自上次复习后的改动",
                              "The answer, changed since your last review", self.lang),
                title_align="left"))
        if view.question.note is not None:
            title = in_lang(NOTE_LABEL["zh"], NOTE_LABEL["en"], self.lang)
            self.console.print(self._panel(Group(*self._texts(view.question.note)),
                                           title=title, border_style="yellow"))
        if view.instance is None:
            self._grade_legend()

    def _worked_solution(self, view: CardView) -> None:
        from quiz.numeric.typed_answers import format_value

        inst = view.instance
        verdict = (in_lang("✓ 正确", "✓ correct", self.lang) if view.correct
                   else in_lang("✗ 不正确", "✗ incorrect", self.lang))
        body = [Wrapped(verdict, "bold green" if view.correct else "bold red")]
        if view.typed:
            body.append(Wrapped(in_lang("你的答案：", "Your answer: ", self.lang) + view.typed))
        body.append(Wrapped(in_lang("标准答案：", "Expected: ", self.lang)
                            + format_value(inst.expected), "bold"))
        body += self._texts(inst.solution)
        self.console.print(self._panel(Group(*body),
                                       title=in_lang("解答", "Worked solution", self.lang),
                                       border_style="blue"))

    def _model_answer_body(self, question: Question) -> Group:
        """The brief (bold, said first in an interview), then the full answer; a blank line
        between blocks."""
        blocks = (self._texts(question.brief, "bold") if question.brief is not None else [])
        blocks += self._texts(question.answer)
        spaced: list[Any] = []
        for block in blocks:
            spaced += [RichText(""), block] if spaced else [block]
        return Group(*spaced)

    def _model_answer(self, view: CardView) -> None:
        answer = self._model_answer_body(view.question)
        mine = in_lang("你的回答", "Your answer", self.lang)
        model = in_lang("参考答案", "Model answer", self.lang)
        if view.typed and self._side_by_side():
            table = Table(expand=not self.fit, show_lines=False)
            table.add_column(mine, ratio=1)
            table.add_column(model, ratio=1)
            table.add_row(Wrapped(view.typed), answer)
            self.console.print(table)
        else:
            if view.typed:
                self.console.print(self._panel(Wrapped(view.typed), title=mine,
                                               title_align="left"))
            self.console.print(self._panel(answer, title=model, title_align="left",
                                           border_style="blue"))
        if view.covered:
            self._key_points(view)

    def _side_by_side(self) -> bool:
        """Both columns of the answer table at least SIDE_BY_SIDE cells wide, else stacked."""
        # a table of two columns spends 3 border cells and 2 × 2 padding cells
        return self.fit or (self.console.width - 7) // 2 >= SIDE_BY_SIDE

    def _key_points(self, view: CardView) -> None:
        lines = Table.grid(padding=(0, 1))
        lines.add_column(no_wrap=True)
        lines.add_column()
        for point, hit in zip(view.question.key_points, view.covered, strict=True):
            mark = "[green]✓[/]" if hit else "[red]✗[/]"
            lines.add_row(mark, Wrapped(in_lang(point.zh[0], point.en[0], self.lang)))
        hits = sum(view.covered)
        # rich cuts a title that does not fit: the suggested grade goes in the body
        shown = f"{hits}/{len(view.covered)}"
        title = in_lang(f"要点 {shown}", f"Key points {shown}", self.lang)
        body: list[Any] = [lines]
        if view.default_grade is not None:
            body.append(Wrapped(in_lang(f"建议评分 {view.default_grade}",
                                     f"Suggested grade {view.default_grade}", self.lang), "bold"))
        self.console.print(self._panel(Group(*body), title=escape(title), title_align="left",
                                       border_style="cyan", expand=False))

    def _grade_legend(self) -> None:
        """0–5 with their meaning: passing beside failing grade where both fit, else one a line."""
        entries = {grade: in_lang(zh, en, self.lang) for grade, (zh, en) in sm2.GRADES.items()}
        passing = max(cells(entries[grade]) for grade in (5, 4, 3))
        failing = max(cells(entries[grade]) for grade in (2, 1, 0))
        # grade, gap, passing text and 2 spaces, gap, grade, gap, failing text
        two_columns = self.fit or passing + failing + 7 <= self.console.width
        legend = Table.grid(padding=(0, 1))
        for _ in range(2 if two_columns else 1):
            legend.add_column(no_wrap=True)
            legend.add_column()
        if two_columns:
            for high in (5, 4, 3):  # the passing grade beside the failing one
                legend.add_row(f"[bold]{high}[/]", Wrapped(entries[high] + "  "),
                               f"[bold]{high - 3}[/]", Wrapped(entries[high - 3]))
        else:
            for grade in (5, 4, 3, 2, 1, 0):
                legend.add_row(f"[bold]{grade}[/]", Wrapped(entries[grade]))
        self.console.print(legend)

    def show_answer_error(self, exc: AnswerFormatError) -> None:
        self.console.print(Wrapped.markup(
            f"[yellow]{escape(in_lang(exc.reason_zh, exc.reason_en, self.lang))}[/] "
            + escape(in_lang("请再输入一次。", "Please try again.", self.lang))))

    def show_bad_key(self, view: CardView) -> None:
        keys = ", ".join(view.allowed_keys)
        self.note(f"请输入：{keys}", f"Please type one of: {keys}", "yellow")

    def note(self, zh: str, en: str, style: str = "dim") -> None:
        """One short line in the chosen language(s)."""
        self.console.print(Wrapped(in_lang(zh, en, self.lang), style))

    def show_graded(self, view: CardView, quality: int, state: CardState | None) -> None:
        if view.mode.kind == "practice":  # practice is not recorded in the schedule
            self.note(f"评分 {quality}（练习）", f"Graded {quality} (practice)")
        elif state is None:
            self.note(f"已记录 {quality}（今日重复）", f"Recorded {quality} (same-day repeat)")
        else:
            self.note(f"已记录 {quality}，下次 {state.due}",
                      f"Recorded {quality}; next review {state.due}")

    def show_undone(self, question: Question) -> None:
        self.note(f"已撤销上一个评分：{question.id}", f"Undid the last grade: {question.id}",
                  "yellow")

    def show_nothing_to_undo(self) -> None:
        self.note("没有可撤销的评分", "Nothing to undo", "yellow")

    def show_buried(self, question: Question) -> None:
        self.note(f"已搁置到明天：{question.id}", f"Buried until tomorrow: {question.id}")

    def show_leech(self, question: Question, lapses: int) -> None:
        self.note(f"{question.id} 已遗忘 {lapses} 次：标为难记卡（leech）并暂停；改写答案后用 "
                  f"quiz unsuspend {question.id} 恢复",
                  f"{question.id} has lapsed {lapses} times: tagged leech and suspended. Reword "
                  f"it, then bring it back with quiz unsuspend {question.id}", "yellow")

    def show_skipped(self, question: Question) -> None:
        self.note(f"已跳过：{question.id}", f"Skipped: {question.id}")

    # -- the end -------------------------------------------------------------------------

    def summary(self, day: DaySummary, ahead: Outlook, streak: int) -> None:
        """The end-of-session figures, with what is still due today and tomorrow."""
        table = Table.grid(padding=(0, 2))
        table.add_column()
        table.add_column(no_wrap=True)
        retention = f"{day.retention:.0%}" if day.retention is not None else "—"
        still = str(ahead.still_due)
        if ahead.relearning:  # each language's whole phrase: "both" joins two of them
            still = in_lang(f"{still}（含重学 {ahead.relearning}）",
                            f"{still} ({ahead.relearning} to relearn)", self.lang)
        rows = [
            (in_lang("已复习", "Reviewed", self.lang), str(day.reviewed)),
            (in_lang("新题", "New", self.lang), str(day.new)),
            (in_lang("答错", "Failed", self.lang), str(day.failed)),
            (in_lang("今日保持率", "Retention today", self.lang), retention),
            (in_lang("今天仍到期", "Still due today", self.lang), still),
            (in_lang("明天到期", "Due tomorrow", self.lang), str(ahead.tomorrow)),
        ]
        if not ahead.still_due and not ahead.tomorrow:
            rows.append((in_lang("下次到期", "Next due", self.lang), str(ahead.next_due or "—")))
        rows.append((in_lang("连续天数", "Streak", self.lang), str(streak)))
        for label, value in rows:
            table.add_row(Wrapped(label), f"[bold]{escape(value)}[/]")
        self.console.print()
        title = in_lang("今日小结", "Today's summary", self.lang)
        self.console.print(self._panel(table, title=title, border_style="green", expand=False))

    def mock_report(self, report: MockReport) -> None:
        """A mock interview's score per topic, time per question, and what to revisit."""
        score = f"{report.score:.0%}" if report.score is not None else "—"
        topics = Table(title=in_lang(f"模拟面试得分 {score}", f"Mock interview score {score}",
                                  self.lang))
        topics.add_column("topic", justify="left")
        for column in ("n", "score"):
            topics.add_column(column, justify="right", no_wrap=True)
        for topic in report.topics:
            topics.add_row(Wrapped(topic.topic), str(topic.answered), f"{topic.score:.0%}")
        answers = Table(expand=not self.fit)
        answers.add_column("#", justify="right", no_wrap=True)
        answers.add_column(in_lang("题目 / 简答", "id / in brief", self.lang), ratio=1)
        for column in ("grade", "seconds"):
            answers.add_column(column, justify="right", no_wrap=True)
        for number, answer in enumerate(report.answers, 1):
            seconds = f"{answer.seconds:.0f}" + (" ⏱" if answer.overtime else "")
            answers.add_row(str(number), self._answered(answer.question_id),
                            str(answer.quality), seconds)
        self.console.print(topics)
        self.console.print(answers)
        revisit = report.revisit
        self.note("需要再复习：" + ("、".join(revisit) if revisit else "无"),
                  "To revisit: " + (", ".join(revisit) if revisit else "none"),
                  "yellow" if revisit else "green")

    def _answered(self, question_id: str) -> Group:
        """A mock answer's question: its id, then its brief (when the session showed it)."""
        rows: list[Any] = [Wrapped(question_id, "bold")]
        question = self.seen.get(question_id)
        if question is not None and question.brief is not None:
            rows += self._texts(question.brief, "dim")
        return Group(*rows)

    def mock_history(self, history: list[MockSummary]) -> None:
        """Past mocks, oldest first, with the change from the one before."""
        if not history:
            self.note("还没有模拟面试记录", "No mock interviews yet", "yellow")
            return
        table = Table(title=in_lang("模拟面试记录", "Mock interviews", self.lang))
        for column in ("date", "answered", "score", "trend"):
            table.add_column(column, justify="left" if column == "date" else "right",
                             no_wrap=True)
        previous = None
        for item in history:
            trend = "" if previous is None else f"{(item.score - previous) * 100:+.0f}"
            table.add_row(f"{item.started.astimezone():%Y-%m-%d %H:%M}", str(item.answered),
                          f"{item.score:.0%}", trend)
            previous = item.score
        self.console.print(table)


_PRELOADING: list[object] = []  # the one thread importing the line editor, once started


def preload_line_editor() -> None:
    """Start importing the line editor (prompt_toolkit, ~90 ms) in a background thread, once,
    so that it is ready by the first answer: the imports overlap drawing the first card and
    waiting for the terminal. Importing in a thread is safe: Python's per-module import
    locks make the first use wait for an import still under way. (Started before the queue
    is built, it slowed the first card more than it sped up the prompt.)"""
    if _PRELOADING or "quiz.line_editor" in sys.modules:
        return
    import threading

    thread = threading.Thread(target=_import_line_editor, name="quiz-line-editor-import",
                              daemon=True)
    _PRELOADING.append(thread)
    thread.start()


def _import_line_editor() -> None:
    """Import quiz.line_editor (prompt_toolkit) ahead of its first use, off the main thread;
    an error is left for the main thread's own import to raise."""
    try:
        from quiz import line_editor  # noqa: F401
    except Exception:  # noqa: BLE001, S110 - reported where the editor is used
        pass
