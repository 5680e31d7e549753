"""The support checker on hand-made sentence/passage pairs, with the real embedder."""

from __future__ import annotations

import pytest

from qa.text import numbers, sentence_spans
from qa.verify import Sources, SupportChecker

PASSAGE = (
    "The Alder River Bridge will close for structural repairs for 14 weeks starting on 3 March "
    "2025, city engineer Dana Okafor said on Tuesday."
)


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
    ("sentence", "holds"),
    [
        # the outlet as the teller of its passage, however it is said
        ("The Harbour Gazette reported that the Alder River Bridge will close for 14 weeks.", True),
        ("According to the Harbour Gazette, the Alder River Bridge will close for 14 weeks.", True),
        ("The Harbour Gazette article says the Alder River Bridge will close for 14 weeks.", True),
        ("The Alder River Bridge will close for 14 weeks, reported the Harbour Gazette.", True),
        # … not as a doer in what the passage tells
        ("The Harbour Gazette will close the Alder River Bridge for 14 weeks.", False),
        ("The Harbour Gazette plans the closure of the Alder River Bridge for 14 weeks.", False),
    ],
)
def test_the_cited_outlet_may_be_named_as_the_teller_not_as_a_doer(checker, sentence, holds):
    sources = Sources("Harbour Gazette. Bridge to close.", ["Harbour Gazette"], [])
    check = checker.check(sentence, [PASSAGE], sources)
    assert check.supported is holds, check.reasons
    if not holds:
        assert any("only published the passage" in r for r in check.reasons), check.reasons


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The Alder River Bridge will close for 16 weeks from 3 March 2025.", "number"),
        ("The Alder River Bridge will close for 14 weeks, Mayor Henrik Sand said.", "name"),
        ("Ferry workers at the harbour will strike over pay next month.", "content words"),
        # a question states nothing; a bare "The bridge will." says too little to check
        ("Will the Alder River Bridge close for structural repairs?", "asks a question"),
        ("The bridge will.", "too little"),
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


def test_open_pairs_go_to_the_judge_in_one_call_and_decided_pairs_do_not(embedder):
    """Only pairs no rule decided and whose score is near the line are sent, in one batch;
    a rule's rejection (here a number) is never overturned."""
    calls: list[list[tuple[str, str]]] = []

    def judge_many(items):
        calls.append(items)
        return ["entailed"] * len(items)

    checker = SupportChecker(embedder.embed, threshold=0.5, judge_many=judge_many, judge_open=True)
    weak = "Okafor expects the crossing to be out of service for a while."  # vague, no rule
    wrong = "The Alder River Bridge will close for 16 weeks from 3 March 2025."
    right = "The Alder River Bridge will close for 14 weeks from 3 March 2025."
    checks = checker.check_many([(weak, [PASSAGE]), (wrong, [PASSAGE]), (right, [PASSAGE])])
    sent = [claim for batch in calls for claim, _ in batch]
    assert wrong not in sent and right not in sent
    assert not checks[1].supported and checks[2].supported
    if sent:  # the vague sentence was open: one call, and the judge decided it
        assert len(calls) == 1 and sent == [weak] and checks[0].judged == "entailed"
    assert checks[0].supported == bool(sent)


@pytest.mark.slow
def test_real_model_judges_several_pairs_in_one_call(tmp_path):
    from index.settings import load_settings
    from qa.llm import make_generator
    from qa.verify import llm_judge_many

    verdicts = llm_judge_many(make_generator(load_settings(tmp_path)))(
        [("The bridge will close for 14 weeks.", PASSAGE), ("Ferries will strike.", PASSAGE)]
    )
    assert len(verdicts) == 2
    assert set(verdicts) <= {"entailed", "contradicted", "not_enough_info"}


def test_links_may_pass_through_prepositions_but_not_other_clauses(checker):
    """ "Married … in a secret ceremony in New York" relates 'married' and 'York' as "married in
    New York" does; "Lind, who grew up in New York, has married …" does not say where she
    married."""
    sentence = "They married in New York and performed in Boston."
    said = [
        "The singer Mara Lind has married her partner Tom Vale in a secret ceremony in New York.",
        "Lind and Vale performed together at a charity gala in a concert hall in Boston.",
    ]
    check = checker.check(sentence, said)
    assert check.supported, check.reasons
    apart = [
        "Mara Lind, who grew up in New York, has married her partner Tom Vale in a secret "
        "ceremony.",
        "Lind and Vale, who both studied in Boston, performed together at a charity gala.",
    ]
    check = checker.check(sentence, apart)
    assert not check.supported and "not related" in check.reasons[0], check.reasons


