"""The support checker on hand-made sentence/passage pairs, with the real embedder."""

from __future__ import annotations

import pytest

from qa.text import numbers, sentence_spans
from qa.verify import SupportChecker

PASSAGE = (
    "The Alder River Bridge will close for structural repairs for 14 weeks starting on 3 March "
    "2025, city engineer Dana Okafor said on Tuesday."
)


@pytest.fixture(scope="module")
def checker(embedder):
    return SupportChecker(embedder.embed, threshold=0.5)


def test_supported_paraphrase(checker):
    check = checker.check(
        "The Alder River Bridge will close for 14 weeks from 3 March 2025, Dana Okafor said.",
        [PASSAGE],
    )
    assert check.supported, check.reasons


def test_naming_the_cited_outlet_is_supported_only_with_that_outlet(checker):
    sentence = "The Harbour Gazette reported that the Alder River Bridge will close for 14 weeks."
    assert checker.check(sentence, [PASSAGE], "Harbour Gazette. Bridge to close.").supported
    alone = checker.check(sentence, [PASSAGE])  # the outlet is not in the passage text
    assert not alone.supported and any("Gazette" in r for r in alone.reasons), alone.reasons
    other = checker.check(sentence, [PASSAGE], "Valley Courier. Bridge to close.")
    assert not other.supported


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The Alder River Bridge will close for 16 weeks from 3 March 2025.", "number"),
        ("The Alder River Bridge will close for 14 weeks, Mayor Henrik Sand said.", "name"),
        ("Ferry workers at the harbour will strike over pay next month.", "content words"),
    ],
)
def test_unsupported(checker, sentence, reason):
    check = checker.check(sentence, [PASSAGE])
    assert not check.supported
    assert any(reason in r for r in check.reasons), check.reasons


def test_dropped_hedge_is_not_supported(checker):
    passage = "Russian leadership may be distributing a document among servicemembers."
    check = checker.check(
        "Russian leadership is distributing a document among servicemembers.", [passage]
    )
    assert not check.supported and "hedges" in check.reasons[0]
    assert checker.check("Russian leadership may be distributing a document.", [passage]).supported


def test_numbers_and_sentences():
    assert numbers("five million and 5 million, 300,000 and 9 percent") == {5e6, 3e5, 9.0}
    text = "Dr. Okafor spoke. The U.S. envoy agreed on Nov. 5. “We will see.” Then 14 weeks."
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        "Dr. Okafor spoke.",
        "The U.S. envoy agreed on Nov. 5.",
        "“We will see.”",
        "Then 14 weeks.",
    ]


def test_judge_can_veto(embedder):
    vetoing = SupportChecker(
        embedder.embed, threshold=0.5, judge=lambda claim, passage: "contradicted"
    )
    check = vetoing.check("The Alder River Bridge will close for 14 weeks.", [PASSAGE])
    assert not check.supported and "judged it contradicted" in check.reasons[0]


@pytest.mark.slow
def test_real_model_as_judge(embedder, tmp_path):
    from index.settings import load_settings
    from qa.llm import make_generator
    from qa.verify import llm_judge

    judge = llm_judge(make_generator(load_settings(tmp_path)))
    assert judge("The bridge will close for 14 weeks.", PASSAGE) == "entailed"
    assert judge("The bridge will stay open all year.", PASSAGE) != "entailed"
