"""The two-source rule on the demo corpus and the seed articles (real embedder and index)."""

from __future__ import annotations

import json
import shutil

import pytest

from index.ingest import ingest
from index.settings import load_settings
from qa.api import Assistant
from qa.corroborate import conflicts, overall
from qa.origins import attributions, known_outlets
from qa.records import Corroboration, Sentence
from tests.conftest import FakeGenerator, seed_file

FIVE_MILLION = (
    "Russian leadership may be distributing a document stating that Russia needs to mobilize "
    "five million personnel to win the war in Ukraine."
)


def _assistant(settings, embedder) -> Assistant:
    assistant = Assistant(settings=settings, generator=FakeGenerator(lambda m: "{}"))
    assistant.index._embedder = embedder
    return assistant


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory, embedder):
    from tests.conftest import EXAMPLES

    data = tmp_path_factory.mktemp("demo-index")
    settings = load_settings(data)
    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    return settings


@pytest.fixture
def demo(demo_settings, tmp_path, embedder):
    """A private copy of the demo index (tests change its source registry)."""
    data = tmp_path / "demo"
    shutil.copytree(demo_settings.data_dir, data)
    return _assistant(load_settings(data), embedder)


def test_independent_reports_corroborate(demo):
    c = demo.corroborator.assess_claim(
        "The Alder River Bridge will close for 14 weeks from 3 March 2025."
    )
    assert c.status == "corroborated" and not c.flagged
    assert c.independent >= 2
    assert {"Harbour Ledger", "Valley Courier"} <= {p.outlet for p in c.supporting}


def test_single_outlet_claim_is_flagged_until_the_outlet_is_verified(demo):
    claim = "The repair contract is worth 18.4 million crowns."
    c = demo.corroborator.assess_claim(claim)
    assert c.status == "single-source" and c.flagged
    assert c.reason.startswith("Only Harbour Ledger")
    demo.registry.set("Harbour Ledger", "verified")
    c = demo.corroborator.assess_claim(claim)
    assert c.status == "single-source" and not c.flagged
    assert "verified" in c.reason


def test_self_declared_unverified_claim_is_flagged(demo):
    c = demo.corroborator.assess_claim(
        "The water utility plans to raise household rates by 12 percent in July."
    )
    assert c.flagged and c.status == "single-source"
    assert "could not be independently verified" in c.reason


def test_relay_of_the_same_origin_counts_once(demo):
    c = demo.corroborator.assess_claim("The council will cut the library budget by 9 percent.")
    assert {p.outlet for p in c.supporting} == {"Harbour Ledger", "Valley Courier"}
    assert c.independent == 1 and c.flagged
    assert "relay Harbour Ledger" in c.reason


def test_syndicated_copy_counts_once(demo):
    c = demo.corroborator.assess_claim(
        "Ferry workers at Kestrel Line will walk out for 48 hours from 21 March 2025."
    )
    assert c.independent == 1 and c.flagged
    assert {p.source for p in c.supporting} == {"outlet:northwind wire"}


def test_five_million_is_flagged_even_if_isw_is_verified(seed_index, tmp_path, embedder):
    data = tmp_path / "seed"
    shutil.copytree(seed_index.data_dir, data)
    assistant = _assistant(load_settings(data), embedder)
    assistant.registry.set("ISW", "verified")
    c = assistant.corroborator.assess_claim(FIVE_MILLION)
    assert c.status == "single-source" and c.flagged
    assert "unable to obtain any corroboration" in c.reason
    assert all(p.outlet == "Institute for the Study of War" for p in c.supporting)


def test_single_seed_article_claim_is_flagged(seed_index, embedder):
    assistant = _assistant(seed_index, embedder)
    c = assistant.corroborator.assess_claim(
        "The FSB views the local population in the temporarily occupied territories as unreliable."
    )
    assert c.status == "single-source" and c.flagged
    assert c.reason.startswith("Only Espreso Global")


