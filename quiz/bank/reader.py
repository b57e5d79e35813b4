"""YAML banks → questions, with every problem reported as `file:line: message`.

What a bank may hold, beyond the schema:

- At most MAX_FILE_BYTES (files.py) and MAX_NODES values per file, at most MAX_DEPTH
  levels of nesting; no anchors or aliases, no tags beyond YAML's plain scalar ones. The
  limits are checked before the document is composed, so a hostile file costs little.
- No control characters, raw or escaped ("\\e", "\\x9b"): C0 controls but tab and line feed,
  DEL, C1 controls, the bidi embeddings, overrides, isolates and marks (they reorder what a
  terminal shows: an answer could read differently from what it says), U+2028/U+2029.
  Line feeds only in multi-line text (questions, answers, briefs, notes). Each is reported
  at its line with the character named (`U+001B (ESC)`).
- Text is what was written: a plain `yes`, `off`, `1:30`, `0x1F` or `010` in a text field
  stays that text (YAML 1.1 would make it True, False, 90, 31, 8). Numeric params and
  tolerances still read plain scalars as YAML 1.1 numbers.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quiz.bank import lengths
from quiz.bank.files import MAX_FILE_BYTES, BankFileError, bank_files, read_bank_bytes
from quiz.errors import BankError
from quiz.lang import BANK_LANGS
from quiz.model import KeyPoint, NumericSpec, Question, Source, Text, Topic
from quiz.numeric import templates as numeric
from quiz.printable import UNSAFE

try:  # the C parser is several times faster on large banks
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

NULL_TAG = "tag:yaml.org,2002:null"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML that reads every plain scalar as text, except an empty value, `~` and `null`.

    YAML 1.1 would read `yes`, `off` as booleans, `1:30` as 90, `0x1F` as 31 and `010` as 8:
    text fields must keep what was written. Where a number is meant (numeric params and
    tolerances) the reader resolves plain scalars itself (see `_Reader.plain`).
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == NULL_TAG]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
        if any(tag == NULL_TAG for tag, _ in resolvers)}


# YAML 1.1's own resolution of a plain scalar, for the places that hold numbers.
_NUMBER_RESOLVER = yaml.resolver.Resolver()

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
PLAIN_TAGS = SCALAR_TAGS | {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
MAX_DEPTH = 1000  # nesting levels; banks need fewer than ten
MAX_NODES = 200_000  # values, lists and mappings a file (~2,500 full questions); bundled: 1,700
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


@dataclass(frozen=True)
class Loaded:
    """What a study command loads: the bank of every sound file, and what was left out.

    `files` and `folders` are resolved paths: the files whose questions are in `bank`, and
    the folders searched for them. `skipped` holds every problem of the files left out (and
    of paths that could not be used), as `(file, line, message)`.
    """

    bank: Bank
    files: tuple[str, ...]
    folders: tuple[str, ...]
    skipped: tuple[tuple[str, int, str], ...]


def load_sound_files(paths: Iterable[Path], exclude: Collection[str] = ()) -> Loaded:
    """Every bank file without a problem, in order; a broken file is left out whole.

    A file that repeats an id of a file loaded before it (or one of its own) is broken too:
    its duplicate is reported where it stands, naming the first. Files whose resolved path
    is in `exclude` are not read. Never raises BankError.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_sound_files(list(paths), exclude)
    finally:
        if paused:
            gc.enable()


def _load_sound_files(paths: list[Path], exclude: Collection[str]) -> Loaded:
    files, skipped = bank_files(paths)
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    first: dict[str, Question] = {}
    loaded: list[str] = []
    for path in files:
        if exclude and _resolved(path) in exclude:
            continue
        file_topic, file_questions, problems = parse_file(path)
        if not problems:
            problems = _duplicate_ids(file_questions, dict(first))
        if problems:
            skipped += problems
            continue
        if file_topic and file_topic.id not in topics:
            topics[file_topic.id] = file_topic
        questions += file_questions
        first.update((q.id, q) for q in file_questions)
        loaded.append(_resolved(path))
    folders = tuple(_resolved(p) for p in paths if p.is_dir())
    return Loaded(bank=Bank(topics=topics, questions=tuple(questions)), files=tuple(loaded),
                  folders=folders, skipped=tuple(skipped))


