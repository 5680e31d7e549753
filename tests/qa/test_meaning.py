"""Meaning checks with the real spaCy pipeline and the real embedder: one case of each kind of
perturbation, a paraphrase of each, and the four sentences of issue #11's table."""

from __future__ import annotations

import pytest

from qa.meaning import compare, same_matter

pytestmark = pytest.mark.slow

REGAINED = (
    "Ukraine has already regained approximately 9,000 square kilometres of area from "
    "Russia's military."
)
UNABLE = "The Russian army proved unable to conduct a strategic offensive operation."
DISMISSED = (
    "Putin dismissed calls for another mobilization wave several months prior to his "
    "presidential inauguration in May 2024."
)
BRIDGE = (
    "The Alder River Bridge will close for structural repairs for 14 weeks starting on 3 March "
    "2025, city engineer Dana Okafor said on Tuesday."
)
HEDGED = "Russian leadership may be distributing a document among servicemembers."
CLAIMED = "The ministry claimed that the convoy carried only humanitarian aid."


def test_the_four_sentences_of_the_issue(checker):
    """Role swap, negation and antonym are rejected as contradictions; the month "May" is not
    read as a hedge, so the true paraphrase passes."""
    swap = checker.check(
        "Russia has regained approximately 9,000 square kilometres from Ukraine's military.",
        [REGAINED],
    )
    assert not swap.supported and swap.contradicted
    assert [f.kind for f in swap.findings] == ["role"], swap.reasons
    assert "Russia" in swap.reasons[0] and "Ukraine" in swap.reasons[0]

    negated = checker.check("Ukraine has not regained any area from Russia's military.", [REGAINED])
    assert not negated.supported and negated.contradicted
    assert any(f.kind == "negation" for f in negated.findings), negated.reasons

    able = checker.check(
        "The Russian army was able to conduct a strategic offensive operation.", [UNABLE]
    )
    assert not able.supported and able.contradicted
    assert "'able'" in able.reasons[0] and "'unable'" in able.reasons[0]

    month = checker.check(
        "Putin dismissed calls for another mobilization wave before his inauguration.",
        [DISMISSED],
    )
    assert month.supported, month.reasons


@pytest.mark.parametrize(
    ("kind", "sentence", "passage", "words"),
    [
        ("negation", "The Alder River Bridge will not close for 14 weeks.", BRIDGE, "'close'"),
        ("antonym", "Putin endorsed calls for another mobilization wave.", DISMISSED, "endorsed"),
        (
            "role",
            "The city council was closed by the bridge.",
            "The bridge was closed by the city council on Monday.",
            "city council",
        ),
        (
            "number",
            "Ukraine has regained approximately 3,000 square kilometres from Russia's military.",
            REGAINED,
            "3,000",
        ),
        (
            "unit",
            "The Alder River Bridge will close for 14 days from 3 March 2025.",
            BRIDGE,
            "days",
        ),
        (
            "date",
            "Putin dismissed calls for another mobilization wave before his inauguration in "
            "June 2024.",
            DISMISSED,
            "June",
        ),
        (
            "entity",
            "The Alder River Bridge will close for 14 weeks, city engineer Mark Sand said.",
            BRIDGE,
            "Mark Sand",
        ),
        (
            "hedge",
            "Russian leadership is distributing a document among servicemembers.",
            HEDGED,
            "may",
        ),
        ("hedge", "The convoy carried only humanitarian aid.", CLAIMED, "claimed"),
        ("scope", "Only the Alder River Bridge will close for 14 weeks.", BRIDGE, "Only"),
        (
            "bound",
            "Ukraine has regained more than 9,000 square kilometres from Russia's military.",
            REGAINED,
            "9,000",
        ),
    ],
)
def test_each_kind_of_perturbation_is_rejected_with_its_reason(
    checker, kind, sentence, passage, words
):
    check = checker.check(sentence, [passage])
    assert not check.supported
    found = [f for f in check.findings if f.kind == kind]
    assert found, check.reasons
    assert words in found[0].reason, found[0].reason


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        ("Ukraine has taken back around 9,000 square kilometres from Russian forces.", REGAINED),
        ("The Russian army was unable to carry out a strategic offensive operation.", UNABLE),
        ("The bridge was closed by the city council.", "The city council closed the bridge."),
        (
            "Dana Okafor said the Alder River Bridge will shut for 14 weeks from 3 March 2025.",
            BRIDGE,
        ),
        ("Russian leadership may be handing out a document to servicemembers.", HEDGED),
        ("The ministry said the convoy carried only humanitarian aid.", CLAIMED),
    ],
)
def test_true_paraphrases_pass(checker, sentence, passage):
    check = checker.check(sentence, [passage])
    assert check.supported, check.reasons
    assert check.verdict == "entailed" and not check.findings


