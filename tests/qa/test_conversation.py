"""Follow-up questions (qa/conversation.py): the rewriting rules (fast, spaCy only), the
history API with a scripted generator, and one conversation with the real default model."""

from __future__ import annotations

import json
import re

import pytest

from qa.conversation import Conversation, previous_turns, rewrite_followup, rewrite_with_model
from qa.records import Answer, Citation, Sentence
from tests.conftest import EXAMPLES, FakeGenerator, assert_quotes_exact, passages_in

OUTLETS = ["Harbour Ledger", "Valley Courier", "Northwind Wire", "Meridian Daily"]
BRIDGE = "How long will the Alder River Bridge be closed?"


def _cite(outlet: str, doc: str = "d1") -> Citation:
    return Citation(doc, "title", outlet, "2025-02-12", 0, 10, "quote text")


def _answer(text: str, *outlets: str) -> Answer:
    cites = [_cite(o, f"d{i}") for i, o in enumerate(outlets)]
    return Answer("q", "answered", [Sentence(text, cites)])


def _rewrite(previous, followup, answer=None):
    return rewrite_followup(followup, [(previous, answer)], OUTLETS)


@pytest.mark.parametrize(
    ("previous", "followup", "expected"),
    [
        (BRIDGE, "Who said it would close?", "Who said the Alder River Bridge would close?"),
        (
            BRIDGE,
            "And who else reported it?",
            "Who else reported the Alder River Bridge closure?",
        ),
        (BRIDGE, "When did that happen?", "When did the Alder River Bridge closure happen?"),
        (
            BRIDGE,
            "When does that closure end?",
            "When does the Alder River Bridge closure end?",
        ),
        (
            "When will the Kestrel Line ferry workers strike?",
            "Why are they striking?",
            "Why are the Kestrel Line ferry workers striking?",
        ),
        (
            "What did the Harbour Ledger report about the library budget?",
            "What did the council say about its size?",
            "What did the council say about the library budget's size?",
        ),
    ],
)
def test_pronouns_take_the_previous_main_noun_phrase(previous, followup, expected):
    r = _rewrite(previous, followup)
    assert r.standalone == expected and r.changed and r.rule == "pronoun"


def test_he_she_come_from_the_previous_answer():
    answer = _answer("Ilse Marranen, a department spokesperson, confirmed the dates.", "VC")
    r = _rewrite("Who confirmed the closure dates?", "What did she say about diversions?", answer)
    assert r.standalone == "What did Ilse Marranen say about diversions?"
    assert r.resolved == (("she", "Ilse Marranen"),)


def test_they_who_said_are_the_cited_outlets():
    answer = _answer("The bridge closes for 14 weeks.", "Harbour Ledger", "Valley Courier")
    r = _rewrite(BRIDGE, "What did they say about the cost?", answer)
    assert r.standalone == "What did the Harbour Ledger and the Valley Courier say about the cost?"


@pytest.mark.parametrize(
    ("previous", "followup", "expected"),
    [
        (
            BRIDGE,
            "And the Courier?",
            "According to the Valley Courier, how long will the Alder River Bridge be closed?",
        ),
        (
            "What did the Harbour Ledger report about the library budget?",
            "What about the Courier?",
            "What did the Valley Courier report about the library budget?",
        ),
        (
            "What did the Harbour Ledger report in February 2025?",
            "And in March 2025?",
            "What did the Harbour Ledger report in March 2025?",
        ),
        (
            "How long will the Alder River Bridge be closed?",
            "And the Harbour Ring?",
            "How long will the Harbour Ring be closed?",
        ),
    ],
)
def test_ellipsis_re_asks_the_previous_question(previous, followup, expected):
    r = _rewrite(previous, followup)
    assert r.standalone == expected and r.rule == "ellipsis"


@pytest.mark.parametrize(
    "question",
    [
        "Who announced the ferry strike?",  # no reference back
        "Is it true that the bridge will close for 14 weeks?",  # "it" stands for the clause
        "Did the Kestrel Line say it would strike?",  # its own antecedent
        "Did Ilse Marranen say she expects delays?",
    ],
)
def test_standalone_questions_are_left_alone(question):
    r = _rewrite(BRIDGE, question)
    assert r.standalone == question and not r.changed


