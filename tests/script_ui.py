"""A scripted `SessionUI` for tests: replies come from a function, events are recorded."""

from collections.abc import Callable
from typing import Any

from quiz.session import CardView, Command

Reply = Callable[[str, CardView], "str | Command | None"]
Record = Callable[[str, Any], None]
Finish = Callable[[CardView], bool]


class ScriptUI:
    """Answers each read with `reply(kind, view)` (kind: answer, numeric, grade; an answer
    may be a `Command`) and passes every event to `record(event, payload)`, as
    `("graded", (view, quality, state))`. After the last card, `finish(view)` says whether
    to undo its grade (by default: never)."""

    def __init__(self, reply: Reply, record: Record | None = None,
                 finish: Finish | None = None) -> None:
        self.reply = reply
        self.record = record or (lambda event, payload: None)
        self.finish = finish or (lambda view: False)

    def read_answer(self, view):
        return self.reply("answer", view)

    def read_numeric(self, view):
        return self.reply("numeric", view)

    def read_grade(self, view):
        return self.reply("grade", view)

    def read_finish(self, view):
        self.record("finish", view)
        return self.finish(view)

    def show_card(self, view):
        self.record("card", view)

    def show_reveal(self, view):
        self.record("reveal", view)

    def show_answer_error(self, error):
        self.record("answer_error", error)

    def show_bad_key(self, view):
        self.record("bad_key", view)

    def show_graded(self, view, quality, state):
        self.record("graded", (view, quality, state))

    def show_undone(self, question):
        self.record("undone", question)

    def show_nothing_to_undo(self):
        self.record("nothing_to_undo", None)

    def show_buried(self, question):
        self.record("buried", question)

    def show_leech(self, question, lapses):
        self.record("leech", question)

    def show_skipped(self, question):
        self.record("skipped", question)