def test_no_longer_and_negated_opposites():
    # "no longer fun" negates "fun"; "remains open" agrees with "will not be closed"
    assert [f.kind for f in compare("The rallies are fun.", ["The rallies were no longer fun."])]
    assert not compare("The investigation remains open.", ["The case will not be closed."])


def test_same_matter_needs_the_same_event():
    claim = "The council will cut the library budget by 9 percent."
    assert same_matter(claim, "The council will cut the library budget by 12 percent.")
    # an opposite verb and a shared unit are not the same event
    assert not same_matter(claim, "The utility will raise household rates by 12 percent.")


def test_a_sentence_assembled_from_the_passages_words_is_not_supported(checker):
    """Every word of "Putin is the president of Russia" occurs in these passages, but nothing
    in them says it: the words the sentence links stand apart in the passages."""
    passages = [
        "Putin dismissed calls for another mobilization wave prior to his presidential "
        "inauguration in May 2024.",
        "Russia needs to mobilize five million personnel.",
    ]
    general = checker.check("Putin is the president of Russia.", passages)
    assert not general.supported and "not related" in general.reasons[0]
    assert checker.check("Russia needs five million personnel.", passages).supported
    assert checker.check("Putin dismissed calls for another mobilization wave.", passages).supported


COWBOYS = (
    "The Cowboys opened Week 13 by rallying to beat the Seahawks on Thursday night, keeping the "
    "heat on the losing Eagles ahead of them before hosting that team in Dallas in Week 14."
)


# Premises of MultiHop-RAG questions whose answer is "no" (queries 188, 134, 274 of the dev
# set, with the passages of their gold evidence) and an answer sentence to query 296: each
# says the opposite of its passage in words the passage does not use.
@pytest.mark.parametrize(
    ("kind", "sentence", "passage", "words"),
    [
        (  # the same stem with "-less" and "-ful"; the passage's "which" stands for GameStop
            "antonym",
            "A GameStop gift card is a universally useless gift for gamers.",
            "Alternatively, you could buy a gift card to a store like GameStop (Amazon, "
            "GameStop), which is useful if you don't know which console your giftee prefers.",
            ("'useless'", "'useful'"),
        ),
        (  # "in platforms" hangs on the passage's verb, not on "distrust"
            "antonym",
            "Users are turning to Snapchat due to trust in platforms like Instagram.",
            "Users are also turning to Snapchat for information about Gaza as accusations of "
            "shadowbanning Palestinian content fuel distrust in platforms like Instagram.",
            ("'trust'", "'distrust'"),
        ),
        (  # what a verb says is missing, the passage says was done
            "negation",
            "CyberGhost's cybersecurity measures exclude an independent security audit.",
            "From a security perspective, CyberGhost completed an independent security audit "
            "by Deloitte earlier this year.",
            ("denies 'audit'",),
        ),
        (  # "losing" said of another team does not make "lost" the passage's word (query 380)
            "antonym",
            "The Dallas Cowboys lost to the Seattle Seahawks in Week 13.",
            COWBOYS,
            ("'lost'", "'beat'"),
        ),
        (  # the one "accused of using" is the one who used (query 296, the model's answer)
            "role",
            "Caroline Ellison is the CEO of Alameda and is accused of using a colleague as a "
            "front for unauthorized access to customer funds.",
            "Using Caroline Ellison, his on-again off-again girlfriend and the CEO of Alameda, "
            "as a front, Bankman-Fried had secret access to customer money, the government "
            "claimed.",
            ("Caroline Ellison as the subject of 'use'", "object of 'use'"),
        ),
    ],
)
def test_an_opposite_the_passage_does_not_spell_out(kind, sentence, passage, words):
    found = [f for f in compare(sentence, [passage]) if f.kind == kind and f.contradiction]
    assert found, compare(sentence, [passage])
    assert all(w in found[0].reason for w in words), found[0].reason


