"""YAML banks → questions, with every problem reported as `file:line: message`."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quiz import lengths, numeric
from quiz.bank_files import bank_files
from quiz.errors import BankError
from quiz.model import LANGS, KeyPoint, NumericSpec, Question, Source, Text, Topic

try:  # the C parser is several times faster on large banks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOP_KEYS = {"topic", "title", "questions"}
QUESTION_KEYS = {"id", "type", "tags", "zh", "en", "sources", "note", "key_points",
                 "check", "params", "constraints", "tolerance"}
NUMERIC_ONLY = {"check", "params", "constraints", "tolerance"}
SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
STR_TAG = "tag:yaml.org,2002:str"
# An anchor or alias starts a token: at a line start, after a space or a flow indicator.
# Text without one cannot contain either, and skips the walk that looks for them.
ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,])[&*][^\s\[\]{},]", re.MULTILINE)
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks
PLAIN_TAGS = SCALAR_TAGS | {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
MAX_DEPTH = 1000  # nesting levels; banks need fewer than ten
# libyaml's C composer recurses on the C stack without a limit: a few kilobytes of `- - - …`
# crash the process. Below this bound on the depth (see _depth_bound) composing is safe.
_SAFE_BOUND = 5000


@dataclass(frozen=True)
class Bank:
    """Every topic and question of the loaded bank files, in file order."""

    topics: dict[str, Topic]
    questions: tuple[Question, ...]

    def by_id(self) -> dict[str, Question]:
        """Questions keyed by id."""
        return {q.id: q for q in self.questions}


def load_bank(paths: Iterable[Path]) -> Bank:
    """Load and validate every bank file; raise BankError listing all problems, loading nothing."""
    # The parse makes millions of objects that all live until the end: the garbage
    # collector's passes over them are a quarter of the time, and free nothing.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_bank(paths)
    finally:
        if paused:
            gc.enable()


def _load_bank(paths: Iterable[Path]) -> Bank:
    files, problems = bank_files(paths)
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    for path in files:
        file_topic, file_questions, file_problems = parse_file(path)
        problems += file_problems
        if file_topic and file_topic.id not in topics:
            topics[file_topic.id] = file_topic
        questions += file_questions
    problems += _duplicate_ids(questions)
    if problems:
        raise BankError(problems)
    return Bank(topics=topics, questions=tuple(questions))


def parse_file(path: Path) -> tuple[Topic | None, list[Question], list[tuple[str, int, str]]]:
    """One file's topic and questions, and its problems (questions are only valid if none)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [], [(name, 0, f"cannot read the file: {exc.strerror or exc}")]
    return parse_text(data, name)


