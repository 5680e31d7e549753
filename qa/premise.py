"""Premises a passage refutes: a yes/no question says what a named outlet reported ("Does the
Fortune article suggest that McHenry is seeking the job …?"); when a passage of that outlet
says the opposite ("McHenry has brushed off attempts to take the job more permanently"), the
answer is "No" on that passage — whatever the model said.

Only an explicit flip counts (negation, an opposite word, swapped roles), found by the meaning
checks on a passage sentence about the same matter, and only when no passage of the outlet
states the premise. Another number or name is not enough: the outlet may report several
events."""

from __future__ import annotations

from dataclasses import dataclass

from .meaning import same_matter
from .question import Premise
from .records import Citation, Evidence
from .text import sentence_spans

# The kinds of finding that say a passage states the opposite of a premise.
FLIPS = ("negation", "antonym", "role")
# A passage sentence speaks of what a premise says when it holds this share of the premise's
# content words (or a main predicate and a thing it is about, see meaning.same_matter).
ABOUT = 0.5


@dataclass(frozen=True)
class Refutation:
    """A premise of the question and the passage sentence that says otherwise."""

    premise: Premise
    citation: Citation  # the passage sentence, exactly
    reason: str  # the meaning check's words: "says 'useless' where the passage says 'useful'"


def refute(premises: list[Premise], evidence: list[Evidence], checker) -> Refutation | None:
    """The first premise that a sentence of its outlet's evidence contradicts, when no
    sentence of that outlet supports it."""
    spans = {
        i: [
            (e, s, t)
            for e in evidence
            if (e.outlet or "").lower() == p.outlet.lower()
            for s, t in sentence_spans(e.text)
        ]
        for i, p in enumerate(premises)
    }
    pairs = [(p.claim, [e.text[s:t]]) for i, p in enumerate(premises) for e, s, t in spans[i]]
    checks = iter(checker.check_many(pairs) if pairs else [])  # one batch for all premises
    for i, premise in enumerate(premises):
        mine = [next(checks) for _ in spans[i]]
        if any(c.supported for c in mine):
            continue
        for (e, s, t), check in zip(spans[i], mine, strict=True):
            flips = [f for f in check.findings if f.contradiction and f.kind in FLIPS]
            text = e.text[s:t]
            if flips and (check.coverage >= ABOUT or same_matter(premise.claim, text)):
                citation = Citation(
                    doc_id=e.doc_id,
                    title=e.title,
                    outlet=e.outlet,
                    published=e.published,
                    start=e.start + s,
                    end=e.start + t,
                    quote=text,
                    eid=e.eid,
                )
                return Refutation(premise, citation, flips[0].reason)
    return None