@pytest.mark.parametrize(
    ("kind", "sentence", "passage"),
    [
        # opposites by meaning group, a verb particle, event logic
        (
            "antonym",
            "Profits at the brewer soared in the third quarter.",
            "Profits at the brewer slumped in the third quarter.",
        ),
        (
            "antonym",
            "The board turned down the takeover bid.",
            "The board accepted the takeover bid.",
        ),
        (
            "antonym",
            "The minister's statement allayed fears of a recall.",
            "The minister's statement stoked fears of a recall.",
        ),
        # a role swap told with another verb of the same meaning
        (
            "role",
            "The champion beat Okoye in the semi-final.",
            "Okoye defeated the champion in the semi-final.",
        ),
        # scope widened without an added scope word
        (
            "scope",
            "The lender became the first bank to offer the loans.",
            "The lender became the first bank in Asia to offer the loans.",
        ),
        (
            "scope",
            "The pool will reopen on Saturday.",
            "The pool will reopen on Saturday if the inspection is passed.",
        ),
        (
            "scope",
            "The nine bridges were closed overnight.",
            "Four of the nine bridges were closed overnight.",
        ),
        (
            "scope",
            "One of several witnesses was a taxi driver.",
            "The only witness was a taxi driver.",
        ),
        # relative dates and ordinals
        ("date", "The treaty was signed last month.", "The treaty was signed last week."),
        (
            "number",
            "She was knocked out in the second round.",
            "She was knocked out in the third round.",
        ),
    ],
)
def test_meaning_rules_without_a_listed_word_pair(kind, sentence, passage):
    found = compare(sentence, [passage])
    assert any(f.kind == kind for f in found), found


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        (
            "Okoye lost to the champion in the semi-final.",
            "The champion defeated Okoye in the semi-final.",
        ),
        ("The champion was beaten by Okoye.", "Okoye defeated the champion."),
        ("The board rejected the takeover bid.", "The board turned down the takeover bid."),
        (
            "About 900 homes lost power, most of them in the north.",
            "The storm cut power to about 900 homes, mostly in the north.",
        ),
        ("The raid brought no useful results.", "The raid did not yield any useful results."),
        ("Ninety-two percent of members voted yes.", "92% of members voted yes."),
        ("The bridge has been shut since May.", "The bridge, closed since May, will reopen soon."),
        (
            "The find supported not only the theory but also the dates.",
            "The find supported the theory and the dates.",
        ),
        # "no plans" (a noun) and "no measures planned" (a verb): both negated (MultiHop-RAG
        # query 469, TechCrunch)
        (
            "Google has no plans to implement additional measures on YouTube.",
            "Over the next six months Google's report states it has no additional measures "
            "planned for YouTube.",
        ),
        ("The Seattle Seahawks lost to the Dallas Cowboys in Week 13.", COWBOYS),
        # one subject in two roles is no clash of opposites (query 176, Fortune)
        (
            "Rep. Patrick McHenry has dismissed efforts to keep him in the role more permanently.",
            "McHenry himself has brushed off attempts to take the job more permanently after he "
            "was appointed to the role.",
        ),
    ],
)
def test_paraphrases_the_new_rules_leave_alone(sentence, passage):
    found = [
        f
        for f in compare(sentence, [passage])
        if f.kind in ("antonym", "role", "negation", "number", "scope")
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("sentence", "passages", "kind"),
    [
        # a month written short ("JUN", "Aug.") is that month, not the one after it
        (
            "The ferry service resumed in June 2019.",
            ["Updated 30 JUN 2019", "The ferry service has resumed, the operator said."],
            None,
        ),
        (
            "The plant reopened in August 2014.",
            ["Published Aug. 10, 2014", "The plant reopened on Sunday."],
            None,
        ),
        (
            "The plant reopened in July 2014.",
            ["Published Aug. 10, 2014", "The plant reopened on Sunday."],
            "date",
        ),
        # "the next year" counts from the sentence's own 2012, not from the report
        (
            "The couple married in 2012 and their daughter was born the next year.",
            [
                "The couple married in 2012.",
                "Their daughter was born in 2013, a spokesman said earlier this month.",
            ],
            None,
        ),
        ("The minister resigned last year.", ["The minister resigned earlier this month."], "date"),
        # "certain roads" takes a part itself; "discoveries of the fern" is another set than
        # "the most important discoveries"
        ("Certain roads close in winter.", ["Some of the roads are closed in winter."], None),
        (
            "Discoveries of the fossil fern supported the theory.",
            [
                "One of the most important discoveries was a fossil fern, which supported the "
                "theory."
            ],
            None,
        ),
        ("The roads close in winter.", ["Some of the roads are closed in winter."], "scope"),
        ("The banks in Ohio raised rates.", ["Three of the banks in Ohio raised rates."], "scope"),
        # a mutual act told from one side, also when one party is "the members of" it …
        (
            "The Kestrels joined the Harbour Band for a summer tour.",
            [
                "The Harbour Band and the remaining members of the Kestrels will be joining "
                "forces for a summer tour."
            ],
            None,
        ),
        # … but not an act on a third party
        (
            "The Kestrels defeated the Harbour Band.",
            ["The Harbour Band and the Kestrels defeated the Rovers."],
            "role",
        ),
        # a month a scraped page glued to the word before it is still named
        (
            "She accepted the award in April.",
            ["HomeNewsOPINIONApril 11 2019 - 12:00AM", "She visited Sydney to accept the award."],
            None,
        ),
        (
            "She accepted the award in May.",
            ["HomeNewsOPINIONApril 11 2019 - 12:00AM", "She visited Sydney to accept the award."],
            "date",
        ),
        # one name spelt with a single or a doubled letter; another name is still another
        (
            "Paterson died at the age of 78.",
            ["Elizabeth Patterson died on Saturday, aged 78."],
            None,
        ),
        (
            "Peterson died at the age of 78.",
            ["Elizabeth Patterson died on Saturday, aged 78."],
            "entity",
        ),
        # "all … except one" leaves one only
        (
            "She was the only member who voted against the raise.",
            [
                "All of the board members voted in favor of the raise except one.",
                "Mosqueda voted against the motion.",
            ],
            None,
        ),
        (
            "She was the only member who voted against the raise.",
            ["All of the board members voted in favor of the raise.", "Mosqueda voted against it."],
            "scope",
        ),
    ],
)
def test_dates_parts_and_mutual_acts(sentence, passages, kind):
    kinds = [f.kind for f in compare(sentence, passages)]
    if kind is None:
        assert not kinds, kinds
    else:
        assert kind in kinds, kinds