def test_no_history_no_rewrite():
    assert not rewrite_followup("Who said it would close?", [], OUTLETS).changed
    assert not rewrite_followup("Who said it would close?", None, OUTLETS).changed


def test_history_forms_and_chained_follow_ups():
    first = Answer(BRIDGE, "answered")
    second = Answer("Who said it would close?", "answered")
    second.rewritten_question = "Who said the Alder River Bridge would close?"
    turns = previous_turns([first, ("Who said it would close?", second), "plain question"])
    assert [q for q, _ in turns] == [BRIDGE, second.rewritten_question, "plain question"]
    # the previous turn's standalone form is what a later pronoun resolves against
    r = rewrite_followup("When will it reopen?", [(BRIDGE, first), ("x", second)], OUTLETS)
    assert r.standalone == "When will the Alder River Bridge reopen?"


# -- the API, with a scripted generator over the demo corpus
@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory, embedder):
    from index.ingest import ingest
    from index.settings import load_settings

    settings = load_settings(tmp_path_factory.mktemp("demo-index"))
    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    return settings


def _quote_first(messages):
    passages = passages_in(messages)
    eid, text = next(iter(passages.items()))
    return json.dumps({"answerable": True, "sentences": [{"evidence": [eid], "text": text}]})


def test_history_rewrites_retrieval_and_records_it(demo_settings, embedder):
    from qa.api import Assistant

    gen = FakeGenerator(_quote_first)
    assistant = Assistant(settings=demo_settings, generator=gen)
    assistant.index._embedder = embedder
    conv = Conversation(assistant)
    first = conv.ask(BRIDGE)
    assert first.rewritten_question == "" and first.analysis["kind"] == "wh"
    second = conv.ask("Who said it would close?")
    assert second.question == "Who said it would close?"
    assert second.rewritten_question == "Who said the Alder River Bridge would close?"
    assert "Alder River Bridge" in gen.history[-1][-1]["content"]  # the model saw the rewrite
    assert all("Alder River Bridge" in e.text or "bridge" in e.text for e in second.evidence[:2])
    assert len(conv.turns) == 2
    # the same through ask(history=...) and stream(history=...)
    again = assistant.ask("Who said it would close?", history=[(BRIDGE, first)])
    assert again.rewritten_question == second.rewritten_question
    events = list(assistant.stream("Who said it would close?", history=conv))
    assert events[-1].answer.rewritten_question == "Who said the Alder River Bridge would close?"
    assert_quotes_exact(second, assistant.index)
    data = second.to_dict()
    assert data["rewritten_question"] and data["analysis"]["question"] == (
        "Who said the Alder River Bridge would close?"
    )


@pytest.mark.slow
def test_pronoun_follow_up_with_the_real_model(demo_settings, embedder):
    from qa.api import Assistant

    assistant = Assistant(settings=demo_settings)
    assistant.index._embedder = embedder
    conv = Conversation(assistant)
    first = conv.ask(BRIDGE)
    assert first.status == "answered"
    answer = conv.ask("Who said it would close?")
    assert answer.rewritten_question == "Who said the Alder River Bridge would close?"
    assert answer.status == "answered", answer.message
    # It cites a passage that says who announced the closure — one of the two bridge-closure
    # articles, or the institute's report ("The city of Port Alder has announced that the Alder
    # River Bridge will close …"); which one the model picks depends on the llama.cpp build.
    quotes = [c.quote for c in answer.citations()]
    closure = [
        q for q in quotes if "bridge" in q.lower() and re.search(r"\bclos(e|ed|ing|ure)\b", q)
    ]
    assert closure, quotes
    assert_quotes_exact(answer, assistant.index)


