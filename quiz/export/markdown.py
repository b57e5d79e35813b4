"""Flashcards as a Markdown study sheet: a table of contents, then each topic's questions.

Written for GitHub's renderer and for printing: every question is a `### id` heading (its
anchor is the id), answers keep their bullet lists, corrections are block quotes, worked
solutions are code blocks, and text is escaped so that formulas such as `x_i * w < 0`
come out as written: HTML shows as text, and a line of bank text that starts with `#`, `=`,
`-`, `+`, `>` or `1.` (where the bank did not mean a list item) never becomes a heading, a
list or a quote. Tags are code spans fenced by more backticks than they contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import TextIO

from quiz.export.selection import Flashcard, source_lines
from quiz.lang import langs
from quiz.model import NOTE_LABEL, Question, Text, Topic

LABELS = {
    "question": {"zh": "问", "en": "Q"},
    "answer": {"zh": "答", "en": "A"},
    "brief": {"zh": "简答", "en": "In short"},
    "note": NOTE_LABEL,
    "sources": {"zh": "出处", "en": "Sources"},
    "example": {"zh": "例", "en": "Example"},
    "contents": {"zh": "目录", "en": "Contents"},
    "sheet": {"zh": "学习单", "en": "study sheet"},
    "questions": {"zh": "道题", "en": "questions"},
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BULLET = re.compile(r"^(\s*)([-*+]|\d+[.)]) ")
_BLOCK_START = re.compile(r"[#=+-]|\d+(?=[.)])")  # what would start a heading, list or rule
_BACKTICKS = re.compile(r"`+")


def label(key: str, lang: str, sep: str = " · ") -> str:
    """A heading word in the chosen language(s)."""
    return sep.join(LABELS[key][code] for code in langs(lang))


def escape_inline(text: str) -> str:
    """Text with Markdown's inline syntax escaped, and what would start a block at its
    start (`#`, `=`, `-`, `+`, `1.`); leading spaces kept as no-break spaces."""
    text = _ENTITY.sub("&amp;", _SPECIAL.sub(r"\\\1", text)).replace("\t", "    ")
    stripped = text.lstrip(" ")
    start = _BLOCK_START.match(stripped)
    if start is not None:  # `\#` and `1\.` are plain `#` and `1.` to every renderer
        at = start.end() if start.group()[0].isdigit() else 0
        stripped = stripped[:at] + "\\" + stripped[at:]
    return "&nbsp;" * (len(text) - len(stripped)) + stripped


def code_span(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds (CommonMark's rules: a
    fence longer than any run inside; a space inside it when the text starts or ends with a
    backtick, or starts and ends with a space, as the renderer strips one from each end)."""
    text = " ".join(text.split("\n"))
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    spaced = text.startswith(" ") and text.endswith(" ") and text.strip(" ")
    pad = " " if text.startswith("`") or text.endswith("`") or spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(text: str, info: str = "text") -> str:
    """`text` as a fenced code block, with a fence longer than any backtick run inside."""
    fence = "`" * max(3, max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def block(text: str) -> str:
    """Multi-line bank text as Markdown: bullet lines stay lists, other lines keep their breaks."""
    out: list[str] = []
    previous = None  # "list", "text" or None after a blank line
    for raw in text.strip("\n").split("\n"):
        if not raw.strip():
            out.append("\n\n")
            previous = None
            continue
        bullet = _BULLET.match(raw)
        kind = "list" if bullet else "text"
        if bullet:
            line = f"{bullet.group(1)}{bullet.group(2)} {escape_inline(raw[bullet.end():])}"
        else:
            line = escape_inline(raw)
        if previous == "text" and kind == "text":
            out.append("\\\n")  # a hard line break
        elif previous == "list" and kind == "text":
            out.append("\n\n")  # or the line would join the list item
        elif previous is not None:
            out.append("\n")
        out.append(line)
        previous = kind
    return "".join(out)


def _texts(text: Text | None, lang: str) -> list[tuple[str, str]]:
    return [(code, text.get(code)) for code in langs(lang)] if text else []


def _prompt(card: Flashcard, lang: str) -> list[str]:
    return [f"**{LABELS['question'][code]}** {block(text)}" for code, text in
            _texts(card.prompt, lang)]


def question_section(question: Question, cards: list[Flashcard], lang: str) -> str:
    """One question: its heading, its text and answer (or its examples), note and sources."""
    parts = [f"### {question.id}"]
    if question.tags:
        parts.append(" ".join(code_span(f"#{tag}") for tag in question.tags))
    if question.numeric is None:
        card = cards[0]
        parts += _prompt(card, lang)
        for code, text in _texts(question.brief, lang):  # the brief is said first
            parts.append(f"**{LABELS['brief'][code]}** **{escape_inline(' '.join(text.split()))}**")
        for code, text in _texts(card.answer, lang):
            parts += [f"**{LABELS['answer'][code]}**", block(text)]
    else:
        for n, card in enumerate(cards, 1):
            parts.append(f"**{label('example', lang)} {n}**")
            parts += _prompt(card, lang)
            parts.append(f"**{label('answer', lang)}** = {escape_inline(card.answer.en)}")
            solution = "\n\n".join(t for _, t in _texts(card.solution, lang))
            parts.append(code_block(solution))
    for code, text in _texts(question.note, lang):
        quoted = "\n".join(f"> {line}" if line else ">" for line in block(text).split("\n"))
        parts.append(f"> ⚠️ **{LABELS['note'][code]}**\n>\n{quoted}")
    if question.sources:
        lines = "\n".join(f"- {escape_inline(line)}" for line in source_lines(question.sources))
        parts.append(f"{label('sources', lang)}:\n\n{lines}")
    return "\n\n".join(parts)


def write_markdown(cards: Iterable[Flashcard], topics: Mapping[str, Topic], out: TextIO, *,
                   lang: str = "both") -> int:
    """Write the study sheet to `out`; the number of questions in it."""
    groups = [list(group) for _, group in groupby(cards, key=lambda c: c.question.id)]
    by_question = [(group[0].question, group) for group in groups]
    by_topic = [(t, list(group)) for t, group in groupby(by_question, key=lambda p: p[0].topic)]
    count = len(by_question)
    out.write(f"# quiz — {label('sheet', lang)}\n\n")
    out.write(" · ".join(f"{count} {LABELS['questions'][c]}" for c in langs(lang)) + "\n\n")
    out.write(f"## {label('contents', lang)}\n\n")
    for topic, questions in by_topic:
        out.write(f"- [{escape_inline(_title(topic, topics, lang))}](#topic-{topic}) "
                  f"({len(questions)})\n")
        for question, _ in questions:
            first = question.prompt.get(langs(lang)[0]).split("\n")[0]
            if question.numeric is not None:  # the template's {placeholders} mean nothing here
                first = re.sub(r"\{[^}]*\}", "…", first)
            out.write(f"  - [{question.id}](#{question.id}) {escape_inline(first)}\n")
    for topic, questions in by_topic:
        out.write(f'\n<a id="topic-{topic}"></a>\n\n## {escape_inline(_title(topic, topics, lang))}'
                  "\n")
        for question, group in questions:
            out.write("\n" + question_section(question, group, lang) + "\n")
    return count


def _title(topic: str, topics: Mapping[str, Topic], lang: str) -> str:
    if topic not in topics:
        return topic
    return " · ".join(topics[topic].title.get(code) for code in langs(lang))
