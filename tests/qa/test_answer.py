"""The answer pipeline with a scripted generator (fast) over the real seed index and embedder.
The same paths run with the real packaged model in test_real_model.py."""

from __future__ import annotations

import json

import pytest

from qa.answer import QuestionError, parse_output, partial_texts
from qa.api import Assistant
from tests.conftest import FakeGenerator, assert_quotes_exact, passages_in

FIVE_MILLION = "Does Russia need to mobilize five million people to win the war?"


def _assistant(seed_index, embedder, respond):
    gen = FakeGenerator(respond)
    assistant = Assistant(settings=seed_index, generator=gen)
    assistant.index._embedder = embedder
    return assistant, gen


def _first_with(passages: dict[int, str], needle: str) -> tuple[int, str]:
    return next((i, t) for i, t in passages.items() if needle in t)


def test_invented_number_is_removed_and_true_sentence_kept(seed_index, embedder):
    def respond(messages):
        eid, text = _first_with(passages_in(messages), "five million")
        return json.dumps(
            {
                "answerable": True,
                "sentences": [
                    {"evidence": [eid], "text": text.split("[")[0].strip()},
                    {
                        "evidence": [eid],
                        "text": "Russian leadership may need to mobilize seven million personnel "
                        "to win the war in Ukraine.",
                    },
                ],
            }
        )

    assistant, _ = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(FIVE_MILLION)
    assert answer.status == "answered" and not answer.extractive
    assert len(answer.sentences) == 1 and "five million" in answer.sentences[0].text
    assert [s.text for s in answer.removed] == [
        "Russian leadership may need to mobilize seven million personnel to win the war in Ukraine."
    ]
    # the checker names the number it found against the one the passage gives
    assert any("seven million" in n and "five million" in n for n in answer.removed[0].notes)
    cite = answer.sentences[0].citations[0]
    assert cite.outlet == "Institute for the Study of War"
    assert_quotes_exact(answer, assistant.index)


def test_wrongly_cited_sentence_is_recited(seed_index, embedder):
    def respond(messages):
        passages = passages_in(messages)
        eid, text = _first_with(passages, "five million")
        other = next(i for i in passages if i != eid and "five million" not in passages[i])
        return json.dumps(
            {"answerable": True, "sentences": [{"evidence": [other], "text": text.split("[")[0]}]}
        )

    assistant, _ = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(FIVE_MILLION)
    assert answer.sentences[0].verdict == "re-cited"
    assert "five million" in answer.sentences[0].citations[0].quote
    assert_quotes_exact(answer, assistant.index)


def test_unusable_output_falls_back_to_quoting_the_evidence(seed_index, embedder):
    assistant, _ = _assistant(seed_index, embedder, lambda m: "I think the answer is yes!")
    answer = assistant.ask(FIVE_MILLION)
    assert answer.status == "answered" and answer.extractive
    assert answer.outcome == "extractive"
    assert "not valid JSON" in answer.message
    assert all(s.verdict == "extractive" for s in answer.sentences)
    assert any("five million" in s.text for s in answer.sentences)
    assert_quotes_exact(answer, assistant.index)


def test_question_outside_the_archive_abstains_without_calling_the_model(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, lambda m: "{}")
    answer = assistant.ask("Who won the football World Cup in 2022?")
    assert answer.status == "abstained" and not answer.sentences
    assert answer.message == "The archive does not contain an answer to this question."
    assert answer.outcome == "nothing_relevant"
    assert gen.history == []
    assert_quotes_exact(answer, assistant.index)


def test_a_question_asked_of_one_outlet_searches_its_articles_and_says_so(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, lambda m: "{}")
    outlet = "Institute for the Study of War"
    answer = assistant.ask(f"What did the {outlet} report about the football World Cup in 2022?")
    assert answer.outcome == "nothing_relevant" and gen.history == []
    assert answer.evidence and all(e.outlet == outlet for e in answer.evidence)
    assert f"Only the articles of {outlet}, which the question names, were searched" in (
        answer.message
    )


