"""Fuzzed banks: whatever the bytes, a clean load or `file:line: message` problems, never a crash.

Hypothesis runs derandomized (the same cases on every machine, no example database), so a
failure in CI is a failure on a laptop too. Every case checks the same property: parse_text
returns problems that name the file and a line within the document, or valid questions.
A handful of broken files also go through a real `quiz validate` process (exit 2, every
problem as `file:line: message`, no traceback); a process, because a crash of the YAML C
extension would take the test runner down with it.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quiz.bank.reader import ID_PATTERN, load_bank, parse_text
from quiz.errors import BankError
from quiz.model import Question, Text, Topic
from quiz.numeric import templates as numeric
from quiz.printable import UNSAFE

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
NAME = "fuzzed/bank.yaml"
SEEDS = [
    (DATA / "bank" / "cnn.yaml").read_bytes(),
    (DATA / "bank" / "rnn.yaml").read_bytes(),
    (ROOT / "questions" / "03-optimizers.yaml").read_bytes(),
]
# If a !!python tag were ever obeyed, this file would appear.
PWNED = Path(tempfile.gettempdir()) / f"quiz-fuzz-pwned-{os.getpid()}"

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)

TAGGED = [
    f'!!python/object/apply:os.system ["touch {PWNED}"]',
    f"!!python/object/apply:subprocess.call [[touch, {PWNED}]]",
    "!!python/name:os.system",
    "!!python/object/new:os.system [ls]",
    "!!python/tuple [1, 2]",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [ls]",
    "!python/none ''",
    "!custom x",
    "!!binary aGVsbG8=",
    "!!timestamp 2026-03-08",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!int abc",
    "!!int ''",
    "!!float abc",
    "!!bool maybe",
    "!!null x",
    "!!str 1",
    "!!map {a: 1}",
    "!!seq [1]",
    "9" * 5000,
    "-" + "1" * 4400,
    "0x_",
    "0b_",
    "._",
    "1e99999",
    ".nan",
    "2026-03-08 04:00:00",
]
TOKENS = [t.encode() for t in TAGGED] + [
    b"&a ", b"*a", b"<<: ", b"? ", b"- ", b": ", b"[", b"]", b"{", b"}", b",", b"\"", b"'",
    b"|", b">", b"#", b"%YAML 1.1\n", b"---\n", b"...\n", b"\t", b"\r\n", b"\r", b"\n",
    b"\xef\xbb\xbf", b"\xff", b"\xfe", b"\x00", b"\x07", b"\xc2\x85", b"\xe2\x80\xa8",
    b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"  ", b"type: numeric\n", b"check: nope\n",
    b"id: cnn-one-by-one\n", b"params: {size: [", b"{size}", b"{", b"}}",
]
LINE_BREAKS = (b"\n", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def check(data, name=NAME):
    """The property every case must meet; returns the problems."""
    topic, questions, problems = parse_text(data, name)
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    last_line = sum(raw.count(b) for b in LINE_BREAKS) + 1
    for where, line, message in problems:
        assert where == name
        assert isinstance(line, int) and 1 <= line <= last_line, (line, message)
        assert isinstance(message, str) and message.strip()
    if not problems:
        assert_valid(topic, questions, name)
    event("clean load" if not problems else "file:line problems")
    assert not PWNED.exists()
    return problems


def assert_valid(topic, questions, name):
    """A clean load: a topic and well-formed questions, numeric ones drawable."""
    assert isinstance(topic, Topic) and ID_PATTERN.match(topic.id)
    assert isinstance(topic.title, Text) and topic.title.zh.strip() and topic.title.en.strip()
    for q in questions:
        assert isinstance(q, Question) and ID_PATTERN.match(q.id)
        assert q.topic == topic.id and q.file == name and q.line >= 1
        for text in (q.prompt, q.answer, q.note):
            if text is not None:
                assert all(isinstance(s, str) and s.strip() for s in (text.zh, text.en))
        assert all(isinstance(t, str) for t in q.tags)
        texts = [q.id, *q.tags, topic.title.zh, topic.title.en,
                 *(s for t in (q.prompt, q.answer, q.note, q.brief) if t for s in (t.zh, t.en)),
                 *(s for src in q.sources for s in (src.title, src.question))]
        assert not [t for t in texts if UNSAFE.search(t)]  # nothing a terminal would obey
        assert q.type in ("open", "numeric")
        assert (q.answer is None) == (q.type == "numeric") == (q.numeric is not None)
        assert len(q.fingerprint()) == 12
        if q.numeric is not None:
            numeric.instantiate(q, 0)


# -- strategies -----------------------------------------------------------------------------


@st.composite
def mutated(draw):
    """A real bank with a few bytes replaced, inserted, deleted or repeated."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["token", "token", "byte", "insert", "delete", "repeat"]))
        if op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "byte" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 80))]
    return bytes(data)