def _resolved(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a link loop: the name as given
        return str(path)


@dataclass(frozen=True)
class Checked:
    """The ids of some banks checked against the other files loaded with them."""

    problems: list[tuple[str, int, str]]  # each id another file has too, where it stands
    files: int  # the other files loaded to check against


def check_against(bank: Bank, targets: Iterable[Path], others: Iterable[Path]) -> Checked:
    """`bank` (loaded from `targets`) checked for ids that a file of `others`, as a study
    command would load them, has too: review would leave one of the two files out.

    The files of `targets` are not read again; broken files of `others` are ignored, as
    review leaves them out.
    """
    files, _ = bank_files(targets)
    context = load_sound_files(others, exclude={_resolved(f) for f in files})
    if not context.files:
        return Checked([], 0)
    first = {q.id: q for q in reversed(context.bank.questions)}
    problems = [(q.file, q.line, f"duplicate id '{q.id}': {first[q.id].file}:"
                                 f"{first[q.id].line} has it too, and review loads both files; "
                                 "choose another id")
                for q in bank.questions if q.id in first]
    return Checked(problems, len(context.files))


def skipped_summary(problems: Iterable[tuple[str, int, str]]) -> str:
    """One sentence on what the skipped files' problems mean for the session."""
    files = len({path for path, _line, _message in problems})
    return (f"{files} bank file(s) left out for the problem(s) above; the rest of the bank is "
            "loaded, and the left-out questions keep their cards (check a file with: "
            "quiz validate FILE)")


def parse_file(path: Path) -> tuple[Topic | None, list[Question], list[tuple[str, int, str]]]:
    """One file's topic and questions, and its problems (questions are only valid if none)."""
    name = str(path)
    try:
        data = read_bank_bytes(path)
    except BankFileError as exc:
        return None, [], [(name, 0, str(exc))]
    return parse_text(data, name)


def parse_text(data: bytes | str, name: str) -> tuple[Topic | None, list[Question],
                                                       list[tuple[str, int, str]]]:
    """Parse one bank's text; `name` is used in messages."""
    raw_size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
    if raw_size > MAX_FILE_BYTES:
        head = data[:MAX_FILE_BYTES]
        line = (head.count(b"\n") if isinstance(head, bytes) else head.count("\n")) + 1
        return None, [], [(name, line, f"the file goes past {MAX_FILE_BYTES:,} bytes here, "
                                       "the limit for one bank file; split it into several")]
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return None, [], [(name, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                             "save the file as UTF-8")]
    control = _raw_controls(data)
    if control:
        return None, [], [(name, line, message) for line, message in control]
    try:
        structure = _structure_problem(data)
        if structure is not None:
            return None, [], [(name, *structure)]
        root = yaml.compose(data, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        last = len(_LINE_BREAK.findall(data)) + 1
        if line > last:  # libyaml puts the end of a text without a final newline past it
            line, col = last, len(data) - max(data.rfind(c) for c in "\n\r")
        what = exc.problem or exc.context or "invalid YAML"
        return None, [], [(name, line, f"YAML syntax error at column {col}: {what}"
                                       f"{_hint(exc, data)}")]
    except yaml.YAMLError as exc:
        return None, [], [(name, 1, f"YAML error: {exc}")]
    except RecursionError:
        return None, [], [(name, 1, "the YAML is nested too deeply")]
    alias = _first_alias(root) if ANCHOR_OR_ALIAS.search(data) else None
    if alias is not None:
        return None, [], [(name, alias.start_mark.line + 1,
                           "anchors and aliases (&name / *name) are not allowed in banks")]
    reader = _Reader(name, escapes_only=_RAW_BREAKS.search(data) is None)
    try:
        topic, questions = reader.bank(root)
    except RecursionError:
        return None, [], [(name, 1, "the YAML is nested too deeply")]
    return topic, questions, reader.problems


class _Reader:
    """Walks a composed YAML node tree, turning nodes into values and noting problems."""

    def __init__(self, name: str, escapes_only: bool = False) -> None:
        self.name = name
        # Raw control characters were refused before parsing: when the file has no raw
        # NEL, U+2028 or U+2029 either (YAML keeps those in values), only the escapes of a
        # double-quoted scalar can put an unsafe character in a value.
        self.escapes_only = escapes_only
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

    def text(self, node: yaml.Node | None, what: str, parent: yaml.Node,
             multiline: bool = False) -> str | None:
        """A non-empty string, exactly as written (`010` stays `010`, `yes` stays `yes`).

        Only `multiline` text (questions, answers, notes) may hold line breaks; tabs are
        allowed everywhere, other control characters nowhere.
        """
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
        if isinstance(value, bool | int | float):  # an explicit !!int or !!bool: its text
            value = node.value
        if isinstance(value, str) and not value.strip():
            self.problem(node, f"{what} is empty")
            return None
        if isinstance(value, str) and not self.safe(node, value, what, multiline):
            return None
        return value

    def safe(self, node: yaml.Node, value: str, what: str, multiline: bool = False) -> bool:
        """True if `value` holds no control character (a problem is noted if it does).

        Raw ones are refused before parsing; these come from escapes such as "\\e" or "\\x9b".
        """
        quoted = getattr(node, "style", None) == '"'
        unsafe = UNSAFE.search(value) if quoted or not self.escapes_only else None
        if unsafe is None and (multiline or "\n" not in value):
            return True
        if unsafe is None:
            self.problem(node, f"{what} must be one line; it holds a line break")
            return False
        self.problem(node, f"{what} contains the control character "
                           f"{describe_char(unsafe.group())}; remove it")
        return False

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if self.tagged(node, what):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def plain(self, node: yaml.Node, what: str) -> Any:
        """Plain data (numbers, text, lists, mappings) for numeric params.

        Here, unlike in text, a plain scalar means what YAML 1.1 says: `3` and `0x10` are
        numbers, `yes` is true.
        """
        if isinstance(node, yaml.ScalarNode):
            if node.tag == STR_TAG and not node.style:  # plain: "" (C parser) or None
                tag = _NUMBER_RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))
                if tag in SCALAR_TAGS and tag != STR_TAG:
                    node = yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark)
            value = self.scalar(node, what)
            if isinstance(value, str) and not self.safe(node, value, what):
                return None
            return value
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, what) for item in self.sequence(node, what)]
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    self.problem(key, f"{what} has a key that is not plain text")
                elif self.safe(key, key.value, what):
                    out[key.value] = self.plain(value, f"{what}.{key.value}")
            return out
        self.problem(node, f"{what} is not plain data")
        return None

    def pair(self, node: yaml.Node | None, what: str, parent: yaml.Node,
             multiline: bool = False) -> Text | None:
        """A `{zh: ..., en: ...}` mapping of two non-empty strings."""
        if node is None:
            self.problem(parent, f"{what} is missing")
            return None
        keys = self.mapping(node, what, set(BANK_LANGS))
        zh, en = (self.text(keys.get(lang), f"{what}.{lang}", node, multiline)
                  for lang in BANK_LANGS)
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
            note=self.pair(keys["note"], "note", node, multiline=True) if "note" in keys else None,
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
        for lang in BANK_LANGS:
            if lang not in keys:
                self.problem(node, f"{label} has no '{lang}' text")
                continue
            inner = self.mapping(keys[lang], f"{label}.{lang}", allowed)
            parts[lang] = {k: self.text(inner.get(k), f"{label}.{lang}.{k}", keys[lang],
                                        multiline=True)
                           for k in sorted(required)}
            if "brief" in inner:
                briefs.append(lang)
                brief_nodes[lang] = inner["brief"]
                parts[lang]["brief"] = self.text(inner["brief"], f"{label}.{lang}.brief",
                                                 keys[lang], multiline=True)
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
            keys = self.mapping(item, "a key point", set(BANK_LANGS))
            words = {}
            for lang in BANK_LANGS:
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