def test_a_passage_among_others_is_as_close_as_alone(fake_embedder):
    """Closeness is to the cited passages together or, where no rule rejected the sentence, to
    any one of them: other passages' words that dilute the joint vector (here: a joint vector
    that says nothing) do not hide the passage that says it. A changed number is still
    rejected by the rules."""
    said = "The team started training the puppies three months before the shoot."
    others = [
        "Casting notes: Ava Brooks, Liam Chen, Noor Haddad and Oskar Lind.",
        "Locations: Harbour Street, Mill Lane, Quarry Road and Station Square.",
    ]
    joined = " ".join([*others, said])

    def embed(texts):
        vecs = fake_embedder.embed(texts)
        for row, text in enumerate(texts):
            if text == joined:  # close to nothing
                vecs[row] = 0.0
        return vecs

    checker = SupportChecker(embed, threshold=0.5)
    sentence = "The team started coaching the puppies three months prior to the shoot."
    alone = checker.check(sentence, [said])
    among = checker.check(sentence, [*others, said])
    assert alone.supported and among.supported, among.reasons
    assert among.score == pytest.approx(alone.score, abs=0.02)
    wrong = checker.check(sentence.replace("months", "years"), [*others, said])
    assert not wrong.supported and any("years" in r for r in wrong.reasons), wrong.reasons


def test_a_name_spelt_otherwise_or_glued_by_a_scraped_page_is_covered(checker):
    """Coverage finds the names the meaning checks accept: one spelt with a single or doubled
    letter, a month glued to a page's menu word. Another name is still another name."""
    died = ["Elizabeth Patterson, a three-term congresswoman, died Saturday.", "She was 78."]
    check = checker.check("Paterson died on Saturday at the age of 78.", died)
    assert check.supported and "Paterson" not in check.uncovered, check.reasons
    other = checker.check("Peterson died on Saturday at the age of 78.", died)
    assert not other.supported and any("Peterson" in r for r in other.reasons), other.reasons
    award = ["HomeNewsOPINIONApril 11 2019 - 12:00AM", "This week she visited Sydney to accept it."]
    check = checker.check("She accepted the award in April.", award)
    assert "April" not in check.uncovered and check.supported, check.reasons
    assert not checker.check("She accepted the award in May.", award).supported


def test_a_heading_close_to_the_sentence_does_not_excuse_its_missing_words(fake_embedder):
    """Only closeness to the passages together may excuse low word coverage as a paraphrase:
    a heading among them that names the sentence's topic (here: embedded exactly like the
    sentence) does not say what the sentence says about it."""
    sentence = "This interactive educational website narrates the history of riders in racing."
    heading = "# The Chronicle of Riders in Racing"
    passages = [heading, "Tips for turning clues into facts.", "Summer intern reveals all."]

    def embed(texts):
        vecs = fake_embedder.embed(texts)
        for row, text in enumerate(texts):
            if text == heading:
                vecs[row] = fake_embedder.embed([sentence])[0]
        return vecs

    check = SupportChecker(embed, threshold=0.5).check(sentence, passages)
    assert not check.supported and any("content words" in r for r in check.reasons), check


def test_the_date_an_article_appeared_is_checked_against_its_publication_date(checker):
    # The model often repeats the evidence header: "TechCrunch, on November 6, 2023, …". The
    # passage text has no date; the article's metadata does.
    passage = "The startup raised $5 million in a seed round led by Acme Ventures."
    sentence = "TechCrunch, on November 6, 2023, reported that the startup raised $5 million."
    title = "TechCrunch. Startup raises seed round."

    def sources(published: str) -> Sources:
        return Sources(title, ["TechCrunch"], [published])

    assert checker.check(sentence, [passage], sources("2023-11-06T09:30:00")).supported
    wrong_day = checker.check(sentence, [passage], sources("2023-11-07"))
    assert "the passage does not give the year 2023" in wrong_day.reasons, wrong_day.reasons
    assert not checker.check(sentence, [passage], title).supported  # no dates given: as before
    # a date of what someone else said is not the article's date
    said = "Acme Ventures said on November 6, 2023 that the startup raised $5 million."
    assert not checker.check(said, [passage], sources("2023-11-06")).supported


