"""Human-readable rendering of an :class:`Answer` for the terminal."""

from __future__ import annotations

import textwrap

from ..records import Answer

# What Answer.outcome means, for a reader.
OUTCOMES = {
    "checked": "the model's sentences, each checked against its cited passages",
    "extractive": "relevant passages, but no sentence of the model passed the check: quoted",
    "nothing_relevant": "nothing in the archive is about this question; the model was not asked",
    "unsupported": "related passages, but neither the model's sentences nor a quote answer it",
}


def render_answer(answer: Answer, width: int = 100) -> str:
    lines: list[str] = []
    numbers: dict[tuple[str, int, int], int] = {}
    for c in answer.citations():
        numbers[(c.doc_id, c.start, c.end)] = len(numbers) + 1
    if answer.status == "abstained":
        lines.append(answer.message)
        lines.append(f"({OUTCOMES.get(answer.outcome, answer.outcome)})")
        if answer.evidence:
            lines.append("")
            lines.append("Closest passages found:")
            for ev in answer.evidence[:3]:
                lines.append(
                    f"  - {ev.outlet or 'Unknown outlet'}, {ev.published or 'undated'}: “{ev.text}”"
                )
        return "\n".join(lines)
    if answer.extractive:
        lines.append(f"[extractive] {answer.message}")
        lines.append("")
    v = answer.verdict
    if v is not None and v.value == "unknown" and v.reason:
        lines.append(f"(no yes or no: {v.reason})")
        lines.append("")
    if answer.corroboration:
        lines.append(f"Corroboration: {answer.corroboration}")
        lines.append("")
    for s in answer.sentences:
        marks = "".join(f"[{numbers[(c.doc_id, c.start, c.end)]}]" for c in s.citations)
        co = s.corroboration
        badge = ""
        if co is not None:
            badge = f" ⚠ {co.status.upper()}" if co.flagged else f" ✓ {co.independent} sources"
        lines.append(textwrap.fill(f"{s.lead}{s.text} {marks}{badge}", width=width))
        if co is not None and (co.flagged or co.status == "corroborated"):
            lines.append(
                textwrap.fill(
                    co.reason, width=width, initial_indent="    ↳ ", subsequent_indent="      "
                )
            )
        for d in co.disputing[:3] if co is not None else ():
            who = f"{d.outlet or 'Unknown outlet'}, {d.published or 'undated'}"
            why = f" — the sentence {d.conflict}" if d.conflict else ""
            lines.append(
                textwrap.fill(
                    f"✗ contradicted by {who}{why}: “{d.quote}” (document {d.doc_id}, "
                    f"characters [{d.start}, {d.end}))",
                    width=width,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
    if answer.removed:
        lines.append("")
        lines.append(
            f"({len(answer.removed)} sentence(s) of the draft removed: not supported by the "
            "cited passages)"
        )
    if answer.off_topic:
        if not answer.removed:
            lines.append("")
        lines.append(
            f"({len(answer.off_topic)} checked sentence(s) of the draft left out: not about the "
            "question)"
        )
    lines.append("")
    lines.append("Sources:")
    for c in answer.citations():
        n = numbers[(c.doc_id, c.start, c.end)]
        head = f"[{n}] {c.outlet or 'Unknown outlet'}, {c.published or 'undated'} — {c.title}"
        lines.append(textwrap.shorten(head, width=width, placeholder="…"))
        lines.append(f"    document {c.doc_id}, characters [{c.start}, {c.end})")
        lines.append(
            textwrap.fill(
                f"“{c.quote}”", width=width, initial_indent="    ", subsequent_indent="    "
            )
        )
    return "\n".join(lines)