BASE = yaml.load(SEEDS[0].decode("utf-8"), Loader=yaml.CSafeLoader)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


PATHS = list(_paths(BASE))[1:]
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.binary(max_size=6) | st.sampled_from(["", " ", "x", "Bad_Id", "{size}", "nope"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def wrong_types(draw):
    """The good bank with values replaced by other types, keys dropped or added, then dumped."""
    import copy

    bank = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = bank
        try:
            for step in path[:-1]:
                parent = parent[step]
            op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
            if op == "replace":
                parent[path[-1]] = draw(JUNK)
            elif op == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
            elif isinstance(parent, list):
                parent.append(draw(JUNK))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed this path
    flow = draw(st.sampled_from([None, True, False]))
    text = yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    return text.encode("utf-8")


def _nest(style, depth):
    if style == "flow-seq":
        return "[" * depth + "1" + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if style == "flow-unclosed":
        return "[{a: " * depth
    if style == "dashes":
        return "- " * depth + "x"
    if style == "pairs":
        return "[a: " * depth + "1" + "]" * depth
    # block mappings, one level per line (quadratic in size: keep it shallow)
    depth = min(depth, 400)
    return "\n" + "".join("  " * (i + 1) + "k:\n" for i in range(depth)) + "  " * (depth + 1) + "v"


@st.composite
def deeply_nested(draw):
    """Collections nested from a few to 100,000 levels, at the top or inside a question."""
    depth = draw(st.sampled_from([2, 50, 400, 999, 1000, 1001, 3000, 20_000, 40_000, 100_000])
                 | st.integers(1, 5000))
    nest = _nest(draw(st.sampled_from(["flow-seq", "flow-map", "flow-unclosed", "dashes",
                                       "pairs", "block"])), depth)
    where = draw(st.sampled_from(["top", "params", "question", "answer", "unknown"]))
    base = SEEDS[0].decode("utf-8")
    if where == "top":
        return nest.encode()
    if where == "params":
        return base.replace("params: {size: [28, 32, 64]",
                            "params: {deep: " + nest + ", size: [28, 32, 64]").encode()
    if where == "answer":
        return base.replace("a: 在不改变空间尺寸", "a: " + nest + "\n#").encode()
    if where == "unknown":
        return (base + "extra: " + nest + "\n").encode()
    return (base + "  - " + nest + "\n").encode()


@st.composite
def huge(draw):
    """Huge strings, numbers, keys and banks."""
    size = draw(st.sampled_from([10_000, 100_000, 1_000_000, 3_000_000]))
    base = SEEDS[0].decode("utf-8")
    kind = draw(st.sampled_from(["answer", "int", "float", "key", "id", "questions", "line"]))
    if kind == "answer":
        return base.replace("Output side length?", "x" * size).encode()
    if kind == "int":
        return base.replace("stride: [1, 2]", f"stride: [1, {'7' * (size // 100)}]").encode()
    if kind == "float":
        return base.replace("stride: [1, 2]", f"stride: [1, 1.{'5' * size}]").encode()
    if kind == "key":
        return base.replace("tags: [conv]", f"{'k' * size}: 1").encode()
    if kind == "id":
        return base.replace("id: cnn-one-by-one", f"id: {'a-' * (size // 2)}b").encode()
    if kind == "line":
        return ("# " + "#" * size + "\n").encode() + SEEDS[0]
    many = "".join(f"  - id: q-{i}\n    zh: {{q: 问{i}, a: 答}}\n    en: {{q: Q{i}, a: A}}\n"
                   for i in range(size // 1000))
    return (base.split("questions:")[0] + "questions:\n" + many).encode()


@st.composite
def aliased(draw):
    """Anchors and aliases: billion laughs, merge keys, unknown and recursive aliases."""
    levels = draw(st.integers(1, 12))
    kind = draw(st.sampled_from(["laughs", "merge", "scalar", "unknown", "recursive", "unused"]))
    head = "topic: cnn\ntitle: {zh: 卷积, en: Conv}\n"
    if kind == "laughs":
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
        return (head + "\n".join(lines) + f"\nquestions: *a{levels - 1}\n").encode()
    if kind == "merge":
        return (head + "base: &b {zh: {q: 问, a: 答}}\nquestions:\n"
                "  - <<: *b\n    id: m\n    en: {q: Q, a: A}\n").encode()
    if kind == "scalar":
        return SEEDS[0].replace(b"topic: cnn", b"topic: &t cnn").replace(
            b"tags: [conv]", b"tags: [*t]")
    if kind == "unknown":
        return SEEDS[0].replace(b"tags: [conv]", b"tags: [*nowhere]")
    if kind == "recursive":
        return (head + "questions: &q [*q]\n").encode()
    return SEEDS[0].replace(b"tags: [conv]", b"tags: &unused [conv]")  # an anchor alone


@st.composite
def tagged(draw):
    """A value of the good bank replaced by a tagged one (!!python/…, !!int abc, …)."""
    lines = SEEDS[draw(st.integers(0, 1))].decode("utf-8").split("\n")
    keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*-?\s*\w+: \S", line)]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.sampled_from(keyed))
        key = lines[i].split(": ", 1)[0]
        lines[i] = f"{key}: {draw(st.sampled_from(TAGGED))}"
    return "\n".join(lines).encode()


@st.composite
def encoded(draw):
    """The good bank (or a broken one) re-encoded: BOM, CRLF, tabs, UTF-16, Latin-1, …"""
    data = draw(st.sampled_from(SEEDS) | mutated())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["bom", "crlf", "cr", "tabs", "utf16", "latin1", "nel",
                                    "trailing", "str", "bad-byte"]))
        if how == "bom":
            data = b"\xef\xbb\xbf" + data
        elif how == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif how == "cr":
            data = data.replace(b"\n", b"\r")
        elif how == "tabs":
            data = data.replace(b"  ", b"\t", draw(st.integers(1, 20)))
        elif how == "utf16":
            data = data.decode("utf-8", "replace").encode("utf-16")
        elif how == "latin1":
            data = data.decode("utf-8", "replace").encode("latin-1", "replace")
        elif how == "nel":
            data = data.replace(b"\n", "\u2028".encode(), draw(st.integers(1, 5)))
        elif how == "trailing":
            data = data + draw(st.binary(max_size=20))
        elif how == "bad-byte":
            at = draw(st.integers(0, len(data)))
            bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
            data = data[:at] + bad + data[at:]
    if draw(st.booleans()):
        return data
    return data.decode("utf-8", "replace")  # parse_text also takes text


CHECK_NAMES = sorted(numeric.CHECKS)
EXTREMES = st.sampled_from([0, 1, -1, 2, 3, 7, 10**6, 10**35, -(10**35), 2**63, 0.5, -0.0,
                            1e-300, 1e300, 1.7e308, float("inf"), float("nan"), True, None,
                            "", "x", "relu", "sigmoid", "max", [], [1], [[1, 2], [3]]])
NUMBERS = st.integers(-1000, 1000) | st.floats(allow_nan=True, allow_infinity=True) | EXTREMES


@st.composite
def param_value(draw):
    kind = draw(st.sampled_from(["fixed", "choices", "range", "vector", "matrix", "junk"]))
    if kind == "fixed":
        return draw(NUMBERS)
    if kind == "choices":
        return draw(st.lists(NUMBERS, max_size=5))
    if kind == "junk":
        return draw(JUNK)
    spec = {key: draw(NUMBERS) for key in ("min", "max", "step") if draw(st.booleans())}
    if kind == "vector":
        spec["length"] = draw(st.integers(-1, 25) | EXTREMES)
    elif kind == "matrix":
        spec["rows"], spec["cols"] = draw(st.integers(0, 22)), draw(st.integers(0, 22))
    return spec


TEMPLATE_PIECES = ["{size}", "{kernel}", "{x}", "{name}", "{xs}", "{matrix}", "{lr:.2f}",
                   "{size!r}", "{0}", "{}", "{size[0]}", "{size.real}", "{{", "}}", "{", "}",
                   "{size:{kernel}}", "{size:q}", "{nope}", "{size:>30}", "text ", "中文 "]
CONSTRAINTS = ["kernel <= size", "size > 0", "size / 0 > 1", "size ** 2 > 1", "size()",
               "__import__('os')", "x if x else y", "size <= " * 60 + "1", "1", "not size",
               "size and kernel", "(" * 200 + "1" + ")" * 200, "size % 0 == 0", "'a' * 9 < x",
               "size < 1e308 * 1e308", "nope > 1", "", "x < 'a'", "lambda: 1"]


NUMERIC_BASES = [q for q in load_bank([ROOT / "questions"]).questions if q.numeric is not None]


@st.composite
def numeric_templates(draw):
    """A bundled numeric question with a param, constraint, tolerance or template gone wrong."""
    base = draw(st.sampled_from(NUMERIC_BASES))
    spec = base.numeric
    question = {"id": "fuzz-numeric", "type": "numeric", "check": spec.check,
                "params": dict(spec.params), "constraints": list(spec.constraints),
                "zh": {"q": base.prompt.zh}, "en": {"q": base.prompt.en}}
    if spec.tolerance is not None:
        question["tolerance"] = dict(spec.tolerance)
    for _ in range(draw(st.integers(1, 2))):
        what = draw(st.sampled_from(["param", "param", "range", "extra", "check", "constraint",
                                     "tolerance", "template"]))
        name = draw(st.sampled_from(sorted(question["params"]) or ["size"]))
        if what == "param":
            question["params"][name] = draw(param_value())
        elif what == "range":
            question["params"][name] = {
                "min": draw(st.integers(-10, 10) | EXTREMES),
                "max": draw(st.sampled_from([10, 10**6, 10**30, 10**35, 10**400, 1e300])
                            | EXTREMES),
                **({"step": draw(st.sampled_from([1, 2, 0.5, 1e-300, 1e-20, 0]) | EXTREMES)}
                   if draw(st.booleans()) else {})}
        elif what == "extra":
            question["params"][draw(st.sampled_from(["extra", "x", "size", "lr"]))] = draw(NUMBERS)
        elif what == "check":
            question["check"] = draw(st.sampled_from(CHECK_NAMES + ["nope", ""]))
        elif what == "constraint":
            question["constraints"].append(draw(st.sampled_from(CONSTRAINTS)))
        elif what == "tolerance":
            question["tolerance"] = draw(st.sampled_from(
                [{"rel": 0.01}, {"abs": -1}, {"rel": None}, {"x": 1}, [1], 0.1, {"rel": 1e308}]))
        else:
            lang = draw(st.sampled_from(["zh", "en"]))
            question[lang]["q"] += draw(st.sampled_from(TEMPLATE_PIECES))
    bank = {"topic": "fuzz", "title": {"zh": "模糊", "en": "Fuzz"}, "questions": [question]}
    return yaml.safe_dump(bank, allow_unicode=True, sort_keys=False).encode("utf-8")


UNSAFE_CHARS = ["\x00", "\x07", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9b", "\x9d",
                "\u061c", "\u200f", "\u202a", "\u202e", "\u2028", "\u2066", "\u2069"]
ESCAPES = ["\\e", "\\a", "\\0", "\\x1b", "\\x9b", "\\u202e", "\\N", "\\L", "\\P",
           "\\b", "\\v", "\\f", "\\r", "\\U0000202E"]


@st.composite
def control_characters(draw):
    """A good bank with control characters written raw anywhere, or escaped in a value."""
    text = SEEDS[draw(st.integers(0, 1))].decode("utf-8")
    if draw(st.booleans()):  # raw, anywhere (a comment, a key, a value, the indentation)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(UNSAFE_CHARS)) + text[at:]
        return text.encode("utf-8"), True
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*-?\s*\w+: [^\s\[{|>]", line)]
    i = draw(st.sampled_from(keyed))
    key, value = lines[i].split(": ", 1)
    escape = draw(st.sampled_from(ESCAPES))
    lines[i] = f'{key}: "{escape}{value.replace(chr(92), "").replace(chr(34), "")}"'
    return "\n".join(lines).encode("utf-8"), False


# -- the properties -------------------------------------------------------------------------


@pytest.mark.slow
@settings(FUZZ, max_examples=200)
@given(control_characters())
def test_control_characters_are_refused_wherever_they_are(case):
    data, raw = case
    problems = check(data)
    if not raw:  # an escape in a value: refused, with the character named
        assert any("control character U+" in message for _, _, message in problems), problems
    elif not any(c in data.decode("utf-8") for c in ("\x85", "\u2028")):
        assert problems  # raw NEL and U+2028 are YAML line breaks: refused only in values


@pytest.mark.slow
@settings(FUZZ, max_examples=500)
@given(mutated())
def test_mutated_bytes(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=250)
@given(wrong_types())
def test_wrong_types(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=120)
@given(deeply_nested())
def test_deep_nesting(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=30)
@given(huge())
def test_huge_values(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(aliased())
def test_anchors_and_aliases(data):
    problems = check(data)
    if b"*" in data:  # every alias is refused, whatever it points at
        assert problems


@pytest.mark.slow
@settings(FUZZ, max_examples=150)
@given(tagged())
def test_tags(data):
    problems = check(data)
    if b"python/" in data:  # refused: as a tag, or by a syntax error around it
        assert problems
        if not any("YAML" in message for _, _, message in problems):
            assert any("python" in message for _, _, message in problems)


@pytest.mark.slow
@settings(FUZZ, max_examples=150)
@given(encoded())
def test_encodings(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=300)
@given(numeric_templates())
def test_numeric_templates(data):
    check(data)


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(st.lists(st.sampled_from(SEEDS) | mutated() | tagged() | wrong_types(),
                min_size=1, max_size=3))
def test_load_bank_from_files_loads_all_or_nothing(contents):
    """Through real files: a Bank, or one BankError naming each file and a line ≥ 1."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(contents):
            path = Path(tmp) / f"b{i}.yaml"
            path.write_bytes(data)
            paths.append(path)
        try:
            bank = load_bank(paths)
        except BankError as exc:
            assert exc.problems
            assert all(p in {str(x) for x in paths} and line >= 1 for p, line, _ in exc.problems)
        else:
            for q in bank.questions:
                assert q.file in {str(x) for x in paths}


# -- a real `quiz validate` -------------------------------------------------------------------


BROKEN = {
    "deep-dashes.yaml": b"topic: cnn\nquestions:\n" + b"- " * 60_000 + b"x\n",
    "deep-flow.yaml": b"topic: [" + b"[" * 100_000 + b"\n",
    "python-tag.yaml": SEEDS[0].replace(
        b"tags: [conv]", f'tags: !!python/object/apply:os.system ["touch {PWNED}"]'.encode()),
    "bad-int.yaml": SEEDS[0].replace(b"stride: [1, 2]", b"stride: [1, !!int two]"),
    "huge-int.yaml": SEEDS[0].replace(b"stride: [1, 2]", b"stride: [1, " + b"9" * 5000 + b"]"),
    "list-key.yaml": SEEDS[0].replace(b"params: {", b"params: {[a, b]: 1, "),
    "bomb.yaml": (DATA / "broken" / "bomb.yaml").read_bytes(),
    "latin1.yaml": "topic: cnn\ntitle: {zh: 卷积, en: Conv}\nquestions: []\n# café\n".encode(
        "latin-1", "replace"),
    "utf16.yaml": SEEDS[1].decode("utf-8").encode("utf-16"),
    "tabs.yaml": SEEDS[0].replace(b"    ", b"\t"),
    "dot.yaml": SEEDS[0].replace(b"topic: cnn", b"topic: ._"),
}


def test_quiz_validate_reports_file_and_line_and_exits_2(tmp_path):
    """One real process for every broken file: all reported, each as file:line: message."""
    paths = []
    for name, data in sorted(BROKEN.items()):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "quiz", "validate", *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QUIZ_BUNDLED": "0", "COLUMNS": "200",
             "NO_COLOR": "1"},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert lines[-1] == f"Error: {len(lines) - 1} problem(s) in the bank; nothing was loaded"
    where = re.compile(rf"^({'|'.join(re.escape(str(p)) for p in paths)}):[1-9]\d*: \S")
    assert all(where.match(line) for line in lines[:-1]), lines
    assert {where.match(line).group(1) for line in lines[:-1]} == set(map(str, paths))
    assert not PWNED.exists()


@pytest.mark.parametrize("change", ["bom", "crlf", "cr", "bom+crlf", "text"])
def test_a_good_bank_still_loads_with_a_bom_or_other_line_endings(change):
    for seed in SEEDS:
        data = seed
        if "bom" in change:
            data = b"\xef\xbb\xbf" + data
        if "crlf" in change:
            data = data.replace(b"\n", b"\r\n")
        if change == "cr":
            data = data.replace(b"\n", b"\r")
        if change == "text":
            data = data.decode("utf-8")
        topic, questions, problems = parse_text(data, NAME)
        expected = parse_text(seed, NAME)
        assert problems == [] and topic == expected[0]
        assert [(q.id, q.prompt, q.answer, q.line) for q in questions] == [
            (q.id, q.prompt, q.answer, q.line) for q in expected[1]]