def test_question_about_someone_the_archive_never_names_abstains_fast(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, lambda m: "{}")
    question = "Did Margit Hollenbeck say that Russia needs to mobilize five million people?"
    answer = assistant.ask(question)
    # the rest of the question is on topic (its evidence is relevant enough to ask)...
    assert max(e.score for e in answer.evidence) >= assistant.settings.answer.abstain_below
    # ...but nobody called Margit Hollenbeck appears anywhere in the archive
    assert answer.status == "abstained" and answer.outcome == "nothing_relevant"
    assert "never mentions Margit Hollenbeck" in answer.message
    assert answer.verdict.value == "unknown"
    assert gen.history == []
    # a person the archive does name does not stop the question
    answer = assistant.ask("What did Oleksandr Kovalenko say about the FSB?")
    assert gen.history, answer.message


def test_passages_only_related_to_the_question_are_not_quoted_as_its_answer(seed_index, embedder):
    # The archive (on the war in Ukraine) has passages related to this question but none
    # about it: the model is asked, and its unchecked sentence is not replaced by quotes.
    def respond(messages):
        eid = min(passages_in(messages))
        text = "The Russian defence ministry said Russia would boycott the Olympic Games in Paris."
        return json.dumps({"answerable": True, "sentences": [{"evidence": [eid], "text": text}]})

    assistant, gen = _assistant(seed_index, embedder, respond)
    cfg = assistant.settings.answer
    q = "What did the Russian defence ministry say about the Olympic Games in Paris?"
    answer = assistant.ask(q)
    related = assistant.engine.relevance(q, answer.evidence)
    assert cfg.abstain_below <= related < cfg.off_topic_below, related
    assert gen.history, "related passages: the model is asked"
    assert answer.removed and not answer.sentences and answer.status == "abstained"
    assert answer.outcome == "unsupported" and "only related" in answer.message
    # the same unchecked answer to a question the passages are about is replaced by quotes
    answer = assistant.ask("Did the Russian defence ministry say that the mobilization ended?")
    assert assistant.engine.relevance(answer.question, answer.evidence) >= cfg.off_topic_below
    assert answer.outcome == "extractive" and answer.sentences


def test_model_finding_no_answer_on_relevant_evidence(seed_index, embedder):
    assistant, gen = _assistant(
        seed_index, embedder, lambda m: json.dumps({"answerable": False, "sentences": []})
    )
    answer = assistant.ask("What did Oleksandr Kovalenko say about the FSB?")
    assert gen.history, "the evidence was relevant enough to ask the model"
    # Relevant enough to ask (≥ abstain_below) but not strong enough to quote instead
    # (< extractive_above, 0.549 against 0.55 with the packaged embedder): the model's "no
    # answer" stands, and the closest passages are shown.
    cfg = assistant.settings.answer
    best = max(e.score for e in answer.evidence)
    assert cfg.abstain_below <= best < cfg.extractive_above
    assert answer.status == "abstained" and not answer.extractive and not answer.sentences
    # not "nothing relevant": related passages were there, and the record says so
    assert answer.outcome == "unsupported"
    assert answer.message.startswith("The archive holds related passages")
    assert "the model found no answer" in answer.message
    assert_quotes_exact(answer, assistant.index)


def test_streaming_gives_evidence_then_tokens_then_answer(seed_index, embedder):
    def respond(messages):
        eid, text = _first_with(passages_in(messages), "five million")
        return json.dumps(
            {"answerable": True, "sentences": [{"evidence": [eid], "text": text.split("[")[0]}]}
        )

    assistant, _ = _assistant(seed_index, embedder, respond)
    events = list(assistant.stream(FIVE_MILLION))
    kinds = [e.kind for e in events]
    assert kinds[0] == "evidence" and kinds[-1] == "answer"
    assert kinds.count("token") > 3
    streamed = "".join(e.text for e in events if e.kind == "token")
    assert streamed.strip() == events[-1].answer.sentences[0].text


