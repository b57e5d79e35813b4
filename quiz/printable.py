"""Text made safe to print on a terminal: control characters shown as escapes, not obeyed.

A terminal obeys what it is sent: ESC starts sequences that set the window title (OSC 0),
write the clipboard (OSC 52), make links (OSC 8), clear the screen, switch to the alternate
screen or make the terminal type a reply into quiz's input (`ESC [6n`). Bank text is refused
at validation when it holds such characters (see `bank/reader.py`); everything else quiz prints —
typed answers read back from the database, file names and paths, error messages, ids typed on
the command line — goes through `printable` first.

Usage, anywhere text is about to be printed::

    from quiz.printable import printable
    console.print(escape(printable(answer, multiline=True)))

The function is pure and cheap (a regex search on clean text), so call it on every string
that did not come from a validated bank.
"""

from __future__ import annotations

import re

# C0 controls (but tab and line feed), DEL, C1 controls (some terminals obey them when
# UTF-8 encoded: U+009B is a CSI), the bidi embeddings, overrides and isolates (they reorder
# what is shown, "Trojan source"), the line and paragraph separators, and lone surrogates
# (a file name with bytes that are not UTF-8 decodes to them; printing one raises).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                    "\u2028\u2029\u2066-\u2069\ud800-\udfff]")
_UNSAFE_OR_NEWLINE = re.compile(UNSAFE.pattern[:-1] + "\n]")
_SHORT = {"\r": "\\r", "\n": "\\n", "\x1b": "\\e"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, multiline: bool = False) -> str:
    """`text` (str() of it) with every unsafe character shown as an escape such as `\\e`.

    Tabs are kept; line feeds too when `multiline` (an answer), else shown as `\\n` (a
    file name or a one-line message must stay on its line). Safe text comes back unchanged.
    """
    value = text if isinstance(text, str) else str(text)
    pattern = UNSAFE if multiline else _UNSAFE_OR_NEWLINE
    if pattern.search(value) is None:
        return value
    return pattern.sub(_shown, value)