def test_rewrapped_copy_does_not_corroborate(seed_index, tmp_path, embedder):
    data = tmp_path / "seed"
    shutil.copytree(seed_index.data_dir, data)
    settings = load_settings(data)
    body = seed_file("001").read_text(encoding="utf-8").split("He shared this opinion", 1)
    copy = tmp_path / "copy.txt"
    copy.write_text(
        "Kyiv Daily Wire\nSkip to content\n\nExpert: mobilisation in occupied areas is risky\n\n"
        "He shared this opinion" + body[1].split("Tags:")[0] + "\n© 2025 Kyiv Daily Wire\n",
        encoding="utf-8",
    )
    report = ingest([copy], settings, embedder=embedder)
    assert len(report.duplicates) == 1
    assistant = _assistant(settings, embedder)
    c = assistant.corroborator.assess_claim(
        "The FSB views the local population in the temporarily occupied territories as unreliable."
    )
    assert c.independent == 1 and c.flagged, c


def test_answer_carries_corroboration(demo):
    def respond(messages):
        import json

        from tests.conftest import passages_in

        eid, text = next((i, t) for i, t in passages_in(messages).items() if "18.4 million" in t)
        return json.dumps({"sentences": [{"evidence": [eid], "text": text}], "answerable": True})

    demo.engine._generator = FakeGenerator(respond)
    answer = demo.ask("How much is the bridge repair contract worth?")
    assert answer.corroboration == "single-source"
    co = answer.sentences[0].corroboration
    assert co.flagged and co.supporting and co.supporting[0].quote in answer.sentences[0].text
    as_json = answer.to_dict()
    assert as_json["sentences"][0]["corroboration"]["flagged"] is True


def test_conflict_detection_same_frame_other_filler():
    true = "Super Bowl 2021 will take place at Raymond James Stadium in Tampa, Florida."
    fake = "Super Bowl 2021 will take place at Raymond James Stadium in Glendale, Arizona."
    other = "Tickets for the Super Bowl went on sale in January."
    assert conflicts(fake, [true]) and conflicts(true, [fake])
    assert not conflicts(other, [true])


def test_attributions():
    known = known_outlets(["Harbour Ledger"])
    labels = lambda t: [o.label for o in attributions(t, known)]  # noqa: E731
    assert labels("According to a report in the Harbour Ledger, cuts loom.") == ["Harbour Ledger"]
    assert labels("The Wall Street Journal (WSJ), citing a source, reported that…") == [
        "The Wall Street Journal"
    ]
    assert labels("Hromov stated on November 24 that…") == ["Hromov"]
    assert labels("He explained that the plan failed.") == []


def test_overall_status():
    def s(status):
        return Sentence("x", corroboration=Corroboration(status, 1, True, ""))

    assert overall([s("corroborated"), s("corroborated")]) == "corroborated"
    assert overall([s("corroborated"), s("single-source")]) == "mixed"
    assert overall([s("single-source")]) == "single-source"
    assert overall([s("corroborated"), s("disputed")]) == "disputed"


def test_two_seed_articles_relaying_isw_count_once(seed_index, embedder):
    """004 (Amnon Free Press) relays ISW ("…, ISW says"); the ISW quote it carries is one line
    of evidence with ISW, not a second source."""
    assistant = _assistant(seed_index, embedder)
    c = assistant.corroborator.assess_claim(
        "Putin likely seeks to avoid societal backlash in response to a new mobilization wave."
    )
    assert {p.outlet for p in c.supporting} >= {"Amnon Free Press"}
    assert all(p.origin == "Institute for the Study of War" for p in c.supporting)
    assert c.independent == 1 and c.flagged


