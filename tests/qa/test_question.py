"""Question analysis (qa/question.py): kinds, outlets matched against a given outlet list,
entities and dates from spaCy, and the retrieval plan. Fast (spaCy only, no embedder), plus one
test on the real demo-corpus index."""

from __future__ import annotations

import pytest

from qa.question import (
    analyze,
    archive_outlets,
    articles_named,
    evidence_budget,
    match_outlets,
    names_one_article,
    outlet_head,
    premises,
    question_clauses,
    report_order,
    retrieval_plan,
    split_parts,
    whether_clause,
)
from qa.retrieve import Boost, Filters
from tests.conftest import EXAMPLES

OUTLETS = [
    "The Guardian",
    "BBC News",
    "TechCrunch",
    "The Verge",
    "Valley Courier",
    "Harbour Ledger",
    "Fortune",
    "Wired",
]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who closed the Alder River Bridge?", "wh"),
        ("Does the council plan to cut the library budget?", "yes_no"),
        ("Did the Guardian and the BBC both report the closure?", "comparison"),
        ("Was the bridge closed before the ferry strike?", "temporal"),
        ("How many weeks will the bridge be closed?", "count"),
        ("List the outlets that covered the ferry strike.", "list"),
        ("Which outlets reported the water rate rise?", "list"),
        # a yes/no question behind a fronted phrase: the auxiliary still precedes its subject
        ("After the Ledger's report, was the bridge closed?", "temporal"),
        ("In 2024, did the council cut the library budget?", "yes_no"),
        ("Which company, as reported by TechCrunch, has spent billions?", "wh"),
    ],
)
def test_kind(question, kind):
    assert analyze(question, OUTLETS).kind == kind


def test_yes_no_comparison_keeps_every_kind():
    a = analyze("Did the Guardian and the BBC both report the closure before March 2025?", OUTLETS)
    assert a.kind == "comparison"
    assert {"comparison", "temporal", "yes_no"} <= set(a.kinds)


@pytest.mark.parametrize(
    ("question", "outlets"),
    [
        ("What did the TechCrunch article say about the layoffs?", ("TechCrunch",)),
        ("According to the Verge, when does the phone ship?", ("The Verge",)),
        (
            "Did the Guardian and the BBC both report the strike?",
            ("The Guardian", "BBC News"),
        ),
        ("What did the Courier say?", ("Valley Courier",)),  # distinctive last word
        ("Is the harbour ledger right?", ("Harbour Ledger",)),  # case does not matter for names
        ("Who covered the ferry strike?", ()),
        ("Is the bbc building open?", ()),  # a short alias only in capitals
        ("What did Mashable report?", ()),  # not an outlet of this archive
    ],
)
def test_outlets_are_matched_against_the_given_list(question, outlets):
    assert analyze(question, OUTLETS).outlets == outlets


def test_outlets_come_from_the_list_not_from_a_fixed_table():
    q = "What did the Guardian report?"
    assert analyze(q, ["The Guardian"]).outlets == ("The Guardian",)
    assert analyze(q, ["Valley Courier"]).outlets == ()
    spans = match_outlets("The Harbour Ledger and the Valley Courier", OUTLETS)
    assert [(o, s, e) for o, s, e in spans] == [
        ("Harbour Ledger", 4, 18),
        ("Valley Courier", 27, 41),
    ]


def test_entities_exclude_outlet_mentions():
    a = analyze("Did Ilse Marranen tell the Valley Courier that Port Alder will pay?", OUTLETS)
    assert "Ilse Marranen" in a.people
    assert "Port Alder" in a.places + a.organisations
    assert not any("Courier" in n for n in a.people + a.places + a.organisations)


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did the Verge report in October 2023?", "2023-10-01", "2023-10-31"),
        ("What happened before March 2025?", "", "2025-02-28"),
        ("What happened after 3 March 2025?", "2025-03-04", ""),
        ("What has the council said since 2024?", "2024-01-01", ""),
        ("What did the council decide in 2024?", "2024-01-01", "2024-12-31"),
        ("What did the council decide last week?", "", ""),
    ],
)
def test_dates_become_iso_ranges(question, since, until):
    a = analyze(question, OUTLETS)
    assert (a.since, a.until) == (since, until)


