"""A question's premise that a passage of the named outlet contradicts (real embedder)."""

from __future__ import annotations

from qa.premise import refute
from qa.question import Premise
from qa.records import Evidence

# MultiHop-RAG dev, query 274: the question has Engadget say CyberGhost's measures exclude an
# audit; Engadget's passage (its gold evidence) says CyberGhost completed one.
CLAIM = "CyberGhost's cybersecurity measures exclude an independent security audit."
AUDIT = (
    "VPN providers differ on security. From a security perspective, CyberGhost completed an "
    "independent security audit by Deloitte earlier this year."
)


def _evidence(eid: int, outlet: str, text: str, start: int = 100) -> Evidence:
    return Evidence(eid, f"doc-{eid}", "VPN review", outlet, "2023-11-20", start, start + len(text),
                    text, 0.8, eid)  # fmt: skip


def test_a_passage_of_the_named_outlet_saying_otherwise_refutes_the_premise(checker):
    premise = Premise("Engadget", CLAIM)
    found = refute([premise], [_evidence(1, "Engadget", AUDIT)], checker)
    assert found is not None and found.premise == premise
    # the passage's one sentence that says otherwise, with its exact place in the document
    sentence = AUDIT[AUDIT.index("From") :]
    assert found.citation.quote == sentence
    assert found.citation.start == 100 + AUDIT.index("From")
    assert found.citation.end == found.citation.start + len(sentence)
    assert "denies 'audit'" in found.reason


def test_only_the_named_outlet_and_only_a_premise_none_of_its_passages_states(checker):
    premise = Premise("Engadget", CLAIM)
    # another outlet's passage says nothing of what Engadget reported
    assert refute([premise], [_evidence(1, "TechCrunch", AUDIT)], checker) is None
    # the outlet also states the premise: the two passages disagree, no "no" on one of them
    states = "CyberGhost's cybersecurity measures exclude an independent security audit."
    both = [_evidence(1, "Engadget", AUDIT), _evidence(2, "Engadget", states, 400)]
    assert refute([premise], both, checker) is None
    # another number is not a contradiction of the premise (the outlet may report two events)
    other = Premise("Engadget", "CyberGhost completed an independent security audit in 2021.")
    dated = "CyberGhost completed an independent security audit in 2023."
    assert refute([other], [_evidence(1, "Engadget", dated)], checker) is None