def test_a_passage_heading_repeated_as_a_label_says_who_reported_and_when(checker):
    # MultiHop-RAG dev, query 176 (Fortune, 2023-10-18): the model writes the sentence under
    # the heading its passages are laid out with ("Fortune, 2023-10-18:") — who reported it
    # and when, not words the passage must contain.
    passage = (
        "Bipartisan groups of lawmakers have been floating ways to operate the House by giving "
        "greater power to McHenry or another temporary speaker."
    )
    title = "Fortune. Republicans dump Jim Jordan."

    def sources(outlet: str, published: str) -> Sources:
        return Sources(title, [outlet], [published])

    for label in ("Fortune, 2023-10-18: ", "Fortune (2023-10-18): ", "Fortune: "):
        check = checker.check(label + passage, [passage], sources("Fortune", "2023-10-18T09:00"))
        assert check.supported, (label, check.reasons)
    # a label naming another day or another outlet than the cited article's is not excused
    wrong_day = checker.check(
        "Fortune, 2023-10-19: " + passage, [passage], sources("Fortune", "2023-10-18")
    )
    assert (
        not wrong_day.supported and "the passage does not give the year 2023" in wrong_day.reasons
    )
    other = checker.check(
        "Reuters, 2023-10-18: " + passage, [passage], sources("Fortune", "2023-10-18")
    )
    assert not other.supported
    # and a label leaves the rest to be checked as before
    never = (
        "Fortune, 2023-10-18: Bipartisan groups of lawmakers have never floated ways to give "
        "greater power to McHenry."
    )
    assert checker.check(never, [passage], sources("Fortune", "2023-10-18")).contradicted


def test_the_words_saying_who_told_it_are_not_words_the_passage_must_hold(checker):
    # MultiHop-RAG dev, query 330 (The New York Times): "The article from … describes" says
    # who told it; the passage cannot contain "article" or "describes"
    passage = (
        "In the situation Sunday, the Jets’ offense had netted 19 yards on its previous three "
        "possessions, producing one field goal on a drive that gained 16 of those yards."
    )
    nyt = Sources("The New York Times. Jets fall.", ["The New York Times"], ["2023-10-16"])
    told = (
        "The article from The New York Times describes the Jets' offense netting 19 yards on "
        "its previous three possessions."
    )
    check = checker.check(told, [passage], nyt)
    assert check.supported and "article" not in check.uncovered, check
    # the frame alone says nothing, and a verb that takes a side is not plain telling
    assert not checker.check("The New York Times article reports.", [passage], nyt).supported
    blames = "The New York Times blames the Jets' offense for 19 yards."
    assert "blames" in checker.check(blames, [passage], nyt).uncovered


def test_a_sentence_sharing_only_names_and_numbers_with_its_passage_is_not_supported(checker):
    """Seed article sentences (Espreso Global): the model's sentence keeps the name and the years
    of the passage it cites but says something else of them."""
    warned = (
        "As Andriy Chernyak warned, the Russian state might still have enough resources to "
        "wage a conventional war in 2023 and 2024."
    )
    acknowledged = (
        "Andriy Chernyak, the representative of the Main Intelligence Directorate of the "
        "Ministry of Defense of Ukraine, recently released a statement acknowledging Russia's "
        "failed mobilization in 2023."
    )
    sentence = "Andriy Chernyak acknowledged Russia's failed mobilization in 2023 and 2024."
    check = checker.check(sentence, [warned])
    assert not check.supported
    assert any("only names and numbers" in r and "mobilization" in r for r in check.reasons)
    # the article's headline names the topic ("mobilization"); it says nothing of what happened
    headline = "Espreso Global. Russia's Failed Mobilization: Victory for Ukraine"
    assert not checker.check(sentence, [warned], headline).supported
    right = checker.check(
        "Andriy Chernyak acknowledged Russia's failed mobilization in 2023.", [acknowledged]
    )
    assert right.supported, right.reasons


def test_a_word_repeated_in_the_sentence_counts_once_for_coverage(checker):
    """A model's sentence (bench question on the seed articles) that says its subject twice:
    only the subject is in the cited passage, not what it says of it."""
    passage = (
        "Mobilized personnel from Serpukhov, Moscow Oblast, claimed on November 23 that the "
        "Russian military command sent them into battle without proper training, uniforms, or "
        "protective gear, leading them to suffer mass casualties."
    )
    sentence = (
        "The mobilized personnel from Serpukhov complained about being poorly staffed, "
        "provisioned, and supplied Russian mobilized personnel."
    )
    check = checker.check(sentence, [passage])
    assert not check.supported
    assert {"complained", "staffed", "provisioned"} <= set(check.uncovered)
    said = (
        "Mobilized personnel from Serpukhov claimed that the Russian military command sent them "
        "into battle without proper training."
    )
    assert checker.check(said, [passage]).supported
