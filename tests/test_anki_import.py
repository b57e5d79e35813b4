"""`quiz import anki`: packages written by quiz's export and by Anki's own library, read back."""

import re
import sqlite3
import zipfile
from datetime import date, timedelta

import pytest
import yaml
from anki.collection import Collection, ExportAnkiPackageOptions
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from quiz.bank.reader import load_bank
from quiz.config import today as quiz_today
from quiz.errors import UsageError
from quiz.export import selection as export
from quiz.importing.anki_import import GRADES
from quiz.importing.anki_package import read_package
from quiz.importing.html_text import html_to_text
from quiz.importing.imported import NEEDS_TRANSLATION, ImportedQuestion, bilingual, key_hash
from quiz.model import Text
from quiz.store import Store

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env


invoke = run_cli


@pytest.fixture
def anki(tmp_path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    if col.db:
        col.close()


def add_basic(col, front, back, tags=()):
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = front, back
    note.tags = list(tags)
    col.add_note(note, col.decks.id("Deep Learning::Basics"))
    return note


def write_package(col, path, legacy=False):
    col.export_anki_package(out_path=str(path), options=ExportAnkiPackageOptions(
        with_scheduling=True, with_media=True, legacy=legacy), limit=None)
    return path


def bank_of(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def by_front(path):
    return {q["en"]["q"] if q["en"]["q"] else q["zh"]["q"]: q for q in bank_of(path)["questions"]}


# -- quiz → Anki → quiz ---------------------------------------------------------------------


def trimmed(text):
    return None if text is None else (text.zh.rstrip("\n"), text.en.rstrip("\n"))


def test_export_anki_then_import_anki_gives_back_the_same_questions(tmp_path, bank_dir):
    deck = tmp_path / "deck.apkg"
    assert invoke("export", "anki", deck, "--bank", bank_dir).exit_code == 0
    out = tmp_path / "back.yaml"
    result = invoke("import", "anki", deck, "--out", out, "--topic", "back")
    assert result.exit_code == 0, result.output
    assert "numeric instance of quiz's" in result.stderr  # instances stay in their template
    assert invoke("validate", out).exit_code == 0
    original = [q for q in load_bank([bank_dir]).questions if q.type == "open"]
    imported = load_bank([out]).questions
    assert len(imported) == len(original)
    for old, new in zip(original, imported, strict=True):
        # A `|` block's final line break is YAML's, not the text's: the export drops it too.
        assert [trimmed(t) for t in (new.prompt, new.answer, new.brief, new.note)] == [
            trimmed(t) for t in (old.prompt, old.answer, old.brief, old.note)]
        assert new.sources == old.sources
        assert new.tags == (*old.tags, old.topic)  # the export tags each note with its topic
        assert new.id.startswith("anki-") and new.id.endswith(key_hash(export.note_guid(old.id)))


# -- packages written by Anki ---------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b-zstd", "legacy-anki21"])
def test_a_package_written_by_anki_imports(anki, tmp_path, legacy):
    add_basic(anki, "什么是 <b>Dropout</b>？<br>请解释&nbsp;一下", "训练时随机丢弃&lt;神经元&gt;",
              tags=["dl::reg"])
    add_basic(anki, "<div>What does batch norm do?</div>",
              "<ul><li>normalises activations</li><li>per mini-batch</li></ul>")
    cloze = anki.new_note(anki.models.by_name("Cloze"))
    cloze["Text"] = "Adam keeps {{c1::a running mean}} and {{c2::a running variance::what?}}."
    anki.add_note(cloze, 1)
    package = write_package(anki, tmp_path / "deck.apkg", legacy=legacy)
    member = "collection.anki21" if legacy else "collection.anki21b"
    assert member in zipfile.ZipFile(package).namelist()
    out = tmp_path / "dl.yaml"
    result = invoke("import", "anki", package, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Imported 3 note(s)" in result.output and "topic basics" in result.output
    assert invoke("validate", out).exit_code == 0
    questions = bank_of(out)["questions"]
    dropout, norm, adam = questions
    assert dropout["zh"] == {"q": "什么是 Dropout？\n请解释 一下", "a": "训练时随机丢弃<神经元>"}
    assert dropout["en"] == dropout["zh"]  # one language: copied, and tagged
    assert dropout["tags"] == ["dl::reg", NEEDS_TRANSLATION]
    assert dropout["id"].startswith("anki-dropout-")
    assert norm["en"] == {"q": "What does batch norm do?",
                          "a": "- normalises activations\n- per mini-batch"}
    assert adam["en"]["q"] == "Adam keeps […] and [what?]."
    assert adam["en"]["a"] == "Adam keeps a running mean and a running variance."


def test_a_collection_package_imports_too(anki, tmp_path):
    add_basic(anki, "What is a residual connection?", "y = x + F(x)")
    anki.export_collection_package(str(tmp_path / "all.colpkg"), include_media=False,
                                   legacy=False)
    collection = read_package(tmp_path / "all.colpkg")
    assert collection.source == "collection.anki21b"
    assert [n.fields for n in collection.notes] == [("What is a residual connection?",
                                                     "y = x + F(x)")]


def test_field_mapping_options_choose_what_is_asked(anki, tmp_path):
    add_basic(anki, "dog", "狗")
    package = write_package(anki, tmp_path / "d.apkg")
    out = tmp_path / "words.yaml"
    assert invoke("import", "anki", package, "--out", out, "--front", "back", "--back",
                  "Front").exit_code == 0
    (question,) = bank_of(out)["questions"]
    assert question["zh"] == {"q": "狗", "a": "dog"}
    result = invoke("import", "anki", package, "--out", tmp_path / "x.yaml", "--front", "Nope")
    assert result.exit_code == 2
    assert "notes of type 'Basic' were not imported" in result.stderr
    assert "its fields are Front, Back" in result.stderr


def test_media_references_are_listed_as_warnings(anki, tmp_path):
    add_basic(anki, 'Which curve is this? <img src="relu.png">', "ReLU [sound:relu.mp3]")
    out = tmp_path / "m.yaml"
    result = invoke("import", "anki", write_package(anki, tmp_path / "m.apkg"), "--out", out)
    assert result.exit_code == 0
    assert "Warning: 2 media file(s) are not imported" in result.stderr
    assert "relu.mp3, relu.png" in result.stderr
    (question,) = bank_of(out)["questions"]
    assert question["en"] == {"q": "Which curve is this? [image relu.png]",
                              "a": "ReLU [sound relu.mp3]"}


# -- importing again ------------------------------------------------------------------------


def test_importing_again_updates_in_place_and_keeps_a_translation(anki, tmp_path):
    first = add_basic(anki, "What is weight decay?", "An L2 penalty on the weights.")
    add_basic(anki, "What is early stopping?", "Stop when validation loss rises.")
    out = tmp_path / "reg.yaml"
    assert invoke("import", "anki", write_package(anki, tmp_path / "1.apkg"), "--out",
                  out).exit_code == 0
    before = bank_of(out)
    # The learner translates one question in the file, and adds a brief.
    translated = before["questions"][0]
    translated["zh"] = {"q": "什么是权重衰减？", "brief": "权重的 L2 惩罚。",
                        "a": "对权重加 L2 惩罚。"}
    translated["en"]["brief"] = "An L2 penalty."
    translated["tags"] = []
    out.write_text(yaml.safe_dump(before, allow_unicode=True, sort_keys=False), encoding="utf-8")
    first["Back"] = "An L2 penalty on the weights, added to the loss."
    anki.update_note(first)
    add_basic(anki, "What is label smoothing?", "Soft targets.")
    result = invoke("import", "anki", write_package(anki, tmp_path / "2.apkg"), "--out", out)
    assert result.exit_code == 0
    assert "3 note(s)" in result.output and "1 new, 1 updated, 1 unchanged" in result.output
    after = bank_of(out)["questions"]
    assert [q["id"] for q in after[:2]] == [q["id"] for q in before["questions"]]
    assert len(after) == 3 and len({q["id"] for q in after}) == 3
    assert after[0]["en"] == {"q": "What is weight decay?", "brief": "An L2 penalty.",
                              "a": "An L2 penalty on the weights, added to the loss."}
    assert after[0]["zh"]["q"] == "什么是权重衰减？"  # the translation is kept
    assert "tags" not in after[0]
    assert after[1]["tags"] == [NEEDS_TRANSLATION]
    assert invoke("validate", out).exit_code == 0
    again = invoke("import", "anki", tmp_path / "2.apkg", "--out", out)
    assert "0 new, 0 updated, 3 unchanged" in again.output


def test_a_broken_bank_at_out_is_not_overwritten(anki, tmp_path):
    add_basic(anki, "Q?", "A.")
    out = tmp_path / "mine.yaml"
    out.write_text("topic: mine\ntitle: {zh: 我的, en: Mine}\nquestions:\n  - id: Bad Id\n",
                   encoding="utf-8")
    result = invoke("import", "anki", write_package(anki, tmp_path / "p.apkg"), "--out", out)
    assert result.exit_code == 2
    assert f"{out}:4:" in result.stderr and "nothing was loaded" in result.stderr
    assert "Bad Id" in out.read_text(encoding="utf-8")


# -- history --------------------------------------------------------------------------------


def answer(col, note, *eases):
    card = note.cards()[0]
    for ease in eases:
        card.start_timer()
        col.sched.answerCard(card, ease)
    return card


def test_with_history_keeps_the_interval_and_due_date_anki_had(anki, tmp_path):
    learned = add_basic(anki, "What is a learning rate warm-up?", "Small steps first.")
    easy = add_basic(anki, "What is gradient clipping?", "Capping the gradient norm.")
    fresh = add_basic(anki, "What is a GAN?", "Two networks in a game.")
    answer(anki, learned, 1, 3, 3)  # Again, then learning steps: graduates to a 1-day interval
    card = answer(anki, easy, 4)
    anki.sched.set_due_date([card.id], "37!")  # a manual reschedule: interval and due 37 days
    expected = {}
    for note in (learned, easy):
        c = note.cards()[0]
        expected[note["Front"]] = (c.ivl, quiz_today() + timedelta(days=c.due - anki.sched.today))
    package = write_package(anki, tmp_path / "h.apkg")
    out = tmp_path / "h.yaml"
    result = invoke("import", "anki", package, "--out", out, "--with-history")
    assert result.exit_code == 0, result.output
    assert "History: 4 answer(s) of 2 card(s) added to the log" in result.output
    listing = invoke("list", "--bank", out).output.splitlines()[2:]
    ids = {q["en"]["q"]: q["id"] for q in bank_of(out)["questions"]}
    rows = {line.split()[0]: line.split()[3:5] for line in listing}  # id → due, interval
    for front, (interval, due) in expected.items():
        shown_due, shown_interval = rows[ids[front]]
        assert int(shown_interval) == interval
        assert abs((date.fromisoformat(shown_due) - due).days) <= 1
    assert rows[ids[fresh["Front"]]][0] == "new"  # never studied
    store = Store.open(tmp_path / "cli.db")
    log = store.reviews()
    assert [(r.kind, r.quality) for r in log if r.question_id == log[0].question_id] == [
        ("review", GRADES[1]), ("repeat", GRADES[3]), ("repeat", GRADES[3])]
    store.close()
    again = invoke("import", "anki", package, "--out", out, "--with-history")
    assert "History: 0 answer(s) of 2 card(s) added to the log (4 already there)" in again.output
    assert invoke("list", "--bank", out).output.splitlines()[2:] == listing
    store = Store.open(tmp_path / "cli.db")
    assert len(store.reviews()) == 4
    store.rebuild_cards()  # the log is the truth: a replay keeps Anki's schedule
    assert invoke("list", "--bank", out).output.splitlines()[2:] == listing
    store.close()


# -- bad files ------------------------------------------------------------------------------


def zip_with(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a zip at all") and p,
     "is not an Anki package: it is not a zip file"),
    (lambda p: zip_with(p, {"media": "{}"}),
     "holds no Anki collection (none of collection.anki21b, collection.anki21, "
     "collection.anki2); export it from Anki again"),
    (lambda p: zip_with(p, {"collection.anki2": b"garbage" * 100}),
     "the collection collection.anki2 in"),
    (lambda p: zip_with(p, {"collection.anki21b": b"garbage" * 100}),
     "is not valid zstd data"),
], ids=["not-a-zip", "no-collection", "corrupt-sqlite", "corrupt-zstd"])
def test_a_bad_package_is_exit_2_with_a_message(tmp_path, make, message):
    path = tmp_path / "bad.apkg"
    make(path)
    result = invoke("import", "anki", path, "--out", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_sqlite_file_that_is_not_a_collection_is_refused(tmp_path):
    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    path = zip_with(tmp_path / "x.apkg", {"collection.anki21": db.read_bytes()})
    with pytest.raises(UsageError, match="no table 'col'"):
        read_package(path)


def test_out_must_be_a_yaml_file(anki, tmp_path):
    add_basic(anki, "Q?", "A.")
    package = write_package(anki, tmp_path / "p.apkg")
    result = invoke("import", "anki", package, "--out", tmp_path / "bank.txt")
    assert result.exit_code == 2 and "--out must name a .yaml bank file" in result.stderr
    result = invoke("import", "anki", package, "--out", tmp_path / "b.yaml", "--topic", "Bad T")
    assert result.exit_code == 2 and "--topic 'Bad T' must be lowercase" in result.stderr


# -- HTML and the rules, one by one ---------------------------------------------------------


@pytest.mark.parametrize("html, text", [
    ("a<br>b", "a\nb"),
    ("<div>a</div><div>b</div>", "a\nb"),
    ("<p>one</p><p>two</p>", "one\ntwo"),
    ("x &amp; y &lt;z&gt; &quot;q&quot; &#39;s&#39; &#x4e2d;", "x & y <z> \"q\" 's' 中"),
    ("a&nbsp;&nbsp;b", "a  b"),
    ("  spread\n  over   lines  ", "spread over lines"),
    ("<pre>  kept\n    as is</pre>", "  kept\n    as is"),
    ("<b>bold</b> and <i>it</i>", "bold and it"),
    ("<style>.x{}</style><script>alert(1)</script>shown", "shown"),
    ("a<br><br><br><br>b", "a\n\nb"),
    ("ctrl\x1b[31m\x07", "ctrl[31m"),
    ("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>", "1 2\n3 4"),
])
def test_html_becomes_plain_text(html, text):
    assert html_to_text(html).text == text


def test_a_sound_written_as_text_by_quiz_is_not_media():
    found = html_to_text("&#91;sound:x.mp3] and [sound:y.mp3]")
    assert found.text == "[sound:x.mp3] and [sound y.mp3]" and found.media == ("y.mp3",)


bank_text = st.lists(st.sampled_from([*"ab z<>&[]\"'\n中文:;=", "  ", "&amp;"]),
                     max_size=30).map("".join)


@given(bank_text)
def test_quiz_html_reads_back_as_the_text(text):
    # export.to_html is the independent writer; reading its HTML gives the text back, up to
    # the spaces at line ends and runs of blank lines that a bank does not keep either.
    expected = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    while "\n\n\n" in expected:
        expected = expected.replace("\n\n\n", "\n\n")
    assert html_to_text(export.to_html(text)).text == expected.strip("\n").rstrip()


@given(st.lists(st.text(max_size=20), max_size=3), st.lists(st.text(max_size=20), max_size=3))
def test_bilingual_keeps_every_prompt_and_answer(fronts, backs):
    found = bilingual(fronts, backs)
    if not any(f.strip() for f in fronts) or not any(b.strip() for b in backs):
        assert found is None
        return
    prompt, answer, missing = found
    for text in fronts:
        if text.strip():
            assert text in prompt.zh or text in prompt.en
    assert all(text in answer.zh + answer.en for text in backs if text.strip())
    if missing is not None:
        assert prompt.zh == prompt.en and answer.zh == answer.en


@given(st.text(max_size=60), st.text(min_size=1, max_size=20))
def test_a_new_id_is_a_valid_bank_id_ending_in_the_key_hash(prompt, key):
    item = ImportedQuestion(key=key, prefix="anki", prompt=Text(prompt, prompt),
                            answer=Text("a", "a"))
    assert re.match(ID_PATTERN, item.new_id()) and item.new_id().endswith(key_hash(key))


def test_package_reader_reads_what_anki_wrote(anki, tmp_path):
    note = add_basic(anki, "F", "B", tags=["t1", "t2"])
    answer(anki, note, 4)
    collection = read_package(write_package(anki, tmp_path / "p.apkg"))
    (read,) = collection.notes
    assert (read.guid, read.fields, read.tags) == (note.guid, ("F", "B"), ("t1", "t2"))
    assert collection.notetypes[read.notetype].fields == ("Front", "Back")
    assert not collection.notetypes[read.notetype].cloze
    (entry,) = collection.revlog
    assert (entry.ease, entry.interval) == (4, note.cards()[0].ivl)
    assert "Deep Learning::Basics" in collection.decks.values()


def test_a_day_of_learning_steps_is_one_review_and_its_repeats():
    from datetime import UTC, datetime, timezone

    from quiz.importing.anki_import import reviews
    from quiz.importing.anki_package import AnkiCard, Collection, Note, RevlogEntry

    beijing = timezone(timedelta(hours=8))

    def ms(text):  # a Beijing time as Anki's revlog id
        return int(datetime.fromisoformat(text).replace(tzinfo=beijing).timestamp() * 1000)

    created = int(datetime(2026, 1, 1, 4, tzinfo=beijing).timestamp())
    # Day 0 (Jan 10): Again, Good (step), Good (graduates, 1 day). Day 1: Good → 3 days.
    # 03:00 on Jan 14 still belongs to Jan 13 (the 04:00 rollover): Hard → 4 days.
    log = [RevlogEntry(ms("2026-01-10T09:00"), 7, 1, -60, 0, 0, 5000, 0),
           RevlogEntry(ms("2026-01-10T09:01"), 7, 3, -600, -60, 0, 4000, 0),
           RevlogEntry(ms("2026-01-10T09:11"), 7, 3, 1, -600, 2500, 3000, 0),
           RevlogEntry(ms("2026-01-11T20:00"), 7, 3, 3, 1, 2500, 3000, 1),
           RevlogEntry(ms("2026-01-14T03:00"), 7, 2, 4, 3, 2350, 3000, 1)]
    card = AnkiCard(id=7, note=1, deck=1, ord=0, type=2, queue=2, due=12 + 4, interval=4,
                    factor=2350, reps=5, lapses=0)
    collection = Collection(created=created, notetypes={}, decks={}, notes=(
        Note(1, "g", 1, ("q", "a"), ()),), cards=(card,), revlog=tuple(log))
    found = reviews(collection, {1: ("anki-q-1", "fp")}, rollover_hour=4,
                    local=lambda dt: dt.astimezone(beijing))
    assert [(r.study_day, r.kind, r.quality) for r in found] == [
        (date(2026, 1, 10), "review", 1), (date(2026, 1, 10), "repeat", 4),
        (date(2026, 1, 10), "repeat", 4), (date(2026, 1, 11), "review", 4),
        (date(2026, 1, 13), "review", 3)]
    states = [r.state for r in found if r.state]
    assert [(s.repetitions, s.interval, s.due) for s in states] == [
        (0, 1, date(2026, 1, 11)), (1, 3, date(2026, 1, 14)), (2, 4, date(2026, 1, 17))]
    assert [float(s.efactor) for s in states] == [2.5, 2.5, 2.35]
    assert found[0].utc_offset == 480 and found[0].reviewed_at.tzinfo == UTC
    assert all(r.session == "import:anki" for r in found)


def test_imported_states_survive_a_replay(store):
    from datetime import UTC, datetime
    from fractions import Fraction

    from quiz.model import CardState, Review

    day = date(2026, 1, 10)
    state = CardState(repetitions=3, interval=45, efactor=Fraction(21, 10), due=day + timedelta(45))
    review = Review("q1", datetime(2026, 1, 10, 12, tzinfo=UTC), 0, day, 4, state,
                    session="import:anki")
    assert store.import_reviews([review]) == 1
    assert store.import_reviews([review]) == 0  # the same answer again: nothing added
    store.rebuild_cards()
    assert store.card("q1").state == state  # SM-2 alone would say 1 day


def test_hostile_text_in_a_package_imports_as_safe_text(anki, tmp_path):
    add_basic(anki, "Q\x1b]0;owned\x07 \u202eevil\u202c?", "A\x00\x9b31m <script>x()</script>ok",
              tags=["bad\x1btag", "yes", "~"])
    out = tmp_path / "h.yaml"
    result = invoke("import", "anki", write_package(anki, tmp_path / "h.apkg"), "--out", out)
    assert result.exit_code == 0, result.output
    assert invoke("validate", out).exit_code == 0
    (q,) = load_bank([out]).questions
    assert q.prompt.en == "Q]0;owned evil?" and q.answer.en == "A31m ok"
    assert q.tags == ("badtag", "yes", "~", NEEDS_TRANSLATION)  # YAML 1.1 words stay text


def test_a_missing_package_is_exit_2(tmp_path):
    result = invoke("import", "anki", tmp_path / "nope.apkg", "--out", tmp_path / "o.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot read {tmp_path / 'nope.apkg'}: no such file or folder\n"


def test_a_new_bank_gets_the_usual_file_mode(anki, tmp_path):
    import os

    add_basic(anki, "Q?", "A.")
    out = tmp_path / "m.yaml"
    mask = os.umask(0o022)
    try:
        assert invoke("import", "anki", write_package(anki, tmp_path / "p.apkg"), "--out",
                      out).exit_code == 0
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o644


# -- zip bombs ------------------------------------------------------------------------------


def refused(tmp_path, path, message):
    result = invoke("import", "anki", path, "--out", tmp_path / "out.yaml")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()
    return result


def test_a_zstd_bomb_is_refused_before_it_fills_the_disk(tmp_path, monkeypatch):
    import zstandard

    from quiz.importing import anki_package

    written = []
    real_copy = anki_package._copy

    def counting(chunks, out, packed, what):
        class Counted:
            def write(self, data):
                written.append(len(data))
                out.write(data)
        real_copy(chunks, Counted(), packed, what)

    monkeypatch.setattr(anki_package, "_copy", counting)
    # 256 MiB of zeros in a streamed frame (no declared size): ~8 kB packed
    stream = zstandard.ZstdCompressor().compressobj()
    bomb = b"".join(stream.compress(b"\0" * 2**20) for _ in range(256)) + stream.flush()
    assert len(bomb) < 100_000
    path = zip_with(tmp_path / "bomb.apkg", {"collection.anki21b": bomb})
    refused(tmp_path, path, "the collection collection.anki21b in "
                            f"{path} unpacks to more than 1000 times its packed size: a zip bomb")
    assert sum(written) <= anki_package.RATIO_FLOOR  # stopped at the floor, not at 256 MiB


def test_a_zstd_frame_declaring_too_much_is_refused_unread(tmp_path, monkeypatch):
    import zstandard

    from quiz.importing import anki_package

    monkeypatch.setattr(anki_package, "MAX_COLLECTION_BYTES", 2**20)
    data = zstandard.ZstdCompressor(write_content_size=True).compress(b"x" * (2**20 + 1))
    assert zstandard.get_frame_parameters(data).content_size == 2**20 + 1
    monkeypatch.setattr(anki_package, "_copy", lambda *a: pytest.fail("decompressed"))
    path = zip_with(tmp_path / "big.apkg", {"collection.anki21b": data})
    refused(tmp_path, path, "unpacks to more than 1.0 MiB, the limit")


def test_a_deflate_bomb_is_refused_from_its_declared_sizes(tmp_path):
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("collection.anki21", b"\0" * (64 * 2**20))
    (info,) = zipfile.ZipFile(path).infolist()
    assert info.file_size > 1000 * info.compress_size  # deflate's best: ~1030 to 1
    refused(tmp_path, path, "collection.anki21 in")


def test_too_many_members_or_too_much_declared_is_refused(tmp_path, monkeypatch):
    from quiz.importing import anki_package

    monkeypatch.setattr(anki_package, "MAX_MEMBERS", 50)
    many = zip_with(tmp_path / "many.apkg", {str(n): b"" for n in range(51)})
    refused(tmp_path, many, "has 51 members, more than the 50 an Anki package may have")
    monkeypatch.setattr(anki_package, "MAX_TOTAL_BYTES", 2**20)
    # an overlapping-files bomb declares far more than it holds; here: two 600 kB media
    large = zip_with(tmp_path / "large.apkg", {"collection.anki2": b"", "0": b"a" * 600_000,
                                               "1": b"b" * 600_000})
    refused(tmp_path, large, "declares 1.1 MiB unpacked, more than the 1.0 MiB limit")


def test_a_real_package_is_far_inside_the_limits(anki, tmp_path):
    from quiz.importing import anki_package

    for n in range(50):
        add_basic(anki, f"Question {n}?", f"Answer {n}.")
    for legacy in (False, True):
        path = write_package(anki, tmp_path / f"p{legacy}.apkg", legacy=legacy)
        infos = zipfile.ZipFile(path).infolist()
        assert len(infos) < anki_package.MAX_MEMBERS
        assert all(i.file_size < 50 * max(i.compress_size, 1) for i in infos)
        assert len(read_package(path).notes) == 50


def test_with_history_suspended_and_buried_cards_stay_so(anki, tmp_path):
    kept = add_basic(anki, "What is dropout?", "Zeroing random units in training.")
    held = add_basic(anki, "What is weight decay?", "An L2 penalty on the weights.")
    hidden = add_basic(anki, "What is a ResNet?", "A network of residual blocks.")
    new_held = add_basic(anki, "What is a VAE?", "An autoencoder with a latent prior.")
    for note in (kept, held, hidden):
        answer(anki, note, 3, 3)
    anki.sched.suspend_cards([held.cards()[0].id, new_held.cards()[0].id])
    anki.sched.bury_cards([hidden.cards()[0].id], manual=True)
    assert [n.cards()[0].queue for n in (held, hidden, new_held)] == [-1, -3, -1]
    package = write_package(anki, tmp_path / "h.apkg")
    out = tmp_path / "h.yaml"
    result = invoke("import", "anki", package, "--out", out, "--with-history")
    assert result.exit_code == 0, result.output
    assert "; kept as in Anki: 2 suspended, 1 buried" in result.output
    ids = {q["en"]["q"]: q["id"] for q in bank_of(out)["questions"]}
    store = Store.open(tmp_path / "cli.db")
    cards = store.cards()
    assert cards[ids[held["Front"]]].suspended and cards[ids[held["Front"]]].buried_until is None
    assert cards[ids[new_held["Front"]]].suspended
    assert cards[ids[new_held["Front"]]].state is None  # still a new card, only held
    assert cards[ids[hidden["Front"]]].buried_until == quiz_today() + timedelta(days=1)
    assert cards[ids[kept["Front"]]].buried_until is None
    assert not cards[ids[kept["Front"]]].suspended and not cards[ids[hidden["Front"]]].suspended
    assert cards[ids[held["Front"]]].state is not None  # the history came along too
    store.conn.execute("UPDATE cards SET due = '2000-01-01' WHERE due IS NOT NULL")
    store.close()
    due = invoke("list", "--bank", out, "--due").output
    assert ids[kept["Front"]] in due
    assert not {ids[n["Front"]] for n in (held, hidden, new_held)} & set(due.split())
    again = invoke("import", "anki", package, "--out", out, "--with-history")
    assert "kept as in Anki: 2 suspended, 1 buried" in again.output