@pytest.mark.parametrize(
    ("question", "message"), [("   ", "empty"), ("x" * 1200, "limit is 1000"), ("?!", "no words")]
)
def test_bad_questions(seed_index, embedder, question, message):
    assistant, _ = _assistant(seed_index, embedder, lambda m: "{}")
    with pytest.raises(QuestionError, match=message):
        assistant.ask(question)


def test_filters_restrict_the_evidence(seed_index, embedder):
    assistant, _ = _assistant(seed_index, embedder, lambda m: "{}")
    events = list(assistant.stream(FIVE_MILLION, filters=assistant.filters(outlet="Amnon")))
    evidence = events[0].evidence
    assert evidence and all(e.outlet == "Amnon Free Press" for e in evidence)


def test_partial_json_text_extraction():
    raw = '{"answerable": true, "sentences": [{"evidence": [1], "text": "Kyiv said \\"no\\". '
    assert partial_texts(raw) == 'Kyiv said "no".'
    raw += 'Then"}, {"evidence": [2], "text": "Sec'
    assert partial_texts(raw) == 'Kyiv said "no". Then Sec'


def test_parse_output_drops_unknown_ids():
    raw = json.dumps({"answerable": True, "sentences": [{"evidence": [1, 9], "text": " A  b. "}]})
    assert parse_output(raw, {1, 2}) == (True, [("A b.", [1])])
    assert parse_output("not json", {1}) is None


def test_unneeded_citations_and_repeated_sentences_are_dropped(seed_index, embedder):
    def respond(messages):
        passages = passages_in(messages)
        eid, text = _first_with(passages, "five million")
        other = next(i for i in passages if i != eid and "five million" not in passages[i])
        sentence = {"evidence": [eid, other], "text": text.split("[")[0]}
        return json.dumps({"answerable": True, "sentences": [sentence, sentence]})

    assistant, _ = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(FIVE_MILLION)
    assert len(answer.sentences) == 1
    cites = answer.sentences[0].citations
    assert len(cites) == 1 and "five million" in cites[0].quote
    assert_quotes_exact(answer, assistant.index)


def _five_million_with_verdict(verdict: str, wrong: bool = False):
    def respond(messages):
        eid, text = _first_with(passages_in(messages), "five million")
        sentence = text.split("[")[0].strip()
        if wrong:  # a number no passage gives: removed by the checker
            sentence = sentence.replace("five million", "seven million")
        return json.dumps(
            {"sentences": [{"evidence": [eid], "text": sentence}], "verdict": verdict}
        )

    return respond


def test_yes_no_question_gets_a_checked_verdict_first(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, _five_million_with_verdict("yes"))
    answer = assistant.ask(FIVE_MILLION)
    prompt = gen.history[-1][-1]["content"]
    assert '"verdict"' in prompt and "yes or a no" in prompt  # prompts/answer_verdict.j2
    assert answer.outcome == "checked" and answer.verdict is not None
    assert answer.verdict.value == "yes" and answer.verdict.said == "yes"
    first = answer.sentences[0]
    assert first.lead == "Yes — " and answer.text.startswith("Yes — ")
    assert "five million" in first.text and first.verdict == "supported"
    assert answer.verdict.basis == [0]
    assert any("five million" in c.quote for c in answer.verdict.citations)
    assert answer.to_dict()["verdict"]["value"] == "yes"
    assert_quotes_exact(answer, assistant.index)