def parse_text(data: bytes | str, name: str) -> tuple[Topic | None, list[Question],
                                                       list[tuple[str, int, str]]]:
    """Parse one bank's text; `name` is used in messages."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return None, [], [(name, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                             "save the file as UTF-8")]
    try:
        too_deep = _too_deep(data)
        if too_deep is not None:
            return None, [], [(name, too_deep, f"the YAML is nested more than {MAX_DEPTH} "
                                               "levels deep")]
        root = yaml.compose(data, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        lines = LINE_BREAK.split(data)
        if line > len(lines):  # libyaml marks the end of a text without a final line break
            line, col = len(lines), len(lines[-1]) + 1  # on the line after it: name the last
        what = exc.problem or exc.context or "invalid YAML"
        return None, [], [(name, line, f"YAML syntax error at column {col}: {what}")]
    except yaml.YAMLError as exc:
        return None, [], [(name, 1, f"YAML error: {exc}")]
    except RecursionError:
        return None, [], [(name, 1, "the YAML is nested too deeply")]
    alias = _first_alias(root) if ANCHOR_OR_ALIAS.search(data) else None
    if alias is not None:
        return None, [], [(name, alias.start_mark.line + 1,
                           "anchors and aliases (&name / *name) are not allowed in banks")]
    reader = _Reader(name)
    try:
        topic, questions = reader.bank(root)
    except RecursionError:
        return None, [], [(name, 1, "the YAML is nested too deeply")]
    return topic, questions, reader.problems


class _Reader:
    """Walks a composed YAML node tree, turning nodes into values and noting problems."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[tuple[str, int, str]] = []
        self.constructor = yaml.constructor.SafeConstructor()  # it caches every node it reads

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append((self.name, line, message))

    def tagged(self, node: yaml.Node, what: str) -> bool:
        """True (and a problem noted) when the node carries a tag such as !!python/object."""
        if node.tag in PLAIN_TAGS:
            return False
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.problem(node, f"{what} uses the tag {tag}, which banks do not allow")
        return True

    def mapping(self, node: yaml.Node, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
        """A mapping node's keys → value nodes; unknown or repeated keys are problems."""
        if self.tagged(node, what):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value)")
            return {}
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key_node.tag not in SCALAR_TAGS:
                self.problem(key_node, f"{what} has a key that is not plain text")
            elif key in out:
                self.problem(key_node, f"{what} repeats the key '{key}'")
            elif key not in allowed:
                self.problem(key_node, f"unknown key '{key}' in {what} "
                                       f"(allowed: {', '.join(sorted(allowed))})")
            else:
                out[key] = value_node
        return out

    def scalar(self, node: yaml.Node, what: str) -> Any:
        """A plain value (text, number, boolean); anything else is a problem (None)."""
        if self.tagged(node, what):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be a single value, not a list or mapping")
            return None
        if node.tag == STR_TAG:  # most values: the constructor would only copy the text
            return node.value
        try:
            return self.constructor.construct_object(node)
        except (ValueError, KeyError, IndexError, yaml.YAMLError):  # `!!int two`, 5000 digits
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(node, f"{what} '{shown}' is not a valid {tag} value")
            return None

    def text(self, node: yaml.Node | None, what: str, parent: yaml.Node) -> str | None:
        """A non-empty string."""
        if node is None:
            self.problem(parent, f"{what} is missing")
            return None
        before = len(self.problems)
        value = self.scalar(node, what)
        if len(self.problems) > before:
            return None
        if value is None and isinstance(node, yaml.ScalarNode) and node.tag in SCALAR_TAGS:
            self.problem(node, f"{what} is empty")
            return None
        if isinstance(value, bool | int | float):
            return str(value)
        if isinstance(value, str) and not value.strip():
            self.problem(node, f"{what} is empty")
            return None
        return value

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if self.tagged(node, what):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def plain(self, node: yaml.Node, what: str) -> Any:
        """Plain data (numbers, text, lists, mappings) for numeric params."""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, what)
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, what) for item in self.sequence(node, what)]
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    out[key.value] = self.plain(value, f"{what}.{key.value}")
                else:
                    self.problem(key, f"{what} has a key that is not plain text")
            return out
        self.problem(node, f"{what} is not plain data")
        return None

    def pair(self, node: yaml.Node | None, what: str, parent: yaml.Node) -> Text | None:
        """A `{zh: ..., en: ...}` mapping of two non-empty strings."""
        if node is None:
            self.problem(parent, f"{what} is missing")
            return None
        keys = self.mapping(node, what, set(LANGS))
        zh, en = (self.text(keys.get(lang), f"{what}.{lang}", node) for lang in LANGS)
        return Text(zh=zh, en=en) if zh is not None and en is not None else None

    def bank(self, root: yaml.Node | None) -> tuple[Topic | None, list[Question]]:
        if root is None:
            self.problem(None, "the file is empty; a bank needs topic, title and questions")
            return None, []
        keys = self.mapping(root, "the bank", TOP_KEYS)
        for missing in sorted(TOP_KEYS - keys.keys()):
            if isinstance(root, yaml.MappingNode):
                self.problem(root, f"the bank needs a '{missing}' key")
        topic_id = self.text(keys["topic"], "topic", root) if "topic" in keys else None
        if topic_id is not None and not ID_PATTERN.match(topic_id):
            self.problem(keys["topic"], f"topic '{topic_id}' must be lowercase letters, digits "
                                        "and dashes")
            topic_id = None
        title = self.pair(keys["title"], "title", root) if "title" in keys else None
        questions = []
        for item in self.sequence(keys["questions"], "questions") if "questions" in keys else []:
            question = self.question(item, topic_id or "")
            if question is not None:
                questions.append(question)
        topic = Topic(id=topic_id, title=title, file=self.name) if topic_id and title else None
        return topic, questions

    def question(self, node: yaml.Node, topic: str) -> Question | None:
        keys = self.mapping(node, "a question", QUESTION_KEYS)
        before = len(self.problems)
        qid = self.text(keys.get("id"), "id", node)
        if qid is not None and not ID_PATTERN.match(qid):
            self.problem(keys["id"], f"id '{qid}' must be lowercase letters, digits and dashes "
                                     "(like cnn-pooling-purpose)")
        kind = self.text(keys["type"], "type", node) if "type" in keys else "open"
        if kind not in ("open", "numeric"):
            self.problem(keys["type"], f"type must be 'open' or 'numeric', not '{kind}'")
            return None
        label = f"question '{qid}'" if qid else "a question"
        prompt, answer, brief = self.texts(keys, node, label, with_answer=kind == "open")
        spec = None
        if kind == "numeric":
            spec = self.numeric_spec(keys, node, label, prompt)
        else:
            for key in sorted(NUMERIC_ONLY & keys.keys()):
                self.problem(keys[key],
                             f"'{key}' belongs to numeric questions; add 'type: numeric'")
        question = Question(
            id=qid or "", topic=topic, prompt=prompt, answer=answer, type=kind,
            tags=tuple(self.strings(keys["tags"], "tags")) if "tags" in keys else (),
            sources=self.sources(keys["sources"]) if "sources" in keys else (),
            note=self.pair(keys["note"], "note", node) if "note" in keys else None,
            numeric=spec, key_points=self.key_points(keys.get("key_points")),
            file=self.name, line=node.start_mark.line + 1, brief=brief)
        return question if len(self.problems) == before else None

    def texts(self, keys: dict[str, yaml.Node], node: yaml.Node, label: str,
              with_answer: bool) -> tuple[Text | None, Text | None, Text | None]:
        """The question (and, for open questions, the answer and its optional brief) in
        both languages."""
        parts: dict[str, dict[str, str | None]] = {}
        required = {"q", "a"} if with_answer else {"q"}
        allowed = required | {"brief"} if with_answer else required
        briefs: list[str] = []
        brief_nodes: dict[str, yaml.Node] = {}
        for lang in LANGS:
            if lang not in keys:
                self.problem(node, f"{label} has no '{lang}' text")
                continue
            inner = self.mapping(keys[lang], f"{label}.{lang}", allowed)
            parts[lang] = {k: self.text(inner.get(k), f"{label}.{lang}.{k}", keys[lang])
                           for k in sorted(required)}
            if "brief" in inner:
                briefs.append(lang)
                brief_nodes[lang] = inner["brief"]
                parts[lang]["brief"] = self.text(inner["brief"], f"{label}.{lang}.brief",
                                                 keys[lang])
        if len(briefs) == 1:
            missing = "en" if briefs == ["zh"] else "zh"
            self.problem(keys[briefs[0]], f"{label} has a '{briefs[0]}' brief but no "
                                          f"'{missing}' brief: give both or neither")
        if len(parts) < 2 or any(v is None for p in parts.values() for v in p.values()):
            return None, None, None
        prompt = Text(zh=parts["zh"]["q"], en=parts["en"]["q"])
        answer = Text(zh=parts["zh"]["a"], en=parts["en"]["a"]) if with_answer else None
        brief = (Text(zh=parts["zh"]["brief"], en=parts["en"]["brief"])
                 if len(briefs) == 2 else None)
        if brief is not None:
            for lang, message in lengths.brief_problems(brief, label):
                self.problem(brief_nodes[lang], message)
        return prompt, answer, brief

    def numeric_spec(self, keys: dict[str, yaml.Node], node: yaml.Node, label: str,
                     prompt: Text | None) -> NumericSpec | None:
        if "check" not in keys or "params" not in keys:
            self.problem(node, f"numeric {label} needs 'check' and 'params'")
            return None
        check = self.text(keys["check"], "check", node)
        params = self.plain(keys["params"], "params")
        if not isinstance(params, dict):
            self.problem(keys["params"], "params must be a mapping of name: choices")
            return None
        constraints = (self.strings(keys["constraints"], "constraints")
                       if "constraints" in keys else [])
        tolerance = self.plain(keys["tolerance"], "tolerance") if "tolerance" in keys else None
        if check is None:
            return None
        spec = NumericSpec(check=check, params=params, constraints=tuple(constraints),
                           tolerance=tolerance)
        templates = [prompt.zh, prompt.en] if prompt else []
        for message in numeric.spec_problems(spec, templates):
            self.problem(keys["check"], f"{label}: {message}")
        return spec

    def strings(self, node: yaml.Node, what: str) -> list[str]:
        return [s for s in (self.text(item, what, node) for item in self.sequence(node, what))
                if s is not None]

    def sources(self, node: yaml.Node) -> tuple[Source, ...]:
        out = []
        for item in self.sequence(node, "sources"):
            keys = self.mapping(item, "a source", {"title", "question"})
            title = self.text(keys.get("title"), "source title", item)
            question = self.text(keys.get("question"), "source question", item)
            if title and question:
                out.append(Source(title=title, question=question))
        return tuple(out)

    def key_points(self, node: yaml.Node | None) -> tuple[KeyPoint, ...]:
        if node is None:
            return ()
        out = []
        for item in self.sequence(node, "key_points"):
            keys = self.mapping(item, "a key point", set(LANGS))
            words = {}
            for lang in LANGS:
                value = keys.get(lang)
                if value is None:
                    self.problem(item, f"a key point has no '{lang}' wording")
                elif isinstance(value, yaml.SequenceNode):
                    words[lang] = tuple(self.strings(value, f"key point {lang}"))
                else:
                    text = self.text(value, f"key point {lang}", item)
                    words[lang] = (text,) if text else ()
            if words.get("zh") and words.get("en"):
                out.append(KeyPoint(zh=words["zh"], en=words["en"]))
        return tuple(out)


