"""Exported decks imported by Anki's own library into a throwaway collection."""

import html
import io
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageRequest, ImportCsvRequest

from quiz.bank.files import bundled_dir
from quiz.bank.reader import load_bank
from quiz.export import selection as export
from quiz.export.apkg import FIELDS, MODEL_NAME, write_apkg
from quiz.export.spreadsheet import write_csv

T0 = 1_780_000_000.0  # a fixed export time; Anki updates a note only from a newer one


@pytest.fixture
def collection(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    if col.db:  # not closed by the test
        col.close()


def apkg(tmp_path, questions, topics, name="deck.apkg", **kw):
    path = tmp_path / name
    export.write_file(path, lambda out: write_apkg(
        export.flashcards(questions), topics, out, **{"timestamp": T0, **kw}), force=True)
    return path


def import_apkg(col, path):
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path))).log


def import_csv(col, path):
    metadata = col.get_csv_metadata(str(path), None)  # the file's own headers, as-is
    return col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log


def notes_by_id(col):
    notes = (col.get_note(nid) for nid in col.find_notes(""))
    return {note["ID"] if "ID" in note else note["Front"]: note for note in notes}


def expected_count(questions, instances=3):
    return sum(1 if q.type == "open" else len(export.numeric_instances(q, instances))
               for q in questions)


def test_apkg_imports_one_note_per_card_in_topic_decks(collection, tmp_path, bank_dir):
    bank = load_bank([bank_dir])
    log = import_apkg(collection, apkg(tmp_path, bank.questions, bank.topics))
    assert collection.note_count() == len(log.new) == expected_count(bank.questions)
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"quiz", "quiz::cnn", "quiz::rnn"} <= names
    notes = notes_by_id(collection)
    gru = notes["rnn-lstm-vs-gru"]
    assert gru.note_type()["name"] == MODEL_NAME and list(gru.keys()) == list(FIELDS)
    assert gru.note_type()["id"] == export.stable_id("quiz-note-v1")
    assert gru["QuestionZh"] == "LSTM 和 GRU 有什么区别？"
    assert gru["QuestionEn"] == "How do LSTM and GRU differ?"
    assert gru["NoteEn"] == "The source says GRU has three gates; it has two."
    assert sorted(gru.tags) == ["gru", "lstm", "rnn"]
    assert gru.guid == export.note_guid("rnn-lstm-vs-gru")
    card = gru.cards()[0]
    assert collection.decks.name(card.did) == "quiz::rnn"
    back = card.answer()
    assert "LSTM 和 GRU" in back and "it has two." in back and "Correction" in back
    pooling = notes["cnn-pooling-purpose"]
    assert "<br>- smaller maps" in pooling["AnswerEn"]
    assert "算法工程师-机器学习面试题总结(4)" in pooling.cards()[0].answer()  # sources on the back


def test_numeric_instances_carry_their_worked_solution(collection, tmp_path, bank_dir):
    bank = load_bank([bank_dir])
    import_apkg(collection, apkg(tmp_path, bank.questions, bank.topics))
    instances = [n for key, n in notes_by_id(collection).items() if "#" in key]
    assert len(instances) == 3
    for note in instances:
        assert note["AnswerZh"] == note["AnswerEn"] and note["AnswerEn"].isdigit()
        assert "⌊" in note["SolutionEn"] and "{size}" not in note["QuestionEn"]
        assert note["SolutionEn"] in note.cards()[0].answer()


