"""A bank full of terminal escape sequences, shown through a real pseudo-terminal.

The raw bytes quiz writes are checked: colours (SGR, `ESC [ … m`) are quiz's own, and no
other sequence may reach the terminal — no OSC (title, clipboard, links), no screen clear,
no alternate screen, no cursor report request, no C1 CSI, no BEL.
"""

import re
import sys

import pexpect
import pyte
import pytest

from tests.pty_driver import ROOT, quiz_env

PAYLOADS = ["\x1b]0;pwned\x07", "\x1b]52;c;cHduZWQ=\x07", "\x1b]8;;http://x.example\x1b\\link",
            "\x1b[2J", "\x1b[?1049h", "\x1b[6n", "\x9b6n", "\x07", "\u202eevil"]
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def run(args, env, cwd):
    child = pexpect.spawn(sys.executable, ["-m", "quiz", *args], env=env, cwd=str(cwd),
                          dimensions=(40, 200), timeout=60)
    output = child.read()
    child.close()
    return child.exitstatus, output


def assert_inert(output):
    rest = SGR.sub(b"", output)
    assert b"\x1b" not in rest and b"\x07" not in rest, rest[:400]
    assert "\x9b".encode() not in rest and "\u202e".encode() not in rest


def screen_of(output):
    screen = pyte.Screen(200, 40)
    pyte.ByteStream(screen).feed(output)
    return "\n".join(line.rstrip() for line in screen.display)


@pytest.mark.slow
def test_a_bank_of_escapes_is_reported_with_the_characters_named(tmp_path):
    raw = tmp_path / "raw.yaml"
    raw.write_text("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n  - id: t-raw\n"
                   "    zh: {q: 问, a: 答}\n"
                   f"    en: {{q: Q {PAYLOADS[0]}, a: A {PAYLOADS[3]}}}\n",
                   encoding="utf-8")
    quoted = tmp_path / "quoted.yaml"
    escaped = "".join(p.encode("unicode_escape").decode() for p in PAYLOADS)
    quoted.write_text("topic: u\ntitle: {zh: 题, en: U}\nquestions:\n  - id: u-quoted\n"
                      f'    zh: {{q: 问, a: 答}}\n    en: {{q: Q, a: "{escaped}"}}\n',
                      encoding="utf-8")
    named = tmp_path / f"name{PAYLOADS[0]}.yaml"
    named.write_text("topic: [\n", encoding="utf-8")
    status, output = run(["validate", str(raw), str(quoted), str(named)],
                         quiz_env(tmp_path / "q.db"), tmp_path)
    assert status == 2
    assert_inert(output)
    shown = screen_of(output)
    assert "raw.yaml:6: column 15: the control character U+001B (ESC)" in shown
    assert "quoted.yaml:6: question 'u-quoted'.en.a contains the control character " \
           "U+001B (ESC)" in shown
    assert "name\\e]0;pwned\\x07.yaml:2: YAML syntax error" in shown


@pytest.mark.slow
@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_id_typed_on_the_command_line_is_shown_not_obeyed(tmp_path, payload):
    status, output = run(["show", f"x{payload}"], quiz_env(tmp_path / "q.db"), ROOT)
    assert status == 2
    assert_inert(output)
    assert "no question with id 'x" in screen_of(output)