# -- a date, place or person moved between the events of one sentence; judgements stated
# without their source; opposites of progress, speed, direction and standing

MARRIED = "They married in Boston and performed in New York."
BORN = "He was born in 1950 and died in 2010."
RECORDED = "She recorded the album with Ana Lee and toured with Tom Berg."
UNWORKABLE = "The plan is unworkable, officials said."
WOULD_HURT = "The new rules would hurt small farms, the union warned."
TALKS = "Talks with the union broke down on Friday."
ECONOMY = "The economy accelerated in the spring."
TARIFF = "The tariff pushed up prices for installers."
CARMAKER = "The carmaker is falling behind its rivals in electric vehicles."


@pytest.mark.parametrize(
    ("kind", "sentence", "passage", "words"),
    [
        ("role", "They married in New York and performed in Boston.", MARRIED, "'New York'"),
        ("role", "He was born in 2010 and died in 1950.", BORN, "'2010' with 'born'"),
        # moved to an event the passage places otherwise, with nothing moved back
        (
            "role",
            "The team won in Leeds on Saturday and lost at home on Tuesday.",
            "The team won at home on Saturday and lost away in Leeds on Tuesday.",
            "'Leeds' with 'won'",
        ),
        (
            "role",
            "She recorded the album with Tom Berg and toured with Ana Lee.",
            RECORDED,
            "'Tom Berg' with 'recorded'",
        ),
        (
            "role",
            "The museum opened on Friday and closed on Monday.",
            "The museum opened on Monday and closed on Friday.",
            "'Friday' with 'opened'",
        ),
        ("attribution", "The plan is unworkable.", UNWORKABLE, "officials said"),
        (
            "attribution",
            "The plan is unworkable.",
            "The plan, officials said, is unworkable.",
            "is unworkable",
        ),
        ("attribution", "The new rules would hurt small farms.", WOULD_HURT, "the union warned"),
        (
            "attribution",
            "Food prices will rise further.",
            "Food prices will rise further, economists said.",
            "'will rise'",
        ),
        ("antonym", "Talks with the union made progress on Friday.", TALKS, "'broke down'"),
        ("antonym", "The economy slowed in the spring.", ECONOMY, "'accelerated'"),
        ("antonym", "The tariff lowered prices for installers.", TARIFF, "'pushed up'"),
        (
            "antonym",
            "The carmaker is overtaking its rivals in electric vehicles.",
            CARMAKER,
            "'falling behind'",
        ),
        (
            "antonym",
            "The new rules will hurt small farms.",
            "The new rules will help small farms.",
            "'hurt'",
        ),
        (
            "antonym",
            "The company exceeded its sales target.",
            "The company missed its sales target.",
            "'missed'",
        ),
        (
            "antonym",
            "The government relaxed rules on lending.",
            "The government tightened rules on lending.",
            "'relaxed'",
        ),
        (
            "antonym",
            "Relations between the two countries soured last year.",
            "Relations between the two countries improved last year.",
            "'soured'",
        ),
    ],
)
def test_moved_attachments_unattributed_judgements_and_more_opposites(
    kind, sentence, passage, words
):
    found = [f for f in compare(sentence, [passage]) if f.kind == kind]
    assert found, compare(sentence, [passage])
    assert words in found[0].reason, found[0].reason


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        # the same dates, places and people with the same events, in another order
        ("They performed in New York and married in Boston.", MARRIED),
        ("After marrying in Boston, they performed in New York.", MARRIED),
        ("Born in 1950, he died in 2010.", BORN),
        ("She toured with Tom Berg after recording the album with Ana Lee.", RECORDED),
        # one modifier shared by two coordinated verbs may be read with either
        (
            "She was writing songs with Tom Berg.",
            "She was working and writing songs with Tom Berg.",
        ),
        # a judgement kept as someone's; a plain event or an announcement told without its source
        ("Officials said the plan was unworkable.", UNWORKABLE),
        ("Officials called the plan unworkable.", UNWORKABLE),
        ("The union warned that the new rules would hurt small farms.", WOULD_HURT),
        ("The factory closed in 2019.", "The factory closed in 2019, the company said."),
        ("The bridge will reopen on Monday.", "Officials said the bridge will reopen on Monday."),
        # a body's own plan, announced by whoever speaks for it, is not a forecast
        ("The company will cut jobs.", "The company will cut jobs, the chief executive said."),
        ("The company will close the plant.", "The company said it would close the plant."),
        # words of one meaning group
        ("Talks with the union stalled on Friday.", TALKS),
        ("Talks with the union collapsed on Friday.", TALKS),
        ("The economy sped up in the spring.", ECONOMY),
        ("The tariff raised prices for installers.", TARIFF),
        ("The carmaker is trailing its rivals in electric vehicles.", CARMAKER),
        ("The company fell short of its sales target.", "The company missed its sales target."),
        ("Inflation eased for a third month.", "Inflation slowed for a third month."),
        ("The new rules will damage small farms.", "The new rules will hurt small farms."),
    ],
)
def test_paraphrases_of_moved_attachments_judgements_and_opposites_pass(sentence, passage):
    assert not compare(sentence, [passage]), compare(sentence, [passage])