def test_a_second_export_updates_the_notes_in_place(collection, tmp_path, bank_dir):
    bank = load_bank([bank_dir])
    import_apkg(collection, apkg(tmp_path, bank.questions, bank.topics))
    before = {key: note.id for key, note in notes_by_id(collection).items()}
    rnn = bank_dir / "rnn.yaml"
    rnn.write_text(rnn.read_text().replace("How do LSTM and GRU differ?",
                                           "How do LSTM and GRU differ (gate by gate)?"))
    edited = load_bank([bank_dir])
    log = import_apkg(collection, apkg(tmp_path, edited.questions, edited.topics, "again.apkg",
                                       lang="en", timestamp=T0 + 60))
    assert collection.note_count() == len(before)
    assert len(log.new) == 0 and len(log.updated) == len(before)
    after = notes_by_id(collection)
    assert {key: note.id for key, note in after.items()} == before
    assert after["rnn-lstm-vs-gru"]["QuestionEn"] == "How do LSTM and GRU differ (gate by gate)?"
    assert [m.name for m in collection.models.all_names_and_ids()].count(MODEL_NAME) == 1
    collection.close()  # reopened: the library caches note types in Python
    reopened = Collection(collection.path)
    try:  # the English-only template replaced the bilingual one
        qfmt = reopened.models.by_name(MODEL_NAME)["tmpls"][0]["qfmt"]
        assert "{{QuestionEn}}" in qfmt and "{{QuestionZh}}" not in qfmt
    finally:
        reopened.close()


def test_the_bundled_bank_imports_whole(collection, tmp_path):
    bundled = load_bank([bundled_dir()])
    import_apkg(collection, apkg(tmp_path, bundled.questions, bundled.topics))
    assert collection.note_count() == expected_count(bundled.questions)
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert {f"quiz::{topic}" for topic in bundled.topics} <= decks


@pytest.mark.parametrize("tsv", [False, True])
def test_csv_with_anki_header_imports_as_is_and_again_in_place(collection, tmp_path, bank_dir,
                                                               tsv):
    bank = load_bank([bank_dir])
    path = Path(tmp_path / "cards.csv")
    buffer = io.StringIO(newline="")
    write_csv(export.flashcards(bank.questions), buffer, tsv=tsv, anki_header=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    log = import_csv(collection, path)
    assert collection.note_count() == len(log.new) == expected_count(bank.questions)
    assert {"quiz::cnn", "quiz::rnn"} <= {d.name for d in collection.decks.all_names_and_ids()}
    gru = collection.get_note(collection.find_notes('"deck:quiz::rnn"')[0])
    assert gru.note_type()["name"] == "Basic"
    assert "LSTM 和 GRU 有什么区别？" in gru["Front"]
    assert "How do LSTM and GRU differ?" in gru["Front"]
    assert "it has two." in gru["Back"] and "GRU 把遗忘门" in gru["Back"]
    assert sorted(gru.tags) == ["gru", "lstm", "rnn"]
    assert gru.guid == export.note_guid("rnn-lstm-vs-gru")
    again = import_csv(collection, path)
    assert collection.note_count() == len(log.new) and len(again.new) == 0


def test_hostile_text_imports_as_text_not_media_or_html(collection, tmp_path):
    """Anki itself reads the deck: no media reference, no element, the text as written."""
    bank_file = tmp_path / "evil.yaml"
    bank_file.write_text(
        'topic: evil\ntitle: {zh: "<img src=x onerror=alert(1)>", en: "<script>x</script>"}\n'
        "questions:\n  - id: evil-one\n"
        '    zh: {q: "[sound:evil.mp3] 问", a: "<b onclick=x>答</b>"}\n'
        '    en: {q: "[sound:evil.mp3] Q", a: "=1+1 [anki:tts]x[/anki:tts]"}\n',
        encoding="utf-8")
    bank = load_bank([bank_file])
    import_apkg(collection, apkg(tmp_path, bank.questions, bank.topics))
    note = notes_by_id(collection)["evil-one"]
    card = note.cards()[0]
    for field in note.keys():
        assert collection.media.files_in_str(note.mid, note[field]) == []
    shown = card.question() + card.answer()
    assert "<img" not in shown and "<b onclick" not in shown and "[sound:" not in shown
    assert "[sound:evil.mp3] Q" in html.unescape(card.question())
    description = collection.decks.by_name("quiz::evil")["desc"]
    assert "<img" not in description and "<script" not in description
    assert html.unescape(description) == "<img src=x onerror=alert(1)> · <script>x</script>"