def test_analysis_is_a_plain_dict_for_json():
    d = analyze("What did the Verge report in October 2023?", OUTLETS).to_dict()
    assert d["outlets"] == ["The Verge"] and d["since"] == "2023-10-01"
    assert d["dates"][0]["relation"] == "in"


def test_retrieval_plan_boosts_splits_and_yields_to_explicit_filters():
    plain = analyze("How long will the bridge be closed?", OUTLETS)
    assert retrieval_plan(plain) == (None, [])  # no outlet, no date: retrieval unchanged
    one = analyze("What did the Courier report in February 2025?", OUTLETS)
    boost, parts = retrieval_plan(one)
    assert boost == Boost(("Valley Courier",), "2025-02-01", "2025-02-28")
    # asked of one outlet: one part within it, without the outlet's name (which would rank
    # its own words, not the question's), its date still a boost
    assert [(p.query, p.outlet, p.boost) for p in parts] == [
        (
            "What did report in February 2025?",
            "Valley Courier",
            Boost(since="2025-02-01", until="2025-02-28"),
        )
    ]
    quoted = analyze("Did 'The Verge's' review of Russia's war say so?", OUTLETS)
    assert retrieval_plan(quoted)[1][0].query == "Did review of Russia's war say so?"
    fortune = analyze("Who made a fortune selling tickets?", OUTLETS)
    assert fortune.outlets == ("Fortune",)  # matched, but not named as a name: a boost only
    assert retrieval_plan(fortune)[1] == []
    two = analyze("Did the Guardian and the BBC both report the strike?", OUTLETS)
    boost, parts = retrieval_plan(two)
    assert [p.outlet for p in parts] == ["The Guardian", "BBC News"]
    assert [p.one_article for p in parts] == [False, False]
    # explicit CLI filters are authoritative
    boost, parts = retrieval_plan(two, Filters(outlet="Reuters"))
    assert boost is None and parts == []
    boost, _ = retrieval_plan(one, Filters(since="2020-01-01"))
    assert boost == Boost(("Valley Courier",))


@pytest.mark.parametrize(
    ("question", "one"),
    [
        ("Does the TechCrunch article suggest X, while the Verge notes Y?", [True, False]),
        ("Did the report from 'The Guardian' and the BBC's piece agree?", [True, True]),
        ("Do the Guardian and Wired articles both say X?", [False, False]),
        ("Did Fortune and the Verge report that the merger was blocked?", [False, False]),
        ("Did Wired report on the strike before the Guardian's story ran?", [False, True]),
        (
            "Between the Wired report on X and an article by TechCrunch on Y, what changed?",
            [True, True],
        ),
    ],
)
def test_a_mention_names_one_article_by_the_singular_noun_next_to_it(question, one):
    found = [names_one_article(question, s, e) for _, s, e in match_outlets(question, OUTLETS)]
    assert found == one


def test_two_articles_of_one_outlet_are_two_parts_within_it():
    q = (
        "Does the TechCrunch article on Meta's ad practices agree with the TechCrunch report "
        "on Norway's privacy fine?"
    )
    _, parts = retrieval_plan(analyze(q, OUTLETS))
    assert [p.outlet for p in parts] == ["TechCrunch", "TechCrunch"]
    assert [p.one_article for p in parts] == [True, True]
    assert "Meta" in parts[0].query and "Norway" in parts[1].query


