"""The answer schema's key order and the early end of an answer: once the sentences are
written, a non-verdict answer is not waited for."""

from __future__ import annotations

import json

from qa.answer import parse_output
from qa.prompting import answer_schema, sentences_done

SENTENCES = [{"evidence": [1], "text": 'He said "x], y", then left.'}]


def test_sentences_are_done_once_the_array_is_closed_and_the_next_key_begins():
    whole = json.dumps({"sentences": SENTENCES, "answerable": True})
    cut = whole.index('"answerable"')
    assert json.loads(sentences_done(whole[:cut])) == {"sentences": SENTENCES}
    assert sentences_done('{"sentences": [],') == '{"sentences": []}'
    # never inside a sentence, its evidence list or its text (a "]," in the text included)
    for end in range(1, cut - 2):
        assert sentences_done(whole[:end]) is None, whole[:end]
    assert sentences_done(whole) is None
    assert sentences_done('{"answerable": true,') is None  # other key order: read on


def test_what_is_cut_off_changes_nothing():
    """The early end drops only "answerable": parsing the answer closed after its sentences
    gives what the whole answer gives, with sentences and without."""
    for sentences, flag in [(SENTENCES, True), (SENTENCES, False), ([], True), ([], False)]:
        whole = json.dumps({"sentences": sentences, "answerable": flag})
        early = sentences_done(whole[: whole.index('"answerable"')])
        full, cut = parse_output(whole, {1}), parse_output(early, {1})
        assert cut is not None and full[1] == cut[1]
        assert bool(full[0] and full[1]) == bool(cut[0] and cut[1])  # answered or not


def test_only_answerable_follows_the_sentences_and_a_verdict_is_waited_for():
    plain = answer_schema([1, 2], 4)
    assert list(plain["properties"]) == ["sentences", "answerable"]
    item = plain["properties"]["sentences"]["items"]
    assert list(item["properties"]) == ["text", "evidence"]  # words first (see answer_schema)
    verdict = answer_schema([1, 2], 4, verdict=True)
    assert list(verdict["properties"]) == ["sentences", "verdict"]
    item = verdict["properties"]["sentences"]["items"]
    assert list(item["properties"]) == ["evidence", "text"]  # ids anchor a verdict's sentences
    named = answer_schema([1, 2], 4, name=True)["properties"]["sentences"]["items"]
    assert list(named["properties"]) == ["evidence", "text"]


def _ev(eid, doc, outlet, published, score):
    from qa.records import Evidence

    return Evidence(eid, doc, "T", outlet, published, 0, 5, f"Text {eid}.", score, eid)


def test_passages_of_one_article_come_together_under_one_heading():
    from qa.prompting import answer_messages
    from qa.retrieve import by_article

    ranked = [
        _ev(1, "a", "Harbour Gazette", "2025-01-02", 0.9),
        _ev(2, "b", "Valley Courier", "2025-01-03", 0.8),
        _ev(3, "a", "Harbour Gazette", "2025-01-02", 0.7),
        _ev(4, "c", "", "", 0.6),
    ]
    grouped = by_article(ranked)
    assert [(e.eid, e.doc_id, e.text) for e in grouped] == [
        (1, "a", "Text 1."),
        (2, "a", "Text 3."),
        (3, "b", "Text 2."),
        (4, "c", "Text 4."),
    ]
    content = answer_messages("Q?", grouped, 3)[1]["content"]
    assert content.count("Harbour Gazette, 2025-01-02:") == 1
    assert "Harbour Gazette, 2025-01-02:\n[1] <<Text 1.>>\n[2] <<Text 3.>>\n" in content
    assert "Valley Courier, 2025-01-03:\n[3] <<Text 2.>>" in content
    assert "Unknown outlet:\n[4] <<Text 4.>>" in content
    # the same passages with an article between them get a heading each time
    apart = answer_messages("Q?", ranked, 3, verdict=True)[1]["content"]
    assert apart.count("Harbour Gazette, 2025-01-02:") == 2