@pytest.mark.slow
def test_chat_command_shows_the_rewrite_and_answers(tmp_path, embedder):
    from click.testing import CliRunner

    from qa.cli import cli

    data = str(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(cli, ["--data", data, "ingest", "-q", str(EXAMPLES)]).exit_code == 0
    lines = f"{BRIDGE}\n\nWho said it would close?\nexit\nWhat is never asked?\n"
    result = runner.invoke(cli, ["--data", data, "chat"], input=lines)
    assert result.exit_code == 0, result.output
    assert "(understood as: Who said the Alder River Bridge would close?)" in result.output
    assert result.output.count("Sources:") == 2  # two answers, then "exit" ended the chat


def test_web_chat_passes_its_turns_as_history(demo_settings, embedder):
    from qa.api import Assistant
    from qa.ui.web import create_app

    assistant = Assistant(settings=demo_settings, generator=FakeGenerator(_quote_first))
    assistant.index._embedder = embedder
    app = create_app(assistant)
    ask = next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "ask")
    *_, (_, first, _) = ask(BRIDGE, [], 6, "", "")  # the last update of the first turn
    *_, (html, turns, _) = ask("Who said it would close?", first, 6, "", "")
    assert turns[1]["answer"].rewritten_question == "Who said the Alder River Bridge would close?"
    assert "understood as: Who said the Alder River Bridge would close?" in html


ENGINEER = "Who is the city engineer in charge of the bridge repairs?"
SHE = "What did she say about the bearings?"


def test_rules_report_what_they_could_not_resolve():
    r = rewrite_followup(SHE, [ENGINEER], OUTLETS)  # no person named before: "she" is open
    assert not r.changed and r.unresolved == ("she",)
    r = _rewrite(BRIDGE, "Who said it would close?")
    assert r.changed and r.unresolved == ()


def _rewriter(reply: str):
    def respond(messages):
        assert "Follow-up question: " + SHE in messages[-1]["content"]  # prompts/rewrite.j2
        assert ENGINEER in messages[-1]["content"]
        return json.dumps({"question": reply})

    return FakeGenerator(respond)


def test_model_rewrites_what_the_rules_could_not():
    rules = rewrite_followup(SHE, [ENGINEER], OUTLETS)
    gen = _rewriter("What did the city engineer say about the bearings?")
    r = rewrite_with_model(SHE, [ENGINEER], gen, rules)
    assert r.changed and r.rule == "model"
    assert r.standalone == "What did the city engineer say about the bearings?"
    # a reply that still says "she", or repeats the question, is not used
    for reply in ("What did she say about the bearings?", SHE.upper(), ""):
        assert not rewrite_with_model(SHE, [ENGINEER], _rewriter(reply), rules).changed


def test_assistant_falls_back_to_the_model_and_records_it(demo_settings, embedder):
    from qa.api import Assistant

    def respond(messages):
        if "Follow-up question:" in messages[-1]["content"]:
            return json.dumps({"question": "What did the city engineer say about the bearings?"})
        return _quote_first(messages)

    gen = FakeGenerator(respond)
    assistant = Assistant(settings=demo_settings, generator=gen)
    assistant.index._embedder = embedder
    answer = assistant.ask(SHE, history=[ENGINEER])
    assert answer.rewritten_question == "What did the city engineer say about the bearings?"
    assert answer.rewritten_by == "model"
    assert "city engineer" in gen.history[-1][-1]["content"]  # the answer used the rewrite
    # resolved by the rules: the model is not asked to rewrite
    gen.history.clear()
    answer = assistant.ask("Who said it would close?", history=[BRIDGE])
    assert answer.rewritten_by == "rules"
    assert not any("Follow-up question:" in m[-1]["content"] for m in gen.history)


@pytest.mark.slow
def test_model_rewrite_of_a_pronoun_follow_up_with_the_real_model(demo_settings, embedder):
    from qa.api import Assistant

    assistant = Assistant(settings=demo_settings)
    assistant.index._embedder = embedder
    answer = assistant.ask(SHE, history=[ENGINEER])  # the rules find no "she" before
    assert answer.rewritten_by == "model", answer.rewritten_question
    assert "she" not in answer.rewritten_question.lower().split()
    assert "engineer" in answer.rewritten_question.lower(), answer.rewritten_question
    assert answer.status == "answered", answer.message
    quotes = [c.quote for c in answer.citations()]
    assert any("bearings" in q for q in quotes), quotes  # Dana Okafor on the bearings
    assert {c.outlet for c in answer.citations()} & {"Harbour Ledger"}
    assert_quotes_exact(answer, assistant.index)