@pytest.mark.slow
def test_on_the_demo_corpus_index(settings, embedder):
    from index.ingest import ingest
    from qa.api import Assistant

    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    assistant = Assistant(settings=settings)
    assistant.index._embedder = embedder
    outlets = archive_outlets(assistant.index.documents())
    assert {"Harbour Ledger", "Valley Courier", "Northwind Wire"} <= set(outlets)
    a = assistant.engine.analyze("Did the Ledger and Northwind Wire both report in March 2025?")
    assert a.outlets == ("Harbour Ledger", "Northwind Wire") and a.kind == "comparison"
    assert (a.since, a.until) == ("2025-03-01", "2025-03-31")
    # a comparison naming two outlets: the evidence covers both
    _, evidence = assistant.engine.gather(
        "Did the Harbour Ledger and the Valley Courier both report the bridge closure?", 6
    )
    assert {"Harbour Ledger", "Valley Courier"} <= {e.outlet for e in evidence}
    assert [e.eid for e in evidence] == list(range(1, len(evidence) + 1))
    # a named outlet ranks its own article first
    _, evidence = assistant.engine.gather("What did the Courier say about the bridge closure?", 6)
    assert evidence[0].outlet == "Valley Courier"


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        (
            "Does Russia need to mobilize five million people to win the war?",
            "whether Russia does need to mobilize five million people to win the war",
        ),
        (
            "Did the Fortune article claim that the film broke a record?",
            "whether the Fortune article did claim that the film broke a record",
        ),
        (
            "Has the council approved the library budget?",
            "whether the council has approved the library budget",
        ),
        (
            "Was the new bridge safe after the storm?",
            "whether the new bridge was safe after the storm",
        ),
        # spaCy reads "inconsistent" as a noun here: no predicate left, so no clause
        ("Was the reporting on the bridge inconsistent after the strike?", ""),
        (
            "Between the two reports, was there a change in tone?",
            "whether between the two reports, there was a change in tone",
        ),
        ("Who closed the bridge?", ""),  # not a yes/no question
    ],
)
def test_whether_clause(question, clause):
    assert whether_clause(question) == clause


def test_a_question_about_four_outlets_is_split_into_four_parts():
    q = (
        "Does the Guardian article say the bridge will close in May, while the BBC News "
        "report says the ferry strike ends in June, the Harbour Ledger piece claims the "
        "council approved the library budget, and Wired reports that repairs cost 55 million?"
    )
    a = analyze(q, OUTLETS)
    parts = split_parts(a)
    assert [o for o, _ in parts] == ["The Guardian", "BBC News", "Harbour Ledger", "Wired"]
    words = dict(parts)
    assert "bridge will close in May" in words["The Guardian"]
    assert "ferry strike ends in June" in words["BBC News"]
    assert "library budget" in words["Harbour Ledger"] and "bridge" not in words["Harbour Ledger"]
    assert "repairs cost 55 million" in words["Wired"]
    _, plan = retrieval_plan(a)
    assert [p.outlet for p in plan] == ["The Guardian", "BBC News", "Harbour Ledger", "Wired"]
    assert all(p.filters.outlet == p.outlet for p in plan)


def test_parts_take_the_words_a_closing_mention_ends():
    q = (
        "Which company is accused of raising fares as reported by the Verge, and spent "
        "billions on default search deals according to TechCrunch?"
    )
    words = dict(split_parts(analyze(q, OUTLETS)))
    assert "raising fares" in words["The Verge"] and "search" not in words["The Verge"]
    assert "billions on default search deals" in words["TechCrunch"]


def test_a_mention_without_words_of_its_own_uses_the_whole_question():
    q = (
        "Between the report from Wired on 2023-11-24 and the report from Fortune on "
        "2023-11-25, was there a change in tone about chargers?"
    )
    a = analyze(q, OUTLETS)
    _, plan = retrieval_plan(a)
    assert [p.outlet for p in plan] == ["Wired", "Fortune"]
    assert plan[0].query == a.question  # "on 2023-11-24 and the report from": nothing its own
    assert plan[0].boost.since == "2023-11-24"  # the part's own date ranks its article first
    assert plan[1].boost.since == "2023-11-25"


