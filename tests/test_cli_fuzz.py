"""The CLI fuzzed: random arguments for every command, in-process, on a temp database with
the bundled banks. Whatever the arguments, quiz exits 0, 1 or 2 with no traceback.

Arguments come from a seeded generator that knows each command's real options (from
`typer.main.get_command(app)`) and mixes well-formed values with hostile ones: huge and
negative numbers, 1e308, NaN, empty text, control characters, CJK, long names, dates out of
range, paths that are folders, missing or `-`. A case that runs past ALARM_SECONDS counts as a
failure too (a hang is a crash that takes longer).
"""

import os
import random
import signal
import string
from collections import Counter

import pytest
import typer.main
from typer.testing import CliRunner

from quiz.cli import app
from quiz.numeric import calc as calculator
from quiz.numeric.solutions import find

CASES = 2400
ALARM_SECONDS = 20
COMMANDS = typer.main.get_command(app).commands
# the share of values drawn from the hostile lists (FUZZ_HOSTILE=0.6 to hunt harder)
HOSTILE = float(os.environ.get("FUZZ_HOSTILE", "0.3"))
TOPICS = ["fundamentals", "cnn", "rnn", "optimizers", "activations", "training"]
TAGS = ["adam", "attention", "backpropagation", "batch-normalization", "autoencoder"]
QUESTION_IDS = ["fundamentals-linear-params", "training-gd-step", "cnn-translation-invariance",
                "rnn-lstm-vanishing-gradient", "training-iterations-per-epoch",
                "regularization-inverted-dropout-scale", "generative-autoencoder-types"]
SMALL = ["0", "1", "2", "3", "5", "10", "20", "30", "60", "100"]

NUMBERS = ["0", "1", "2", "3", "7", "-1", "-0", "10", "100", "2147483648", "9" * 30,
           "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "0.5", "1.5", "3/4", "0x10",
           "1_000", "١٢", "²", " 3", "", "abc", "1e400"]
TEXTS = ["", " ", "a", "zh", "en", "both", "EN", "中文", "\x1b[2J", "\x00", "\t", "a" * 300,
         "--", "-", "--help", "'", '"', "{x}", "%s", "\u202e", "\ud800", "🙂"]
DATES = ["2026-12-20", "2030-01-01", "2026-02-30", "0001-01-01", "9999-12-31", "3000-01-01",
         "soon", "", "2026-1-1", "20261220", "2026-12-20T10:00", "2999-12-31", "2000-01-01"]


def paths(tmp):
    return [str(tmp / "fuzz.db"), str(tmp), str(tmp / "sub" / "new.db"), "-", "",
            str(tmp / ("n" * 300)), "/dev/null", str(tmp / "out.csv"), "out.md", "out.apkg",
            "/proc/self/status", str(tmp / "bank.yaml"), str(tmp / "sub"), "\x1b]0;t\x07.csv"]
    # not "/": a bank search of the whole filesystem is issue 12's bank part (its own test)


def value_for(param, rng, tmp):
    """A well-formed value for `param` most of the time, a hostile one otherwise."""
    good = rng.random() >= HOSTILE
    name = param.name
    if good:
        plain = {"interview": ["2026-12-20", "2027-01-15", "2030-06-01"],
                 "lang": ["zh", "en", "both"], "topic": TOPICS, "tag": TAGS,
                 "question_id": QUESTION_IDS, "question_ids": QUESTION_IDS,
                 "fmt": ["anki", "csv", "md"],
                 "file": ["-", "-", str(tmp / "out.csv"), "out.md", str(tmp / "deck.apkg")],
                 "name": calculator.names(), "db": [str(tmp / "fuzz.db")],
                 "bank": [str(tmp / "bank.yaml")], "paths": [str(tmp / "bank.yaml")]}
        if name in plain:
            return rng.choice(plain[name])
        if type(param.type).__name__ in ("IntRange", "IntParamType"):
            return rng.choice(SMALL)
    if name in ("question_id", "question_ids") and rng.random() < 0.5:
        return rng.choice(QUESTION_IDS)
    kind = type(param.type).__name__
    if name == "interview":
        return rng.choice(DATES)
    if name in ("lang",):
        return rng.choice(["zh", "en", "both", *TEXTS])
    if name in ("topic", "tag"):
        return rng.choice(TOPICS + TEXTS)
    if name == "question_id":
        return rng.choice(["x", "", "-", "../etc/passwd", *TEXTS])
    if name == "fmt":
        return rng.choice(["anki", "csv", "md", "md", "csv", *TEXTS])
    if name == "file":
        return rng.choice(["-", "-", *paths(tmp)])
    if name == "name":
        return rng.choice(calculator.names() + TEXTS)
    if kind in ("TyperPath", "Path"):
        if name == "bank" and rng.random() < 0.5:
            return str(tmp / "bank.yaml")
        return rng.choice(paths(tmp))
    if kind in ("IntRange", "IntParamType", "FloatParamType", "FloatRange"):
        return rng.choice(NUMBERS)
    return rng.choice(TEXTS + NUMBERS)