def test_verdict_whose_sentences_fail_the_check_is_not_shown(seed_index, embedder):
    respond = _five_million_with_verdict("yes", wrong=True)
    assistant, _ = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(FIVE_MILLION)
    assert answer.verdict.value == "unknown" and answer.verdict.said == "yes"
    assert "passed the check" in answer.verdict.reason
    assert answer.removed and "seven million" in answer.removed[0].text
    if answer.sentences:  # the extractive quotes say that the archive does not decide it
        assert answer.outcome == "extractive"
        assert answer.text.startswith(
            "The archive does not say whether Russia does need to mobilize five million "
            "people to win the war. "
        )
    else:
        assert answer.outcome == "unsupported"
    assert "Yes" not in answer.text


def test_model_without_a_verdict_gives_the_archive_does_not_say(seed_index, embedder):
    assistant, _ = _assistant(seed_index, embedder, _five_million_with_verdict("unclear"))
    answer = assistant.ask(FIVE_MILLION)
    assert answer.outcome == "checked" and answer.verdict.value == "unknown"
    assert answer.sentences[0].lead.startswith("The archive does not say whether Russia")
    assert "five million" in answer.sentences[0].text


CONFLICT_Q = (
    "Do the reports contradict each other on whether Russia needs to mobilize five million "
    "people to win the war?"
)


def test_yes_to_a_conflict_question_needs_a_contradiction_the_checks_found(seed_index, embedder):
    assistant, _ = _assistant(seed_index, embedder, _five_million_with_verdict("yes"))
    answer = assistant.ask(CONFLICT_Q)
    assert answer.verdict.said == "yes" and answer.outcome == "checked"
    assert not any(
        s.corroboration and s.corroboration.status == "disputed" for s in answer.sentences
    )
    assert answer.verdict.value == "unknown"
    assert "no passage contradicting another" in answer.verdict.reason
    assert answer.sentences[0].lead.startswith("The archive does not say whether")
    assert "Yes" not in answer.text


def test_yes_to_a_conflict_question_stands_on_a_disputed_sentence():
    from qa.answer import confirm_conflict
    from qa.question import QuestionAnalysis
    from qa.records import Answer, Corroboration, Sentence, Verdict

    disputed = Corroboration("disputed", 1, True, "another passage says 3,000 km²")
    answer = Answer(
        question=CONFLICT_Q,
        sentences=[Sentence("Ukraine regained 9,000 km².", lead="Yes — ")],
        status="answered",
    )
    answer.verdict = Verdict(value="yes", lead="Yes — ", said="yes")
    analysis = QuestionAnalysis(question=CONFLICT_Q)
    confirm_conflict(answer, analysis)
    assert answer.verdict.value == "unknown"  # no sentence disputed
    answer.verdict = Verdict(value="yes", lead="Yes — ", said="yes")
    answer.sentences[0].lead = "Yes — "
    answer.sentences[0].corroboration = disputed
    confirm_conflict(answer, analysis)
    assert answer.verdict.value == "yes" and answer.sentences[0].lead == "Yes — "


def test_no_to_a_conflict_question_when_the_reports_compared_were_checked_and_agree():
    from qa.answer import confirm_conflict
    from qa.question import QuestionAnalysis
    from qa.records import Answer, Citation, Sentence, Verdict

    def cited(doc_id: str, outlet: str) -> Citation:
        return Citation(doc_id, "A report", outlet, "2023-10-06", 0, 10, "Some words.")

    two = [cited("a", "TechCrunch"), cited("b", "The Verge")]
    answer = Answer(
        question=CONFLICT_Q,
        sentences=[Sentence("TechCrunch said so.", two[:1]), Sentence("The Verge too.", two[1:])],
        status="answered",
    )
    analysis = QuestionAnalysis(question=CONFLICT_Q)
    # each report's sentences passed the check and none is disputed: "no" on them
    answer.verdict = Verdict("yes", "Yes — ", "yes", basis=[0, 1], citations=two)
    confirm_conflict(answer, analysis)
    assert answer.verdict.value == "no" and answer.sentences[0].lead == "No — "
    assert answer.verdict.citations == two and "2 cited articles" in answer.verdict.reason
    # one article checked is no comparison
    answer.verdict = Verdict("yes", "Yes — ", "yes", basis=[0], citations=two[:1])
    confirm_conflict(answer, analysis)
    assert answer.verdict.value == "unknown"
    # a question asking which of the two it is gets no "no"
    either = "Are the two reports consistent or inconsistent on the five million?"
    answer.verdict = Verdict("yes", "Yes — ", "yes", basis=[0, 1], citations=two)
    confirm_conflict(answer, QuestionAnalysis(question=either))
    assert answer.verdict.value == "unknown"
    # … but "the same" elsewhere in it does not make it one (MultiHop-RAG dev, query 40)
    dated = "Was the reporting inconsistent after the two reviews published on the same date?"
    answer.verdict = Verdict("yes", "Yes — ", "yes", basis=[0, 1], citations=two)
    confirm_conflict(answer, QuestionAnalysis(question=dated))
    assert answer.verdict.value == "no"


