"""The name a "who …?" / "which company …?" question asks for: which questions ask for one,
and when the model's name is shown (qa/named.py). The pipeline path runs with a scripted
generator over the real seed index here, and with the packaged model in test_real_model.py."""

from __future__ import annotations

import dataclasses
import json

import pytest

from qa.answer import citation_for
from qa.api import Assistant
from qa.named import decide_name, fullest_form, is_name, mentions, parse_name, split_names
from qa.question import analyze
from qa.records import Evidence
from tests.conftest import FakeGenerator, assert_quotes_exact, passages_in

OUTLETS = ["The Verge", "TechCrunch", "Fortune"]


def _ev(eid: int, outlet: str, text: str, score: float = 0.5) -> Evidence:
    return Evidence(
        eid, f"d{eid}", f"Title {eid}", outlet, f"2023-10-0{eid}", 0, len(text), text, score, eid
    )


EVIDENCE = [
    _ev(
        1, "The Verge", "Sam Bankman-Fried allowed Alameda to withdraw funds, a witness said.", 0.8
    ),
    _ev(2, "TechCrunch", "Prosecutors said Bankman-Fried committed fraud for personal gain.", 0.7),
    _ev(3, "Fortune", "Caroline Ellison testified on Tuesday about the balance sheets.", 0.6),
]
QUESTION = (
    "Who is the individual covered by The Verge for allowing withdrawals and accused, as "
    "reported by TechCrunch, of fraud for personal gain?"
)


@pytest.mark.parametrize(
    "question, asks_for, n",
    [
        ("Who is the individual implicated in a legal case?", "person", 1),
        ("Which NFL team, featured in articles by Sporting News, lost twice?", "team", 1),
        ("What company is at the center of claims about search results?", "company", 1),
        ("Which two public figures have been the subject of speculation?", "figure", 2),
        ("What organization, founded in late 2015, launched GPT-4?", "organization", 1),
        ("What did the Guardian say about the vote?", "", 1),
        ("Which year did the merger close?", "", 1),
        ("What percentage of voters approved the plan?", "", 1),
        ("Does the Verge report that Apple sued Google?", "", 1),
        ("How many people attended the rally?", "", 1),
    ],
)
def test_which_questions_ask_for_a_name(question, asks_for, n):
    a = analyze(question)
    assert (a.asks_for, a.names_asked) == (asks_for, n)


def test_names_and_refusals():
    assert is_name("Sam Bankman-Fried") and is_name("Bank of America") and is_name("iPhone 15")
    assert not is_name("unknown") and not is_name("the individual who was accused")
    assert not is_name("")
    assert split_names("Taylor Swift and Travis Kelce") == ["Taylor Swift", "Travis Kelce"]
    assert split_names("Bank of America") == ["Bank of America"]
    assert parse_name('{"name": " Sam  Altman ", "sentences": []}') == "Sam Altman"
    assert parse_name("not json") == "" and parse_name('{"sentences": []}') == ""


def test_a_surname_counts_as_a_mention_only_capitalised():
    assert mentions("Sam Bankman-Fried", "Prosecutors said Bankman-Fried lied.")
    assert not mentions("Tyreek Hill", "They walked up the hill.")
    assert mentions("Tyreek Hill", "Hill caught two passes.")
    assert not mentions("Sam Altman", "Sam Bankman-Fried spoke.")


def test_a_name_both_named_outlets_give_is_shown_with_their_passages():
    named = decide_name("Bankman-Fried", analyze(QUESTION, OUTLETS), EVIDENCE, citation_for)
    assert named.name == "Sam Bankman-Fried"  # the fullest form the passages give
    assert named.outlets == ["The Verge", "TechCrunch"]
    assert [c.doc_id for c in named.citations] == ["d1", "d2"]
    assert "The Verge and TechCrunch" in named.reason


def test_a_name_only_one_named_outlet_gives_is_withheld():
    evidence = [EVIDENCE[0], _ev(2, "TechCrunch", "Prosecutors said he committed fraud.")]
    named = decide_name("Sam Bankman-Fried", analyze(QUESTION, OUTLETS), evidence, citation_for)
    assert named.name == "" and named.citations == []
    assert "1 of the outlets" in named.reason


def test_a_name_no_passage_gives_or_the_question_gives_is_withheld():
    a = analyze(QUESTION, OUTLETS)
    assert decide_name("Caroline Ellison", a, EVIDENCE[:2], citation_for).name == ""
    named = decide_name("Caroline Ellison", a, EVIDENCE, citation_for)
    assert named.name == ""  # Fortune names her, but neither outlet the question names
    asked = analyze("Who sued The Verge, as TechCrunch reported about Sam Bankman-Fried?", OUTLETS)
    named = decide_name("Sam Bankman-Fried", asked, EVIDENCE, citation_for)
    assert named.name == "" and "question itself" in named.reason
    assert decide_name("none", a, EVIDENCE, citation_for).name == ""