def test_same_outlet_twice_gives_two_parts():
    q = (
        "Does one Fortune article report a box office record for the concert film, while "
        "another Fortune article projects weak ticket sales for the tour?"
    )
    parts = split_parts(analyze(q, OUTLETS))
    assert [o for o, _ in parts] == ["Fortune", "Fortune"]
    assert parts[0][1] != parts[1][1]


def test_evidence_budget_depends_on_the_question():
    one = analyze("How long will the bridge be closed?", OUTLETS)
    assert evidence_budget(one, 0, base=6, per_part=2, most=8) == 6
    listing = analyze("Which outlets reported the ferry strike?", OUTLETS)
    assert evidence_budget(listing, 0, base=6, per_part=2, most=8) == 8
    assert evidence_budget(one, 2, base=6, per_part=2, most=8) == 6
    assert evidence_budget(one, 4, base=6, per_part=2, most=8) == 8
    assert evidence_budget(one, 6, base=6, per_part=2, most=8) == 8  # never more than most


def test_iso_dates():
    a = analyze("What did Wired report on 2023-11-24?", OUTLETS)
    assert (a.since, a.until) == ("2023-11-24", "2023-11-24")


def test_clauses_of_a_long_question():
    q = (
        "Does the Guardian article say the bridge will close in May, while the BBC News "
        "report says the ferry strike ends in June?"
    )
    assert question_clauses(q) == [
        "Does the Guardian article say the bridge will close in May",
        "the BBC News report says the ferry strike ends in June",
    ]
    assert question_clauses("Who won the football World Cup in 2022?") == [
        "Who won the football World Cup in 2022"
    ]


def test_an_outlet_is_named_without_the_tagline_its_feed_appends():
    outlets = [
        "Cnbc | World Business News Leader",
        "BBC News - Entertainment & Arts",
        "FOX News - Health",
        "FOX News - Lifestyle",
        "The Verge",
    ]
    assert outlet_head("Cnbc | World Business News Leader") == "Cnbc"
    assert outlet_head("BBC News - Entertainment & Arts") == "BBC News"
    assert outlet_head("Spider-Man Daily") == "Spider-Man Daily"  # a hyphen inside a word
    found = match_outlets("as reported by TechCrunch, The Verge and CNBC", outlets)
    assert [o for o, _, _ in found] == ["The Verge", "Cnbc | World Business News Leader"]
    found = match_outlets("What did BBC News say about the premiere?", outlets)
    assert [o for o, _, _ in found] == ["BBC News - Entertainment & Arts"]
    # a head two outlets share names neither of them; a tagline word alone names nothing
    assert match_outlets("What did FOX News say?", outlets) == []
    assert match_outlets("Who is the Leader of the party?", outlets) == []


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        (
            "Between the report of the Guardian on 3 May and the report of Wired on 9 May, "
            "was there a change in how the closure was described?",
            True,
        ),
        ("According to Fortune, has the view on housing changed since October?", True),
        ("Which company, as reported by the Verge, has spent billions on search deals?", False),
        ("After the closure, which roads did the council reopen first?", False),
    ],
)
def test_a_yes_no_main_clause_after_fronted_phrases(question, yes_no):
    assert ("yes_no" in analyze(question, OUTLETS).kinds) is yes_no


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Has the Verge's view of the phone remained consistent or inconsistent?", "choice"),
        ("Is the Alder River Bridge open or closed?", "choice"),
        ("Did the Courier report the closure before or after the ferry strike began?", "choice"),
        ("Did the Guardian or the BBC report the closure?", "yes_no"),
        ("Do both articles blame the council, or do they blame the contractor?", "yes_no"),
    ],
)
def test_a_question_offering_alternatives_is_not_a_yes_no_question(question, kind):
    kinds = analyze(question, OUTLETS).kinds
    assert kind in kinds
    assert ("yes_no" in kinds) is (kind == "yes_no")