def test_consistent_or_inconsistent_is_settled_by_the_checks_on_the_articles_compared():
    from qa.answer import settle_consistency
    from qa.question import QuestionAnalysis
    from qa.records import Answer, Citation, Corroboration, Sentence, SourcePassage

    def cited(doc_id: str, outlet: str) -> Citation:
        return Citation(doc_id, "A report", outlet, "2023-10-06", 0, 10, "Some words.")

    q = (
        "Between the Fortune report of October 6 and the Wired report of October 9, was the "
        "account of the fund's losses consistent or inconsistent?"
    )
    analysis = QuestionAnalysis(question=q, outlets=("Fortune", "Wired"))

    def answer_of(*sentences: Sentence) -> Answer:
        return Answer(question=q, sentences=list(sentences), status="answered")

    fortune = Sentence("Fortune said the fund lost $2 million.", [cited("a", "Fortune")])
    wired = Sentence("Wired said the fund lost money.", [cited("b", "Wired")], verdict="extractive")
    answer = answer_of(fortune, wired)
    settle_consistency(answer, analysis)
    assert answer.verdict.value == "consistent" and answer.text.startswith("Consistent — ")
    assert answer.verdict.basis == [0, 1] and len(answer.verdict.citations) == 2

    # a passage of the other compared article disputes a sentence: that sentence comes first
    clash = SourcePassage("a", "A report", "Fortune", "2023-10-06", 0, 10, "$3 million", "Fortune")
    disputed = Sentence(
        "Wired said the fund lost $5 million.",
        [cited("b", "Wired")],
        corroboration=Corroboration("disputed", 1, True, "Fortune says $2 million", [], [clash]),
    )
    answer = answer_of(Sentence(fortune.text, fortune.citations), disputed)
    settle_consistency(answer, analysis)
    assert answer.verdict.value == "inconsistent"
    assert answer.sentences[0].text == disputed.text and answer.sentences[0].lead
    assert answer.text.startswith("Inconsistent — ")

    # one of the two articles unchecked, or a question offering no such choice: left alone
    answer = answer_of(Sentence(fortune.text, fortune.citations))
    settle_consistency(answer, analysis)
    assert answer.verdict is None and not answer.sentences[0].lead
    answer = answer_of(
        Sentence(fortune.text, fortune.citations), Sentence(wired.text, wired.citations)
    )
    settle_consistency(answer, QuestionAnalysis(question="Did Fortune and Wired report losses?"))
    assert answer.verdict is None


def test_wh_question_gets_no_verdict(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, _five_million_with_verdict("yes"))
    answer = assistant.ask("How many people would Russia need to mobilize to win the war?")
    assert '"verdict"' not in gen.history[-1][-1]["content"]
    assert answer.verdict is None and not any(s.lead for s in answer.sentences)