def _node_bound(text: str) -> int:
    """An upper bound on the number of YAML nodes in a text, computed without parsing it.

    A node starts a line, follows an indicator (`-`, `?`, `:`, `,`, `[`, `{`) or is the
    empty value of a key; each such place holds at most two nodes.
    """
    return 2 * sum(text.count(c) for c in "\n-?:,[{") + 2


def _structure_problem(text: str) -> tuple[int, str] | None:
    """(line, message) where collections nest more than MAX_DEPTH deep or the file passes
    MAX_NODES nodes; None if neither. Reads events, so neither recursion nor nodes pile up.
    """
    if _depth_bound(text) <= _SAFE_BOUND and _node_bound(text) <= MAX_NODES:
        return None
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent | yaml.ScalarEvent):
            nodes += 1
            if nodes > MAX_NODES:
                return event.start_mark.line + 1, (
                    f"the file passes {MAX_NODES:,} values here, the limit for one bank file; "
                    "split it into several")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1, (f"the YAML is nested more than {MAX_DEPTH} "
                                                   "levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


# The characters that need a name in messages (unicodedata has none for controls).
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 9: "TAB", 10: "LF", 11: "VT", 12: "FF",
                  13: "CR", 27: "ESC", 127: "DEL", 0x85: "NEL", 0x9B: "CSI", 0x9D: "OSC"}