def test_outlets_cli(capsys, demo_settings, tmp_path):
    from tests.qa.test_cli import run

    data = tmp_path / "d"
    shutil.copytree(demo_settings.data_dir, data)
    code, out, _ = run(capsys, "--data", str(data), "outlets", "set", "ISW", "verified")
    assert code == 0 and "Institute for the Study of War: verified" in out
    code, out, _ = run(capsys, "--data", str(data), "outlets", "list", "--json")
    rows = {r["outlet"]: r for r in json.loads(out)}
    assert rows["Institute for the Study of War"]["status"] == "verified"
    assert (
        rows["Harbour Ledger"]["documents"] == 2 and rows["Harbour Ledger"]["status"] == "unknown"
    )
    code, _, err = run(capsys, "--data", str(data), "outlets", "set", "X", "trusted")
    assert code == 2
    (data / "sources.toml").write_text('[outlets."X"]\nstatus = "great"\n')
    code, _, err = run(capsys, "--data", str(data), "outlets", "list")
    assert code == 2 and "status 'great'" in err


# -- meaning: paraphrases corroborate, contradictions dispute (eval/articles, written for this)


@pytest.fixture(scope="module")
def dam(tmp_path_factory, embedder):
    from tests.conftest import REPO

    data = tmp_path_factory.mktemp("dam-index")
    settings = load_settings(data)
    assert ingest([REPO / "eval" / "articles"], settings, embedder=embedder).ok
    return _assistant(settings, embedder)


def test_an_independent_paraphrase_corroborates(dam):
    c = dam.corroborator.assess_claim(
        "A new pumping station will supply water to 36,000 households in the eastern districts."
    )
    assert c.status == "corroborated" and not c.flagged, c.reason
    # the Courier says "Some 36,000 homes … are to receive their water from a pumping station"
    courier = [p for p in c.supporting if p.outlet == "Valley Courier"]
    assert courier and "36,000 homes" in courier[0].quote


def test_a_relay_and_a_copy_still_do_not(dam):
    c = dam.corroborator.assess_claim("The construction contract went to Brandt Civil Works.")
    assert c.status == "single-source" and c.flagged and c.independent == 1, c.reason
    assert {"Harbour Ledger"} <= {p.outlet for p in c.supporting}


@pytest.mark.parametrize(
    ("claim", "conflict"),
    [
        ("The Kestrel Reservoir dam will cost 42 million crowns.", "55 million"),
        ("The dam will be built at Heron Falls, eight kilometres north of the city.", "Otter"),
        ("Port Alder city council approved the Kestrel Reservoir dam on Tuesday.", "government"),
        ("The water authority will not raise water rates to pay for the dam.", "raise"),
        ("Construction of the Kestrel Reservoir dam will start on 12 May 2025.", "June"),
    ],
)
def test_a_conflicting_report_disputes_with_the_passage_shown(dam, claim, conflict):
    c = dam.corroborator.assess_claim(claim)
    assert c.status == "disputed" and c.flagged, c.reason
    granite = [d for d in c.disputing if d.outlet == "Granite Times"]
    assert granite, c.disputing
    assert granite[0].conflict and conflict in granite[0].quote + granite[0].conflict
    assert "Granite Times" in c.reason
    # the supporting side is not counted as disputing itself
    assert all(p.outlet != "Granite Times" for p in c.supporting)


def test_disputes_are_shown_in_the_terminal_and_the_web(dam):
    from qa.records import Answer
    from qa.ui.html import answer_html
    from qa.ui.terminal import render_answer

    claim = "The Kestrel Reservoir dam will cost 42 million crowns."
    sentence = Sentence(claim, corroboration=dam.corroborator.assess_claim(claim))
    answer = Answer("How much will the dam cost?", "answered", [sentence], corroboration="disputed")
    text = render_answer(answer)
    assert "⚠ DISPUTED" in text and "contradicted by Granite Times" in text
    assert "55 million crowns" in text
    page = answer_html(answer, 0, {}, {})
    assert "ts-dispute" in page and "Granite Times" in page and "55 million crowns" in page