def test_long_question_is_judged_relevant_clause_by_clause(seed_index, embedder):
    assistant, gen = _assistant(seed_index, embedder, _five_million_with_verdict("yes"))
    q = (
        "Does Russia need to mobilize five million people to win the war, while amateur "
        "astronomers in the southern hills catalogued frozen comets, orbital resonances, "
        "glaciers and migrating penguin colonies during unusually bright winter auroras, "
        "and the botanists of the island described orchids, lichens, ferns, mosses and "
        "eucalyptus seedlings beside volcanic hot springs?"
    )
    answer = assistant.ask(q)
    cfg = assistant.settings.answer
    line = max(cfg.abstain_below, cfg.off_topic_below)  # about the question, not only related
    # no sentence covers this whole question (its score stays under the line)...
    assert max(e.score for e in answer.evidence) < line
    # ...but its first clause is answered by the archive, so the model is asked
    assert assistant.engine.relevance(q, answer.evidence) >= line
    assert answer.outcome != "nothing_relevant", answer.message
    assert gen.history


def test_names_the_archive_holds_in_another_form_do_not_stop_a_question(seed_index, embedder):
    assistant, _ = _assistant(seed_index, embedder, lambda m: "{}")
    engine = assistant.engine

    def unknown(question):
        return engine.unknown_names(engine.analyze(question))

    assert unknown("Did Margit Hollenbeck say that Russia failed to mobilize?") == [
        "Margit Hollenbeck"
    ]
    # the full name is in a passage
    assert unknown("Did Andriy Chernyak say that Russia failed to mobilize?") == []
    # news text names a person by surname after the first mention: the surname, capitalised,
    # in a passage is enough (a lower-case common word is not)
    assert unknown("Did Colonel Anatoliy Chernyak say that Russia failed to mobilize?") == []
    # ("offensive" is in the seed articles only in lower case; the pinned spaCy pipeline
    # takes "Margit Offensive" for a person)
    assert engine.analyze("Did Margit Offensive say that Russia failed?").people
    assert unknown("Did Margit Offensive say that Russia failed to mobilize?") == [
        "Margit Offensive"
    ]


def test_passages_the_model_cited_for_a_removed_sentence_are_quoted(seed_index, embedder):
    """The model found the passage but worded its sentence unsupportedly: the passage's own
    exact words are shown (outcome extractive), even when it scores under
    answer.extractive_above (where the model's plain "no answer" is not quoted, see
    test_model_finding_no_answer_on_relevant_evidence)."""
    question = "What did Oleksandr Kovalenko say about the FSB?"

    def respond(messages):
        eid = max(passages_in(messages))  # the last passage listed, whatever it says
        text = "Kovalenko said the FSB had recruited seven hundred thousand agents in Crimea."
        return json.dumps({"answerable": True, "sentences": [{"evidence": [eid], "text": text}]})

    assistant, gen = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(question)
    assert gen.history and answer.removed
    cited = answer.removed[0].citations[0]
    assert cited.eid == max(e.eid for e in answer.evidence)
    assert cited.eid not in [
        e.eid for e in answer.evidence if e.score >= assistant.settings.answer.extractive_above
    ]
    assert answer.outcome == "extractive" and answer.extractive
    assert answer.sentences[0].citations[0].eid == cited.eid
    assert answer.sentences[0].text == cited.quote
    assert "seven hundred thousand" not in answer.text
    assert_quotes_exact(answer, assistant.index)


def test_yes_about_two_articles_of_one_outlet_needs_both_cited():
    from qa.answer import decide_verdict
    from qa.question import analyze
    from qa.records import Answer, Citation, Sentence

    question = (
        "Does the Herald say rates will rise, while another article from the Herald says "
        "rates may fall?"
    )
    analysis = analyze(question, ["The Herald", "Wired"])

    def cite(doc_id):
        return Citation(doc_id, "t", "The Herald", "2023-10-01", 0, 5, "Rates", eid=1)

    def answer(*doc_ids):
        sentences = [Sentence("Rates will rise.", [cite(d)], 0.9, "supported") for d in doc_ids]
        return Answer(question, "answered", sentences)

    one = decide_verdict(answer("a", "a"), analysis, "yes")
    assert one.value == "unknown" and "second article of The Herald" in one.reason
    assert decide_verdict(answer("a", "b"), analysis, "yes").value == "yes"
    assert decide_verdict(answer("a"), analysis, "no").value == "no"  # one part not so


