"""What changed in a question since its card was last reviewed: a compact, readable diff.

The unit of the diff is a word in Latin text and a character in Chinese (which has no spaces
to split words at); punctuation is a unit of its own, runs of white space count as one space.
Long unchanged stretches are cut to a few units of context on each side of a change, so
the notice stays a line or two however long the answer is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from quiz.lang import BANK_LANGS
from quiz.model import Question

# A Latin word (letters and digits, with inner ' - . as in don't, non-linear, 1.5), a run of
# white space, or any other single character: a Chinese character, a punctuation mark.
_TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['’.\-][0-9A-Za-z\u00c0-\u024f]+)*|\s+|.",
                    re.DOTALL)
CONTEXT = 16  # characters of unchanged text kept on each side of a change, when cut


@dataclass(frozen=True)
class Piece:
    """A run of the diff: `same` (unchanged), `gone` (removed), `new` (added) or `cut` (an
    unchanged stretch left out, shown as …)."""

    kind: str
    text: str


@dataclass(frozen=True)
class PartChange:
    """One changed text: `part` is question, answer or exercise (a numeric question's check
    and params), `lang` zh or en ("" for the exercise)."""

    part: str
    lang: str
    pieces: tuple[Piece, ...]

    @property
    def spacing_only(self) -> bool:
        """Only white space or line breaks changed: nothing to show."""
        return all(p.kind in ("same", "cut") for p in self.pieces)


@dataclass(frozen=True)
class TextChange:
    """What changed in a question, part by part (question first)."""

    parts: tuple[PartChange, ...]

    def of(self, *parts: str) -> tuple[PartChange, ...]:
        """The changes to these parts."""
        return tuple(p for p in self.parts if p.part in parts)

    @property
    def what(self) -> tuple[str, ...]:
        """The parts that changed, in order: question, answer, exercise."""
        return tuple(dict.fromkeys(p.part for p in self.parts))


def tokens(text: str) -> list[str]:
    """`text` cut into diff units: words, Chinese characters, punctuation; spaces as " "."""
    return [" " if t.isspace() else t for t in _TOKEN.findall(text)]


def diff(old: str, new: str, context: int = CONTEXT) -> tuple[Piece, ...]:
    """The change from `old` to `new`, unchanged stretches cut to `context` characters."""
    before, after = tokens(old.strip()), tokens(new.strip())
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    pieces: list[Piece] = []
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            pieces += _context(before[i1:i2], context, first=index == 0,
                               last=index == len(opcodes) - 1)
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("gone", "".join(before[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("new", "".join(after[j1:j2])))
    return tuple(_spaces_outside(pieces))


def _spaces_outside(pieces: list[Piece]) -> list[Piece]:
    """An added or removed run between two unchanged ones, with a space on one side inside it
    and one outside on the other, gives its space to the unchanged text: `is {+max+} pooling`,
    not `is {+max +}pooling` (the other text then shows one space more, never one less)."""
    out = list(pieces)
    for index in range(1, len(out) - 1):
        before, piece, after = out[index - 1], out[index], out[index + 1]
        if piece.kind not in ("gone", "new") or "same" != before.kind or "same" != after.kind:
            continue
        if not piece.text.strip():
            continue
        if piece.text.endswith(" ") and before.text.endswith(" "):
            out[index] = Piece(piece.kind, piece.text.rstrip(" "))
            out[index + 1] = Piece("same", " " + after.text.lstrip(" "))
        elif piece.text.startswith(" ") and after.text.startswith(" "):
            out[index] = Piece(piece.kind, piece.text.lstrip(" "))
            out[index - 1] = Piece("same", before.text.rstrip(" ") + " ")
    return out


def _context(units: list[str], context: int, *, first: bool, last: bool) -> list[Piece]:
    """An unchanged stretch: whole if short, else its ends that touch a change, around a cut
    (only where the cut saves as much as it keeps: a short stretch reads better whole)."""
    text = "".join(units)
    if len(text) <= (2 * context if first or last else 3 * context):
        return [Piece("same", text)]
    head = "" if first else _take(units, context)
    tail = "" if last else _take(units[::-1], context, reverse=True)
    return [p for p in (Piece("same", head), Piece("cut", "…"), Piece("same", tail)) if p.text]


def _take(units: list[str], limit: int, reverse: bool = False) -> str:
    """Whole units from the start of `units` up to `limit` characters (at least one)."""
    taken: list[str] = []
    size = 0
    for unit in units:
        if taken and size + len(unit) > limit:
            break
        taken.append(unit)
        size += len(unit)
    return "".join(taken[::-1] if reverse else taken)


def text_change(old: Question, new: Question) -> TextChange:
    """What changed from `old` to `new` (the same question's id at two times)."""
    parts: list[PartChange] = []
    for part, before, after in (("question", old.prompt, new.prompt),
                                ("answer", old.answer, new.answer)):
        for lang in BANK_LANGS:
            was = before.get(lang) if before is not None else ""
            now = after.get(lang) if after is not None else ""
            if was != now:
                parts.append(PartChange(part, lang, diff(was, now)))
    was, now = _exercise(old), _exercise(new)
    if was != now:
        parts.append(PartChange("exercise", "", diff(was, now)))
    return TextChange(tuple(parts))


def _exercise(question: Question) -> str:
    spec = question.numeric
    if spec is None:
        return ""
    params = "; ".join(f"{name}: {value}" for name, value in sorted(spec.params.items()))
    return f"{spec.check} ({params})"


def plain(pieces: tuple[Piece, ...]) -> str:
    """The diff as text, in `git diff --word-diff` style: [-removed-]{+added+}."""
    marks = {"same": "{}", "cut": "{}", "gone": "[-{}-]", "new": "{{+{}+}}"}
    return "".join(marks[p.kind].format(p.text) for p in pieces)