def test_articles_named_counts_another_article_of_the_same_outlet():
    def named(question):
        return articles_named(analyze(question, OUTLETS))

    assert named(
        "Does Fortune report a record, while another article from Fortune reports a loss?"
    ) == {"Fortune": 2}
    # "the subsequent report from …" (MultiHop-RAG dev, query 179) is a second one too
    assert named(
        "Between the report from Fortune on September 26 and the subsequent report from "
        "Fortune on December 6, did the narrative change?"
    ) == {"Fortune": 2}
    # the same outlet named twice about one article is one article
    assert named("Did Fortune report the loss, and did Fortune blame the board?") == {"Fortune": 1}
    assert named("Did the Guardian and Wired both report the closure?") == {
        "The Guardian": 1,
        "Wired": 1,
    }


def test_a_short_outlet_name_that_is_a_word_is_matched_after_the():
    outlets = ["The Age", "Yardbarker", "BBC News"]
    q = "Did both the report from The Age after September 26 and the Yardbarker report agree?"
    assert [o for o, _, _ in match_outlets(q, outlets)] == ["The Age", "Yardbarker"]
    assert match_outlets("At what age did he retire, and what is the age limit?", outlets) == []
    assert [o for o, _, _ in match_outlets("Did the BBC say so?", outlets)] == ["BBC News"]


@pytest.mark.parametrize(
    ("question", "order"),
    [
        (
            "Did Wired report the outage before the BBC reported the fine?",
            ("Wired", "before", "BBC News"),
        ),
        (
            "Did TechCrunch cover the sale after the Verge reported it?",
            ("TechCrunch", "after", "The Verge"),
        ),
        ("Was the ban reported by Wired before or after the BBC covered it?", None),
        ("Did the Wired report published before December 5, 2023 agree with the BBC?", None),
        ("Did Wired fail to report the outage before the BBC reported the fine?", None),
        ("Did Wired and the BBC both report the outage?", None),
    ],
)
def test_a_question_about_which_report_came_first(question, order):
    assert report_order(analyze(question, OUTLETS)) == order


def test_the_premises_a_yes_no_question_says_an_outlet_reported():
    def said(question):
        return [(p.outlet, p.claim) for p in premises(analyze(question, OUTLETS))]

    # MultiHop-RAG dev, query 117: one premise per outlet, up to where the question moves on
    assert said(
        "Does the 'Fortune' article suggest that Rep. Patrick McHenry is actively seeking a "
        "permanent speaker role, while 'The Guardian' article indicates that Kevin McCarthy "
        "has been removed from the speaker position?"
    ) == [
        ("Fortune", "Rep. Patrick McHenry is actively seeking a permanent speaker role."),
        ("The Guardian", "Kevin McCarthy has been removed from the speaker position."),
    ]
    # "in" of the premise's own words stays; "compared to …" and "in contrast" end it
    assert said(
        "Does the TechCrunch article suggest that users turn to Snapchat due to trust in other "
        "platforms, in contrast to the Verge?"
    ) == [("TechCrunch", "Users turn to Snapchat due to trust in other platforms.")]
    assert said(
        "Does the TechCrunch article suggest that CIOs are less cautious in their strategy "
        "compared to the belief of business leaders?"
    ) == [("TechCrunch", "CIOs are less cautious in their strategy.")]
    # a subject naming two outlets ("…, respectively") gives none, nor a wh- question or one
    # offering alternatives
    assert (
        said(
            "Do the Wired and Fortune articles suggest that the fund grew and that it shrank, "
            "respectively?"
        )
        == []
    )
    assert said("Which company did the Fortune article suggest is growing fastest?") == []
    assert said("Was the Fortune report that the fund grew consistent or inconsistent?") == []