def test_which_report_came_first_is_decided_by_the_cited_articles_dates():
    from qa.answer import decide_verdict
    from qa.question import analyze
    from qa.records import Answer, Citation, Sentence

    question = "Did Wired report the outage before the Herald reported the fine?"
    analysis = analyze(question, ["The Herald", "Wired"])

    def answer(wired: str, herald: str):
        cites = [
            Citation("w", "t", "Wired", wired, 0, 5, "Outage", eid=1),
            Citation("h", "t", "The Herald", herald, 0, 5, "Fine", eid=2),
        ]
        sentences = [Sentence("Wired reported the outage.", cites[:1], 0.9, "supported")]
        sentences.append(Sentence("The Herald reported the fine.", cites[1:], 0.9, "supported"))
        return Answer(question, "answered", sentences)

    right = decide_verdict(answer("2023-10-01", "2023-10-05"), analysis, "yes")
    assert right.value == "yes" and "publication dates decide" in right.reason
    assert right.lead.startswith("Yes — comparing Wired of 2023-10-01 with The Herald of 2023")
    wrong = decide_verdict(answer("2023-10-09", "2023-10-05T08:00:00+00:00"), analysis, "yes")
    assert wrong.value == "no" and "the model said yes" in wrong.reason
    tie = decide_verdict(answer("2023-10-05", "2023-10-05T08:00:00+00:00"), analysis, "yes")
    assert tie.value == "unknown" and "do not settle" in tie.reason
    # a question that is not about which came first keeps the model's word
    other = analyze("Did Wired and the Herald both report the outage?", ["The Herald", "Wired"])
    assert decide_verdict(answer("2023-10-09", "2023-10-05"), other, "yes").value == "yes"


def _engine_over(folder, tmp_path, fake_embedder):
    """The answer engine over ``folder`` ingested into a fresh data dir (fake embedder, a
    generator that is never asked)."""
    from index.ingest import ingest
    from index.settings import load_settings

    settings = load_settings(tmp_path / "data")
    assert ingest([folder], settings, embedder=fake_embedder).ok
    assistant = Assistant(settings=settings, generator=FakeGenerator(lambda m: "{}"))
    assistant.index._embedder = fake_embedder
    return assistant.engine


def test_a_short_surname_in_the_archive_keeps_a_question_open(tmp_path, fake_embedder):
    """News text calls a person by surname after the first mention, however short the
    surname ("Lee", "Cue", "Vos"); a suffix ("Jr.") is not a surname, and a surname the
    archive never prints still stops the question."""
    from tests.conftest import EXAMPLES

    engine = _engine_over(EXAMPLES, tmp_path, fake_embedder)

    def unknown(question):
        return engine.unknown_names(engine.analyze(question))

    tail = "say a two-day stoppage would cause real hardship?"
    # the demo articles name "Island councillor Petra Vos", later "Vos said"
    assert unknown(f"Did councillor Anna Vos {tail}") == []
    assert unknown(f"Did Petra Vos Jr. {tail}") == []
    assert unknown(f"Did councillor Anna Vossberg {tail}") == ["Anna Vossberg"]
    assert unknown(f"Did Anna Kim {tail}") == ["Anna Kim"]


