"""SIGKILL, 50 times: a real `quiz review` in a pseudo-terminal, killed at seeded random points.

After every kill:
- every answer confirmed by "Recorded" before the kill is in the review log, in order, and
  nothing recorded by earlier sessions is gone (reviews lost: 0);
- an answer whose grade was being sent at the moment of the kill (Enter pressed, "Recorded"
  not yet seen) may or may not be in the log: both are correct, since the kill can land
  before or after its commit; it is never there half-way or twice;
- nothing else is in the log (a typed answer without a grade is not an answer);
- `PRAGMA integrity_check` says ok on the files exactly as the killed process left them;
- the next session, which recovers those files, starts normally (checked by the next kill's
  session reaching its first card, and at the end by a session that quits cleanly).

Two chains of sessions, each on its own database, start their processes together to use
both cores; the kill points come from a fixed seed.
"""

import os
import random
import signal
import time

import pexpect
import pytest
from pty_driver import (
    GRADE,
    SUMMARY,
    answer_card,
    integrity,
    make_bank,
    next_prompt,
    quiz_env,
    rows,
    spawn_review,
)

pytestmark = pytest.mark.slow  # ~20 s of real processes killed in a pty

CHAINS = 2
KILLS_PER_CHAIN = 25
MODES = ["startup", "card", "typing", "answer-sent", "reveal", "bad-key", "grade-sent",
         "grade-sent", "recorded"]
WORDS = ["pooling", "stride", "梯度", "dropout", "残差", "ReLU", "1×1", "attention"]


class Chain:
    """One database and the sessions killed on it, one after another."""

    def __init__(self, number, tmp_path, bank):
        self.number = number
        self.db = tmp_path / f"chain{number}.db"
        self.env = quiz_env(self.db)
        self.bank = bank
        self.rng = random.Random(4000 + number)
        self.log = []  # (answer, quality) the database must hold, in order
        self.child = None
        self.started = 0.0
        self.kills = 0
        self.in_flight = {"kept": 0, "not kept": 0}

    def spawn(self):
        self.child = spawn_review(self.bank, self.env, "--new", "1000")
        self.started = time.monotonic()

    def text(self, k, i):
        return f"c{self.number}k{k}a{i} {self.rng.choice(WORDS)}"

    def drive_and_kill(self, k, mode):
        """Answer some cards, stop at the `mode` point, SIGKILL; what must / may be logged."""
        child, rng = self.child, self.rng
        confirmed, maybe = [], None
        if mode == "startup":  # somewhere in start-up: imports, bank, opening or creating the db
            time.sleep(max(0.0, self.started + rng.uniform(0, 0.8) - time.monotonic()))
        else:
            for i in range(rng.randint(1 if mode == "recorded" else 0, 4)):
                kind = next_prompt(child)
                confirmed.append(answer_card(child, kind, self.text(k, i), rng.choice("012345")))
            if mode != "recorded":
                kind = next_prompt(child)
                text = self.text(k, "x")
                if mode == "typing":
                    child.send(text[: rng.randint(1, len(text))])
                elif mode == "answer-sent":
                    child.sendline(text if kind == "open" else "")
                elif mode == "reveal":
                    child.sendline(text if kind == "open" else "")
                    child.expect(["Model answer", "Worked solution"])
                elif mode == "bad-key":
                    child.sendline(text if kind == "open" else "")
                    child.expect(GRADE)
                    child.sendline("x")
                    child.expect("Please type one of")
                elif mode == "grade-sent":
                    maybe = answer_card(child, kind, text, rng.choice("012345"), confirm=False)
                    time.sleep(rng.choice([0.0, 0.05]))  # usually before / after the commit
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
        child.close()
        assert child.signalstatus == signal.SIGKILL, (mode, child.exitstatus, child.before)
        return confirmed, maybe

    def check(self, mode, confirmed, maybe):
        logged = rows(self.db)
        assert logged[: len(self.log)] == self.log, "an earlier answer was lost"
        new = logged[len(self.log):]
        allowed = [confirmed] + ([[*confirmed, maybe]] if maybe else [])
        assert new in allowed, (mode, confirmed, maybe, new)
        if maybe is not None:
            self.in_flight["kept" if len(new) > len(confirmed) else "not kept"] += 1
        assert integrity(self.db) == "ok"
        self.log = logged
        self.kills += 1


def test_fifty_kills_lose_no_confirmed_answer(tmp_path):
    bank = make_bank(tmp_path / "bank", extra=240)
    chains = [Chain(n, tmp_path, bank) for n in range(CHAINS)]
    for k in range(KILLS_PER_CHAIN):
        plan = []
        for chain in chains:
            chain.spawn()  # all start together: start-up is most of a session's cost
            plan.append((chain, "startup" if k == 0 and chain.number == 0
                         else chain.rng.choice(MODES)))
        plan.sort(key=lambda item: item[1] != "startup")  # their clock is already running
        for chain, mode in plan:
            confirmed, maybe = chain.drive_and_kill(k, mode)
            chain.check(mode, confirmed, maybe)
    assert sum(c.kills for c in chains) == CHAINS * KILLS_PER_CHAIN == 50
    answers = sum(len(c.log) for c in chains)
    in_flight = {key: sum(c.in_flight[key] for c in chains) for key in ("kept", "not kept")}
    print(f"\n50 kills survived; {answers} answers kept, 0 lost; "
          f"grades in flight at the kill: {in_flight}")
    assert answers >= 50  # the kills did land in the middle of real sessions
    for chain in chains:  # the next session starts normally and ends cleanly
        chain.spawn()
        next_prompt(chain.child)
        chain.child.sendline("")
        chain.child.expect(GRADE)
        chain.child.sendline("q")
        chain.child.expect(SUMMARY)
        chain.child.expect(pexpect.EOF)
        chain.child.close()
        assert chain.child.exitstatus == 0
        assert rows(chain.db) == chain.log