# In the file itself, line breaks are YAML's business: a raw CR, NEL, U+2028 or U+2029
# ends a line. Everything else unsafe (see printable.UNSAFE) is refused where it stands.
_RAW_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f"
                         "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RAW_BREAKS = re.compile("[\x85\u2028\u2029]")
MAX_CONTROL_PROBLEMS = 10


def describe_char(char: str) -> str:
    """A character as `U+001B (ESC)` or `U+202E (RIGHT-TO-LEFT OVERRIDE)`."""
    import unicodedata

    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    if not name:
        name = "a C1 control" if 0x80 <= code <= 0x9F else (
            "a surrogate" if 0xD800 <= code <= 0xDFFF else "a control character")
    return f"U+{code:04X} ({name})"


def _raw_controls(text: str) -> list[tuple[int, str]]:
    """(line, message) for the first unsafe characters written raw in the file."""
    found = []
    for match in _RAW_UNSAFE.finditer(text):
        if len(found) == MAX_CONTROL_PROBLEMS:
            found.append((found[-1][0], "… and more such characters; the file may not be "
                                        "a text file"))
            break
        line = len(_LINE_BREAK.findall(text, 0, match.start())) + 1
        column = match.start() - max(text.rfind(c, 0, match.start()) for c in "\n\r")
        found.append((line, f"column {column}: the control character "
                            f"{describe_char(match.group())} is not allowed in a bank; "
                            "remove it"))
    return found


def _hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """A likely cause of a YAML syntax error, as "; …" to append (or "")."""
    problem, context = exc.problem or "", exc.context or ""
    mark, start = exc.problem_mark, exc.context_mark
    lines = text.splitlines()
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    char = here[mark.column] if mark is not None and mark.column < len(here) else ""
    if problem.startswith("mapping values are not allowed"):
        return "; a value that contains ': ' must be quoted, like a: \"ratio: 2\""
    if problem.startswith("found character") and char == "\t":
        return "; indent with spaces, not tabs"
    if problem.startswith("found character") and char in ("@", "`", "%"):
        return f"; '{char}' cannot start a plain value: quote the text"
    if problem.startswith("found undefined alias"):
        return "; '*' starts an alias: quote text that begins with it"
    if "quoted scalar" in context and start is not None:
        return f"; the quote opened on line {start.line + 1} is not closed"
    if "flow sequence" in context or "flow mapping" in context:
        opener = "[" if "sequence" in context else "{"
        where = f" on line {start.line + 1}" if start is not None else ""
        return (f"; the '{opener}'{where} is not closed, or a value in it holds ',' or "
                "a bracket and needs quotes")
    if problem.startswith("could not find expected ':'"):
        return ("; a line that continues a value must be indented under it (or use | for "
                "text over several lines)")
    if problem.startswith("did not find expected key"):
        return "; check the indentation, or quote a value that starts with '[', '{' or '\"'"
    return ""


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


def _duplicate_ids(questions: list[Question], first: dict[str, Question] | None = None
                   ) -> list[tuple[str, int, str]]:
    """A problem at each question whose id came before (in `first`, or earlier in the list)."""
    first = {} if first is None else first
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