def test_an_answer_with_no_sentence_about_the_question_quotes_the_passages(seed_index, embedder):
    """A draft whose every checked sentence is about something else (a headline copied for a
    question on the five million figure) is not shown as the answer: the passages closest to
    the question are quoted instead, and the draft's sentences are reported as left out."""

    def respond(messages):
        eid, text = _first_with(passages_in(messages), "Is Russia Losing the War")
        return json.dumps({"answerable": True, "sentences": [{"evidence": [eid], "text": text}]})

    assistant, _ = _assistant(seed_index, embedder, respond)
    answer = assistant.ask(FIVE_MILLION)
    assert len(answer.off_topic) == 1 and "Is Russia Losing the War" in answer.off_topic[0].text
    assert answer.outcome == "extractive" and answer.extractive
    assert "was about the question" in answer.message
    assert all("Losing the War" not in s.text for s in answer.sentences)
    assert any("five million" in s.text for s in answer.sentences)


def test_checked_sentences_not_about_the_question_are_left_out(seed_index, embedder):
    """A sentence true of its passage but about something else is left out (and said so) when
    another sentence of the answer is about the question; an answer is never emptied by it."""
    from qa.records import Answer, Sentence
    from qa.ui.html import answer_html
    from qa.ui.terminal import render_answer

    assistant, _ = _assistant(seed_index, embedder, lambda m: "{}")
    engine = assistant.engine
    on = Sentence("Russia would need to mobilize five million people to win the war in Ukraine.")
    off = Sentence("The ferry crews of the islands will strike for two days.")
    kept, left = engine._about_question(FIVE_MILLION, [on, off])
    assert kept == [on] and left == [off]
    assert off.notes and off.notes[0].startswith("not about the question (relevance 0.")
    # alone, or with nothing about the question beside it, a sentence is still not about it
    lone = Sentence("The ferry crews of the islands will strike for two days.")
    assert engine._about_question(FIVE_MILLION, [lone]) == ([], [lone])
    pair = [lone, Sentence("The strike will close the harbour on Friday.")]
    assert engine._about_question(FIVE_MILLION, pair) == ([], pair)
    # the user sees that something was left out
    answer = Answer(FIVE_MILLION, "answered", kept, off_topic=left)
    assert "1 checked sentence(s) of the draft left out: not about the question" in (
        render_answer(answer)
    )
    assert "1 checked sentence(s) of the draft were left out: not about the question." in (
        answer_html(answer, 0, {}, {})
    )
    # answer.off_topic_below = 0 keeps every checked sentence
    settings = assistant.settings.model_copy(
        update={"answer": assistant.settings.answer.model_copy(update={"off_topic_below": 0.0})}
    )
    engine.settings = settings
    both = [Sentence(on.text), Sentence(off.text)]
    assert engine._about_question(FIVE_MILLION, both) == (both, [])


def test_an_organisation_is_mentioned_by_its_short_name_or_its_initials(tmp_path, fake_embedder):
    """News text names a company without the word for its kind of body ("Rogers
    Communications Inc." → "Rogers") and a body of several words by its initials (NMPA); a
    name whose short form or initials the archive never prints still stops the question."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rogers.txt").write_text(
        "Rogers shares fall on lawsuit\n\nShares of Rogers extended losses on news of the "
        "lawsuit, closing down 2.2% in Toronto on Tuesday after the filing was made public.\n"
    )
    (docs / "nmpa.txt").write_text(
        "Publishers warn on AI\n\nThe NMPA told the copyright office that generative AI is "
        "the greatest risk to songwriters it has seen, and asked for licensing rules.\n"
    )
    engine = _engine_over(docs, tmp_path, fake_embedder)

    def unknown(question):
        analysis = engine.analyze(question)
        assert analysis.organisations, analysis  # the test is about organisations
        return engine.unknown_names(analysis)

    assert unknown("Did Rogers Communications Inc. shares fall after the lawsuit?") == []
    assert unknown("Did the National Music Publishers Association call generative AI a risk?") == []
    assert unknown("Did Kestrel Communications Inc. shares fall after the lawsuit?") == [
        "Kestrel Communications Inc."
    ]
    assert unknown("Did the National Film Producers Association call AI a risk?") == [
        "National Film Producers Association"
    ]