# -- a restriction to a group, a kind of place, a recurring time or an age, dropped from the
# middle of a sentence that otherwise says the same; a detail of one event may still go

FERRY = "The ferry runs every 30 minutes on weekends."
STROKE = "The drug lowered the risk of stroke by a quarter among patients with diabetes."
POOL = "Admission to the pool is free for residents over 70."
SPEEDS = "Broadband speeds doubled last year in rural areas."
MORTGAGE = "Average mortgage rates fell to 5.1% for first-time buyers in May."


@pytest.mark.parametrize(
    ("sentence", "passage", "words"),
    [
        ("The ferry runs every 30 minutes.", FERRY, "a recurring time ('on weekends')"),
        ("The drug lowered the risk of stroke by a quarter.", STROKE, "among patients"),
        ("Admission to the pool is free for residents.", POOL, "residents over 70"),
        ("Broadband speeds doubled last year.", SPEEDS, "a kind of place ('in rural areas')"),
        ("Average mortgage rates fell to 5.1% in May.", MORTGAGE, "for first-time buyers"),
        # a kind narrowed by a restrictive relative clause or participle
        (
            "Tenants will be charged a fee.",
            "Tenants who pay their rent late will be charged a fee.",
            "'Tenants who pay their rent late'",
        ),
        ("Firms face new checks.", "Firms that export to China face new checks.", "all Firms"),
    ],
)
def test_a_restriction_dropped_from_mid_sentence_is_a_scope_change(sentence, passage, words):
    found = [f for f in compare(sentence, [passage]) if f.kind == "scope"]
    assert found, compare(sentence, [passage])
    assert words in found[0].reason, found[0].reason


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        ("On weekends the ferry runs every half hour.", FERRY),
        ("Among patients with diabetes, the drug cut the risk of stroke by a quarter.", STROKE),
        ("Residents over 70 can use the pool free of charge.", POOL),
        ("In rural areas, broadband speeds doubled last year.", SPEEDS),
        ("In May, average mortgage rates for first-time buyers dropped to 5.1%.", MORTGAGE),
        # where and when one event happened, or those places, are details that may go
        (
            "The retailer said it would cut 500 jobs.",
            "The retailer said on Tuesday that it would cut 500 jobs in its regional warehouses.",
        ),
        (
            "Police detained dozens of protesters on Sunday.",
            "Police detained dozens of protesters in several cities on Sunday, the interior "
            "ministry said.",
        ),
        # something that exists, told without when or for whom it is held
        (
            "The library runs a free coding club.",
            "The library runs a free coding club for teenagers on Saturdays.",
        ),
        # which ones an event touched, a detail set off by commas, a count
        ("Police arrested protesters.", "Police arrested protesters who blocked the road."),
        (
            "The workers returned on Monday.",
            "The workers, who had been on strike for a week, returned on Monday.",
        ),
        ("Two races remain in the season.", "Two races remain in the season that ends in May."),
        # "among other things" narrows nothing
        (
            "The council approved a 4% rise in parking fees.",
            "The council approved a 4% rise in parking fees, among other measures.",
        ),
    ],
)
def test_paraphrases_keeping_the_restriction_or_dropping_a_detail_pass(sentence, passage):
    found = [f for f in compare(sentence, [passage]) if f.kind == "scope"]
    assert not found, found


def test_a_footnote_mark_glued_to_a_name_does_not_hide_it():
    # ISW-style footnotes: "in Ukraine.[27]" is one token to the parser
    passage = (
        "The document notes the need for Russia to mobilize five million Russians to win the "
        "war in Ukraine.[27]"
    )
    sentence = passage.removesuffix("[27]")
    assert not [f for f in compare(sentence, [passage]) if f.kind == "entity"]