def test_two_names_must_each_be_given():
    evidence = [
        _ev(1, "The Age", "Taylor Swift left the stadium with Travis Kelce."),
        _ev(2, "CBSSports.com", "Kelce made a friendship bracelet for Swift."),
    ]
    q = analyze("Which two public figures were seen leaving a stadium together?", ["The Age"])
    named = decide_name("Taylor Swift and Travis Kelce", q, evidence, citation_for)
    assert named.name == "Taylor Swift and Travis Kelce"
    # a first name no passage gives stands for the one bearer of that surname they name …
    named = decide_name("Taylor Swift and Jason Kelce", q, evidence, citation_for)
    assert named.name == "Taylor Swift and Travis Kelce"
    assert named.reason.startswith("the model wrote Taylor Swift and Jason Kelce;")
    # … and for none when they name two
    titled = [*evidence, _ev(3, "The Age", "Chiefs tight end Travis Kelce waved.")]
    assert decide_name("Jason Kelce", q, titled, citation_for).name == "Travis Kelce"
    both = [*evidence, _ev(3, "The Age", "Jason Kelce and Travis Kelce are brothers.")]
    assert decide_name("Taylor Swift and Donna Kelce", q, both, citation_for).name == ""


def test_a_name_the_headline_of_a_passages_article_gives_counts_for_its_outlet():
    question = analyze(
        "Which pop star, unable to avoid attention at 16 according to The Guardian, has been "
        "commended by Kevin Federline, as reported by The Independent?",
        ["The Guardian", "The Independent"],
    )
    guardian = Evidence(
        1,
        "g1",
        "The most shocking moments in Britney Spears’ memoir",
        "The Guardian",
        "2023-10-24",
        0,
        40,
        "By the age of 16, she is public property.",
        0.8,
        1,
    )
    independent = Evidence(
        2,
        "i1",
        "Britney Spears and Kevin Federline: a timeline",
        "The Independent",
        "2023-10-20",
        0,
        40,
        "Kevin commends Britney for recognising that.",
        0.7,
        2,
    )
    named = decide_name("Britney Spears", question, [guardian, independent], citation_for)
    assert named.name == "Britney Spears"
    assert named.outlets == ["The Guardian", "The Independent"]
    assert "headline" in named.reason
    # a headline about someone else does not count
    other = dataclasses.replace(guardian, title="The most shocking moments in Madonna’s memoir")
    named = decide_name("Britney Spears", question, [other, independent], citation_for)
    assert named.name == "" and "1 of the outlets" in named.reason
    # a round-up's headline does not name what a passage about someone else is about
    roundup = dataclasses.replace(
        guardian,
        title="Sam Altman backs a startup, Britney Spears’ memoir tops charts",
        text="By the age of 16, Christina Aguilera was public property.",
    )
    assert decide_name("Britney Spears", question, [roundup, independent], citation_for).name == ""
    # a model's first name no passage gives stands for the one bearer the headlines name
    assert decide_name("Mary Spears", question, [guardian, independent], citation_for).name == (
        "Britney Spears"
    )


def test_fullest_form_takes_an_entity_ending_with_the_name():
    assert (
        fullest_form("Altman", ["OpenAI chief Sam Altman spoke.", "Altman left."]) == "Sam Altman"
    )
    assert fullest_form("Altman", ["Altman left."]) == "Altman"
    # two names a headline joins are not one
    assert fullest_form("Kelce", ["Taylor Swift-Travis Kelce timeline: what to know"]) == "Kelce"
    assert fullest_form("Bankman-Fried", ["Sam Bankman-Fried went to court."]) == (
        "Sam Bankman-Fried"
    )


def _who_assistant(seed_index, embedder, name):
    def respond(messages):
        passages = passages_in(messages)
        eid, text = next((i, t) for i, t in passages.items() if "dismissed calls" in t)
        return json.dumps({"name": name, "sentences": [{"evidence": [eid], "text": text}]})

    gen = FakeGenerator(respond)
    assistant = Assistant(settings=seed_index, generator=gen)
    assistant.index._embedder = embedder
    return assistant, gen


WHO = "Who dismissed calls for another mobilization wave before the presidential inauguration?"


def test_pipeline_leads_with_a_name_the_passages_give(seed_index, embedder):
    assistant, gen = _who_assistant(seed_index, embedder, "Putin")
    answer = assistant.ask(WHO)
    assert "asks for the name of a person" in gen.history[-1][-1]["content"]
    assert answer.named is not None and "Putin" in answer.named.name
    assert answer.text.startswith(f"{answer.named.name} — ")
    assert all("Putin" in c.quote for c in answer.named.citations)
    assert_quotes_exact(answer, assistant.index)


def test_pipeline_withholds_a_name_no_passage_gives(seed_index, embedder):
    assistant, _ = _who_assistant(seed_index, embedder, "Angela Merkel")
    answer = assistant.ask(WHO)
    assert answer.named is not None and answer.named.name == ""
    assert "Merkel" in answer.named.reason and "Merkel" not in answer.text
    assert answer.sentences and not answer.sentences[0].lead