def missing_briefs(bank: Bank, bundled: Path) -> list[tuple[str, int, str]]:
    """A problem for each open question of a file under `bundled` that has no brief.

    The bundled banks give every open question a brief; a learner's own bank may leave it out.
    """
    root = bundled.resolve()
    return [(q.file, q.line, f"question '{q.id}' has no brief: the bundled banks give every "
                             "open question a 'brief' in zh and en")
            for q in bank.questions
            if q.type == "open" and q.brief is None and Path(q.file).resolve().is_relative_to(root)]


def _depth_bound(text: str) -> int:
    """An upper bound on the nesting depth of a YAML text, computed without parsing it.

    Nested block collections move right at least every second level (a sequence may sit at
    its key's column), so they nest at most 2 × (longest line + 1) deep; each flow level
    opens with `[` or `{`, or is a `key: value` pair directly inside a `[`.
    """
    longest = max(map(len, text.split("\n")))
    return 2 * (longest + 1) + 2 * (text.count("[") + text.count("{"))


def _too_deep(text: str) -> int | None:
    """The line where collections nest more than MAX_DEPTH deep, or None (events, no recursion)."""
    if _depth_bound(text) <= _SAFE_BOUND:
        return None
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _first_alias(root: yaml.Node | None) -> yaml.Node | None:
    """A node reached twice (an `*alias` is the very node object of its anchor), or None."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return None


def _duplicate_ids(questions: list[Question]) -> list[tuple[str, int, str]]:
    first: dict[str, Question] = {}
    problems = []
    for question in questions:
        if question.id in first:
            other = first[question.id]
            problems.append((question.file, question.line,
                             f"duplicate id '{question.id}' (first defined at "
                             f"{other.file}:{other.line})"))
        else:
            first[question.id] = question
    return problems
