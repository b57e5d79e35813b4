"""Run a session in a pseudo-terminal and read it back as a person sees it (pyte); not tests.

Everything the session prints goes to a pyte screen tall enough that nothing scrolls away;
`screen.display` is the list of lines on it. `reading_order` reads a bordered two-column
table column by column, as a reader does, so a text's characters can be checked in order.
"""

import io
import re
import sys
import unicodedata

import pexpect
import pyte
from pty_driver import quiz_env

ROWS = 400  # tall enough for a session of a few cards: nothing scrolls off
PROMPTS = {  # a fragment of each prompt, per language
    "answer": {"zh": "可直接回车", "en": "or just Enter", "both": "or just Enter"},
    "grade": {"zh": "u 撤销", "en": "u undo", "both": "u undo"},
    "finish": {"zh": "其他键：结束", "en": "any other key: finish",
               "both": "any other key: finish"},
}
CLOSING = set("，。、；：？！）」』】》,.;:?!)")
OPENING = set("（「『【《([")
BOX = re.compile(r"[\u2500-\u259f\s]")  # box drawing, blocks (the progress bar), whitespace


def cells(text):
    """Terminal cells, by East Asian Width (an oracle independent of quiz.line_breaking)."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def flat(text):
    """The text's characters without whitespace and box drawing."""
    return BOX.sub("", text)


def spawn_session(bank, db, cols, lang, *args, command="review"):
    """`quiz <command>` in a pty of `cols` columns; its output is kept in `child.transcript`."""
    env = quiz_env(db, COLUMNS=str(cols), LINES=str(ROWS))
    child = pexpect.spawn(sys.executable, ["-m", "quiz", command, "--bank", str(bank),
                                           "--lang", lang, *args],
                          env=env, dimensions=(ROWS, cols), encoding="utf-8",
                          codec_errors="replace", timeout=30)
    child.delaybeforesend = None
    child.delayafterclose = child.delayafterterminate = 0.01
    child.transcript = io.StringIO()
    child.logfile_read = child.transcript
    return child


def wait_for(child, kind, lang):
    """Wait until the `kind` prompt (answer, grade) shows."""
    child.expect_exact(PROMPTS[kind][lang])


def type_answer(child, text):
    """Type an answer at the answer prompt and submit it."""
    child.sendline(text)


def send_grade(child, key):
    """Give a grade (or u, s, q) at the grade prompt: the ONE place that knows how keys go."""
    child.sendline(key)


def screen_of(child, cols):
    """What the terminal shows now: the lines of a pyte screen fed the whole transcript."""
    screen = pyte.Screen(cols, ROWS)
    stream = pyte.Stream(screen)
    stream.feed(child.transcript.getvalue().replace("\r\n", "\r\n"))
    return [line.rstrip() for line in screen.display]


def columns_of(line):
    """The cells between the vertical borders of a bordered line ([] when it has none)."""
    if not line.startswith(("│", "┃")):
        return []
    return re.split(r"[│┃]", line)[1:-1]


def reading_order(lines):
    """The screen's text in reading order: a table of two or more columns column by column."""
    out, index = [], 0
    while index < len(lines):
        parts = columns_of(lines[index])
        if len(parts) < 2:
            out.append(lines[index])
            index += 1
            continue
        block = []
        while index < len(lines) and len(columns_of(lines[index])) == len(parts):
            block.append(columns_of(lines[index]))
            index += 1
        for column in range(len(parts)):
            out += [row[column] for row in block]
    return "\n".join(out)


def find_in_order(haystack, pieces):
    """The pieces (whitespace aside) that do not appear, whole and in order, in `haystack`."""
    text, position, missing = flat(haystack), 0, []
    for piece in pieces:
        found = text.find(flat(piece), position)
        if found < 0:
            missing.append(piece)
        else:
            position = found + len(flat(piece))
    return missing


def short_breaks(lines, cols, paragraphs):
    """Line ends inside a paragraph of `paragraphs` where the next CJK character would fit.

    A break is checked only when the characters on both sides of it are consecutive in one
    source paragraph (so titles and paragraph ends are left alone), the next character is
    CJK and no kinsoku rule keeps it down, and the line above had two free cells for it.
    """
    sources = [flat(p) for text in paragraphs for p in text.split("\n") if p.strip()]
    found = []
    for above, below in zip(lines, lines[1:], strict=False):
        pairs = list(zip(columns_of(above), columns_of(below), strict=False))
        if not pairs and not columns_of(above) and not columns_of(below):
            pairs = [(above + " " * (cols - cells(above)) + " ", below)]  # free to the edge
        for upper, lower in pairs:
            head, tail = flat(upper), flat(lower)
            if len(head) < 4 or len(tail) < 2 or head[-1] in OPENING:
                continue
            if tail[0] in CLOSING or tail[1] in CLOSING or cells(tail[0]) != 2:
                continue
            if not any(head[-6:] + tail[:2] in source for source in sources):
                continue
            free = cells(upper) - 1 - cells(upper.rstrip())  # less the right padding cell
            if free >= 2:
                found.append((upper.rstrip(), lower.strip()))
    return found


def close(child):
    child.close(force=True)