def test_what_closes_is_what_is_closed_and_other_dates_are_no_clash():
    # the demo's answer was marked disputed by its own sources' headline and schedule
    claim = "The Alder River Bridge will be closed for 14 weeks from 3 March 2025."
    headline = "Alder River Bridge to close for 14 weeks as repairs begin in March"
    assert not [f for f in compare(claim, [headline]) if f.kind == "role"]
    before = "Okafor said the bridge would remain open as normal until the evening of 2 March."
    assert not [f for f in compare(claim, [before]) if f.kind == "antonym"]
    # the same day, or a real swap of roles, still clash
    same_day = compare("The bridge was closed on 2 March.", ["The bridge was open on 2 March."])
    assert [f.kind for f in same_day] == ["antonym"]
    swapped = compare("The council closed the bridge.", ["The bridge closed the council."])
    assert [f.kind for f in swapped] == ["role"]


def test_the_region_around_a_named_place_is_no_other_place():
    # ISW reports write "Kharkiv Oblast" and "Kharkiv"; an answer may use either
    passage = "Russian forces attacked near Kupiansk in Kharkiv on Monday."
    assert (
        compare("Russian forces attacked near Kupiansk in Kharkiv Oblast on Monday.", [passage])
        == []
    )
    assert (
        compare("The base is in Shizuoka Prefecture.", ["The base is in Hamamatsu, Shizuoka."])
        == []
    )
    # another region, or a region word the place did not have, still clash or go missing
    other = compare("Russian forces attacked near Kupiansk in Donetsk Oblast on Monday.", [passage])
    assert {f.kind for f in other} == {"entity"} and "Donetsk" in other[0].reason
    county = compare("The flooding hit Kent County.", ["The flooding hit Essex County."])
    assert [f.kind for f in county] == ["entity"] and "Kent County" in county[0].reason
    # a city is not the region around the place ("Mexico City" is not "Mexico")
    assert [
        f.kind
        for f in compare("The summit was held in Mexico City.", ["The summit was held in Mexico."])
    ] == ["entity"]


def test_a_participle_without_a_subject_acts_for_the_main_subject():
    # "…, dismissing a challenge brought by X": the court did the dismissing
    passage = (
        "The appeals court upheld the ban on night flights at the regional airport, dismissing "
        "a challenge brought by two cargo airlines."
    )
    swapped = compare(
        "Two cargo airlines dismissed a challenge brought by the appeals court.", [passage]
    )
    assert [f.kind for f in swapped] == ["role"]
    assert compare("The appeals court dismissed the cargo airlines' challenge.", [passage]) == []
    # a participle that has its own subject keeps it
    own = "The court upheld the ban, the airlines having dismissed the settlement offer."
    assert not [
        f
        for f in compare("The airlines dismissed the settlement offer.", [own])
        if f.kind == "role"
    ]


def test_a_qualifier_of_a_name_the_passage_gives_in_full_is_no_other_name():
    court = "The Supreme Court ruled that segregation in public schools was unconstitutional."
    missouri = court.replace("The Supreme", "The Missouri Supreme")
    # "the U.S. Supreme Court" / "the United States National Film Registry" name what the
    # passage names "the Supreme Court" / "the National Film Registry"
    for sentence in (
        "The U.S. Supreme Court ruled that segregation in public schools was unconstitutional.",
        "The United States Supreme Court ruled that segregation in public schools was "
        "unconstitutional.",
    ):
        assert compare(sentence, [court]) == [], compare(sentence, [court])
        # … but not when the passage's name has a qualifier of its own: another court
        clash = compare(sentence, [missouri])
        assert [f.kind for f in clash] == ["entity"] and "Missouri" in clash[0].reason
    rnc = "The Republican National Committee announced a plan for 12 debates."
    dnc = compare("The Democratic National Committee announced a plan for 12 debates.", [rnc])
    assert [f.kind for f in dnc] == ["entity"] and dnc[0].contradiction
    # an abbreviation with stops is a name, checked like one
    uk = compare("The U.K. economy grew 3% last year.", ["The US economy grew 3% last year."])
    assert [f.kind for f in uk] == ["entity"] and "U.K." in uk[0].reason
    us = ["The United States economy grew 3% last year."]
    assert compare("The U.S. economy grew 3% last year.", us) == []
    # a lower-case word is no name ("neo" of "neo-Nazism")
    nazi = ["The collapse followed a public backlash against Nazi salutes."]
    assert compare("The collapse followed a backlash against neo-Nazism.", nazi) == []


def test_first_in_a_span_of_years_counts_the_time_since():
    stage = ['"It\'s been 13 years since I was on a proper stage," she said.']
    assert compare("It was her first stage appearance in 13 years.", stage) == []
    # the span must be the passage's, and 'first' alone is still an added rank
    assert "number" in {
        f.kind for f in compare("It was her first stage appearance in 12 years.", stage)
    }
    assert "scope" in {f.kind for f in compare("It was her first stage appearance.", stage)}