CALC_GOOD = {"name": ["sigmoid", "tanh", "relu"], "mode": ["max", "avg"],
             "matrix": ["1 2; 3 4", "1 2 3; 4 5 6; 7 8 9"], "xs": ["1 2 3", "0.5 -1"],
             "bias": ["true", "false"], "drop_last": ["true", "false"],
             "ceil_mode": ["true", "false"], "x": ["0.5", "-2", "0"], "theta": ["1.5"],
             "grad": ["0.2", "-3"], "lr": ["0.1", "0.01"], "a": ["2", "0.5"], "b": ["1", "-1"],
             "p": ["0.5", "0.1", "0.9"]}


def calc_words(name, rng):
    """The check's own options, with good values mostly (`quiz calc conv --size 32 …`)."""
    check = find(name)
    if check is None or rng.random() < 0.1:
        return [rng.choice(NUMBERS + TEXTS) for _ in range(rng.randint(0, 3))]
    arguments = list(check.arguments)
    if name == "iterations" and rng.random() < 0.5:
        arguments.append("epochs")
    words = []
    for argument in arguments:
        if rng.random() < 0.15:
            continue
        if rng.random() < HOSTILE:
            value = rng.choice(NUMBERS + TEXTS)
        else:
            value = rng.choice(CALC_GOOD.get(argument, SMALL[1:]))
        words += [f"--{argument.replace('_', '-')}", value]
    return words


def arguments(command_name, rng, tmp):
    command = COMMANDS[command_name]
    words = [command_name]
    positional = [p for p in command.params if p.param_type_name == "argument"]
    options = [p for p in command.params if p.param_type_name == "option"]
    for param in positional:
        if rng.random() < 0.97:
            words.append(value_for(param, rng, tmp))
    for param in rng.sample(options, k=rng.randint(0, min(len(options), 4))):
        flag = rng.choice(param.opts)
        if getattr(param, "is_flag", False):
            words.append(flag)
            continue
        for _ in range(rng.randint(1, 2) if param.multiple else 1):
            if rng.random() < 0.02:
                words.append(flag)  # an option with its value missing
            else:
                words += [flag, value_for(param, rng, tmp)]
    if command_name == "calc":
        words += calc_words(words[1] if len(words) > 1 else "", rng)
    if rng.random() < 0.03:
        words.append(rng.choice(["--nope", "extra", "-x", "--db"]))
    if rng.random() < 0.03:
        tail = words[1:]
        rng.shuffle(tail)
        words[1:] = tail
    return words


def typed_input(rng):
    keys = ["4", "5", "0", "2", "u", "s", "q", "", "x", "1e308", "\x1b[6n", "中文", "3/4"]
    return "".join(rng.choice(keys) + "\n" for _ in range(rng.randint(0, 8)))


class Hang(Exception):
    pass


def on_alarm(signum, frame):
    raise Hang(f"still running after {ALARM_SECONDS} s")


def crash_class(result):
    """A short name for what went wrong, or None: the exception's type and where it rose."""
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" if tb else "?"
        return f"{type(exc).__name__} at {where}: {str(exc)[:80]}"
    if "Traceback" in result.output:
        return "a traceback in the output"
    if result.exit_code not in (0, 1, 2):
        return f"exit code {result.exit_code}"
    return None


@pytest.mark.slow
def test_random_arguments_for_every_command(tmp_path, monkeypatch):
    (tmp_path / "bank.yaml").write_text("topic: t\ntitle: {zh: 题, en: T}\nquestions: []\n",
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # relative export targets land here
    env = {"QUIZ_DB": str(tmp_path / "fuzz.db"), "QUIZ_BANKS": None, "QUIZ_BUNDLED": None,
           "QUIZ_LANG": None, "QUIZ_ROLLOVER": None, "COLUMNS": "120"}
    rng = random.Random(20261201)
    names = sorted(COMMANDS)
    classes, examples, per_command = Counter(), {}, Counter()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        for case in range(CASES):
            name = names[case % len(names)]  # every command gets its share
            args = arguments(name, rng, tmp_path)
            signal.alarm(ALARM_SECONDS)
            try:
                result = CliRunner().invoke(app, args, input=typed_input(rng), env=env)
            finally:
                signal.alarm(0)
            per_command[name] += 1
            found = crash_class(result)
            if found:
                classes[found] += 1
                examples.setdefault(found, args)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert sum(per_command.values()) >= 2000 and set(per_command) == set(COMMANDS)
    report = "\n".join(f"{n} × {c}\n    e.g. {examples[c]!r}" for c, n in classes.most_common())
    assert not classes, f"{len(classes)} classes of crash:\n{report}"


def test_the_generator_covers_every_option():
    rng = random.Random(1)
    import pathlib

    seen = set()
    for case in range(600):
        name = sorted(COMMANDS)[case % len(COMMANDS)]
        seen.update((name, w) for w in arguments(name, rng, pathlib.Path("/tmp"))
                    if w.startswith("--"))
    wanted = {(n, o) for n, c in COMMANDS.items() for p in c.params
              if p.param_type_name == "option" for o in p.opts}
    assert wanted <= seen
    assert string.ascii_letters  # the module's imports are all used