@pytest.mark.parametrize(
    ("sentence", "passage", "holds"),
    [
        # a thing said to be missing is "no" thing, whichever words say it
        (
            "Lawmakers noted the absence of a legislative remedy.",
            "Lawmakers noted that there is no legislative remedy.",
            True,
        ),
        (
            "The city lacks a plan for the flood season.",
            "The city has no plan for the flood season.",
            True,
        ),
        ("The council has no money for repairs.", "The council lacks the money for repairs.", True),
        (
            "There is no lack of funding for the bridge.",
            "There is plenty of funding for the bridge.",
            True,
        ),
        (
            "The inquiry noted an absence of evidence that the minister was warned.",
            "The inquiry found no evidence that the minister was warned.",
            True,
        ),
        # … and it is opposed to the thing had, found or played with
        ("The council has money for repairs.", "The council lacks the money for repairs.", False),
        ("The team played with its captain.", "The team played without its captain.", False),
        (
            "The report found evidence of fraud.",
            "The report noted an absence of evidence of fraud.",
            False,
        ),
        # a failure, refusal or inability to do a thing is not doing it, as "failed to" is
        (
            "The government acted on the warnings.",
            "Critics pointed to the government's failure to act on the warnings.",
            False,
        ),
        (
            "The government failed to act on the warnings.",
            "Critics pointed to the government's failure to act on the warnings.",
            True,
        ),
        ("The club paid the fine.", "The club's refusal to pay the fine angered fans.", False),
        (
            "The club refused to pay the fine.",
            "The club's refusal to pay the fine angered fans.",
            True,
        ),
        (
            "Engineers were able to repair the pump.",
            "Engineers' inability to repair the pump delayed the work.",
            False,
        ),
        # … not to a mention of it doing something
        (
            "The injury left the club without its left-back.",
            "The club's left-back suffered a shoulder injury on international duty.",
            None,
        ),
    ],
)
def test_missing_refused_or_failed_things_are_negated(checker, sentence, passage, holds):
    check = checker.check(sentence, [passage])
    negation = [f for f in check.findings if f.kind == "negation"]
    if holds is None:
        assert not negation, check.reasons
    elif holds:
        assert check.supported, check.reasons
    else:
        assert check.contradicted and negation, check.reasons


def test_an_outlet_judges_what_it_reviews_but_does_not_take_sides_it_reports():
    guide = ["The best gift for a Switch owner this year is Tears of the Kingdom."]
    debate = ["The NMPA is calling for regulations that protect songwriters from AI."]

    def outlet_findings(sentence, passages, outlet):
        found = compare(sentence, passages, f"{outlet}. A title.", (outlet,))
        return [f for f in found if "only published the passage" in f.reason]

    assert not outlet_findings(
        "Polygon recommends Tears of the Kingdom for Switch owners.", guide, "Polygon"
    )
    assert not outlet_findings(
        "Polygon says Tears of the Kingdom is the best gift.", guide, "Polygon"
    )
    assert outlet_findings(
        "Music Business Worldwide advocates for regulations that protect songwriters.",
        debate,
        "Music Business Worldwide",
    )
    assert outlet_findings(
        "Music Business Worldwide urges regulations that protect songwriters.",
        debate,
        "Music Business Worldwide",
    )


def test_a_company_named_in_full_is_the_one_the_passage_names_short():
    shares = ["Shares of Rogers extended losses on news of the lawsuit, closing down 2.2%."]
    for sentence in (
        "Shares of Rogers Communications Inc. extended losses on news of the lawsuit.",
        "Shares of Rogers Communications extended losses on news of the lawsuit.",
    ):
        assert not [f for f in compare(sentence, shares) if f.kind == "entity"], sentence
    # a word that is not a kind of body names another company
    other = compare("Shares of Rogers Sugar extended losses on news of the lawsuit.", shares)
    assert any(f.kind == "entity" for f in other)
    # and a person's surname is not a company's
    person = ["Ted Rogers said the lawsuit had no merit."]
    assert compare("Rogers Holdings said the lawsuit had no merit.", person)


def test_a_name_given_in_full_is_the_one_the_passage_calls_by_its_last_word():
    # MultiHop-RAG dev, query 330 (CBSSports.com): "Smith guided Oregon State …"
    smith = ["Smith guided Oregon State to seven victories in 2021 after a 9-22 start."]
    entity = [f for f in compare("Jonathan Smith guided Oregon State to seven wins.", smith)]
    assert not [f for f in entity if f.kind == "entity"], entity
    # the same last word in another full name may be the one the passage calls short
    two = ["Smith guided Oregon State to seven victories, and Dan Smith praised him."]
    assert any(f.kind == "entity" for f in compare("Jonathan Smith guided Oregon State.", two))
    full = ["Ted Smith guided Oregon State to seven victories in 2021."]
    assert any(f.kind == "entity" for f in compare("Jonathan Smith guided Oregon State.", full))


def test_a_name_written_with_a_curly_or_straight_apostrophe_is_one_name():
    # MultiHop-RAG dev, query 330 (The New York Times): "the Jets’ offense", the tagger reads
    # the sentence's "Jets'" as the noun "jet"
    jets = ["In the situation Sunday, the Jets’ offense had netted 19 yards on its drives."]
    said = "The New York Times reported that the Jets' offense had netted 19 yards on its drives."
    found = compare(said, jets, "The New York Times.", ("The New York Times",))
    assert not [f for f in found if f.kind == "entity"], found
    assert any(
        f.kind == "entity" for f in compare("The Giants' offense had netted 19 yards.", jets)
    )


def test_a_count_of_things_is_not_all_of_them():
    # "netted 19 yards … a drive that gained 16 of those yards": "19 yards" is not "all yards"
    passage = [
        "The Jets had netted 19 yards on three possessions, a drive gaining 16 of those yards."
    ]
    assert not [
        f
        for f in compare("The Jets had netted 19 yards on three possessions.", passage)
        if f.kind == "scope"
    ]
    assert any(f.kind == "scope" for f in compare("The drive gained the yards.", passage))
    # but "the five largest lenders" is the whole set the passage takes three of
    three = ["Three of the five largest lenders signed the new rules."]
    assert any(
        f.kind == "scope" for f in compare("The five largest lenders signed the new rules.", three)
    )


def test_twice_is_a_count_of_two():
    # MultiHop-RAG dev, query 76 (CBSSports.com): "scoring twice and tallying 76 rush yards"
    henry = ["Derrick Henry handled plenty of carries, scoring twice and tallying 76 rush yards."]
    found = compare("Derrick Henry scored two touchdowns and 76 rushing yards.", henry)
    assert not [f for f in found if f.kind == "number"], found
    assert any(f.kind == "number" for f in compare("Derrick Henry scored three times.", henry))


def test_a_sentence_that_only_suggests_keeps_the_passages_hedge():
    # "suggests", "implies", "anticipates" present a view, not a fact: a passage's "appears"
    # is kept by them, and a passage's "suggest" is a hedge a bare sentence drops
    love = ["Jordan Love appears to have turned a corner and should shine at home."]
    kept = compare("The article suggests that Jordan Love has turned a corner.", love)
    assert not [f for f in kept if f.kind == "hedge"], kept
    dropped = compare("Inflation has eased.", ["The data suggest that inflation has eased."])
    assert any(f.kind == "hedge" for f in dropped)


def test_a_name_spelt_out_for_the_passages_abbreviation():
    """MultiHop-RAG queries 440 and 182: the question spells out what the passage abbreviates;
    a body whose initials differ stays another body."""
    nmpa = "Yet the NMPA's submission advocates for regulations and principles."
    pms = "Both PMS and mutual funds provide expert guidance that helps create wealth."

    def entities(sentence, passage):
        return [f for f in compare(sentence, [passage]) if f.kind == "entity"]

    assert not entities(
        "The National Music Publishers Association advocates for regulations.", nmpa
    )
    assert not entities(
        "Portfolio Management Services and mutual funds provide expert guidance.", pms
    )
    other = entities("The National Film Producers Association advocates for regulations.", nmpa)
    assert other and other[0].contradiction, other


def test_a_page_s_own_address_names_its_publisher():
    """WiCE dev: the review's page is music.avclub.com; another outlet's name stays unnamed."""
    page = [
        "The Wayback Machine - https://web.archive.org/web/2018/https://music.avclub.com/ryan-ad",
        "Annie Zaleski 9/21/15 12:17pm Filed to: Music",
        'And another highlight, the raucous "Style," is a yearning, \'80s college rock fever '
        "dream with snarling punk stabs.",
    ]

    def names(sentence):
        return [f.reason for f in compare(sentence, page) if f.kind == "entity"]

    assert not names('Annie Zaleski of "The A.V. Club" praised "Style" as a fever dream.')
    assert names('Annie Zaleski of "Rolling Stone" praised "Style" as a fever dream.')


def test_a_choice_the_passage_says_was_not_taken_is_no_hedge():
    """WiCE dev (Lecque's school): "although he could have chosen to attend there, he
    decided …" states what he decided; "could have been caused" still hedges."""

    def hedged(sentence, passage):
        return [f for f in compare(sentence, [passage]) if f.kind == "hedge"]

    chose = (
        "Although Lecque could have chosen to attend there, he decided to make the commute to "
        "Scanlan every day."
    )
    assert not hedged(
        "Instead of attending his local school, Lecque chose to commute to Scanlan.", chose
    )
    maybe = "Although the fire could have been caused by a cigarette, officials are unsure."
    assert hedged("The fire was caused by a cigarette.", maybe)
