"""HTML for the web chat. Every piece of article text goes through ``html.escape``: an article
can never inject markup or script into the page."""

from __future__ import annotations

from html import escape

from ..records import Answer, Citation, Sentence
from .terminal import OUTCOMES

CONTEXT_CHARS = 2500  # article text shown around a cited span in the source panel


def _badge(sentence: Sentence) -> str:
    co = sentence.corroboration
    if co is None:
        return ""
    if co.status == "disputed":
        label, cls = "⚠ disputed", "ts-flag ts-disputed"
    elif co.flagged:
        label, cls = "⚠ single source", "ts-flag"
    elif co.status == "corroborated":
        label, cls = f"✓ {co.independent} sources", "ts-ok"
    else:
        label, cls = "● single verified source", "ts-verified"
    disputes = "".join(
        f'<div class="ts-dispute"><span class="ts-dispute-who">'
        f"{escape(d.outlet or 'Unknown outlet')}, {escape(d.published or 'undated')}</span>"
        + (f" — the sentence {escape(d.conflict)}" if d.conflict else "")
        + f': <q class="ts-dispute-quote">{escape(d.quote)}</q></div>'
        for d in co.disputing[:3]
    )
    return (
        f'<details class="ts-why"><summary class="ts-badge {cls}" title="{escape(co.reason)}">'
        f'{label}</summary><div class="ts-reason">{escape(co.reason)}</div>{disputes}</details>'
    )


def source_panel_html(citation: Citation, text: str, url: str = "") -> str:
    """Title, outlet, date, URL and the passage highlighted inside its surrounding text."""
    a = max(0, citation.start - CONTEXT_CHARS)
    b = min(len(text), citation.end + CONTEXT_CHARS)
    before = ("…" if a > 0 else "") + text[a : citation.start]
    after = text[citation.end : b] + ("…" if b < len(text) else "")
    meta = " · ".join(
        escape(x)
        for x in (citation.outlet or "Unknown outlet", citation.published or "undated")
        if x
    )
    url_html = f'<div class="ts-url">{escape(url)}</div>' if url else ""
    return (
        f'<div class="ts-src-head"><div class="ts-src-title">{escape(citation.title)}</div>'
        f'<div class="ts-src-meta">{meta}</div>{url_html}'
        f'<div class="ts-src-span">document {escape(citation.doc_id)}, characters '
        f"[{citation.start}, {citation.end})</div></div>"
        f'<div class="ts-article">{escape(before)}<mark class="ts-hl">'
        f"{escape(text[citation.start : citation.end])}</mark>{escape(after)}</div>"
    )


def _cite_link(n: int, turn: int, c: Citation) -> str:
    return (
        f'<a href="#" class="ts-cite" data-target="ts-src-{turn}-{n}" '
        f'data-quote="{escape(c.quote)}">[{n}]</a>'
    )


def answer_html(answer: Answer, turn: int, texts: dict[str, str], urls: dict[str, str]) -> str:
    """An answer with numbered, clickable citations, badges, and hidden source panels."""
    if answer.status == "abstained":
        items = "".join(
            f"<li>{escape(e.outlet or 'Unknown outlet')}, {escape(e.published or 'undated')}: "
            f"“{escape(e.text)}”</li>"
            for e in answer.evidence[:3]
        )
        closest = (
            f"<div class='ts-closest'>Closest passages found:<ul>{items}</ul></div>"
            if items
            else ""
        )
        why = OUTCOMES.get(answer.outcome, answer.outcome)
        return (
            f'<div class="ts-abstain">{escape(answer.message)}</div>'
            f'<div class="ts-outcome" data-outcome="{escape(answer.outcome)}">{escape(why)}</div>'
            f"{closest}"
        )
    numbers: dict[tuple[str, int, int], int] = {}
    for c in answer.citations():
        numbers[(c.doc_id, c.start, c.end)] = len(numbers) + 1
    parts = []
    if answer.corroboration:
        parts.append(f'<div class="ts-overall">Corroboration: {escape(answer.corroboration)}</div>')
    if answer.extractive:
        parts.append(f'<div class="ts-extractive">Extractive: {escape(answer.message)}</div>')
    v = answer.verdict
    if v is not None and v.value == "unknown" and v.reason:
        parts.append(f'<div class="ts-noverdict">No yes or no: {escape(v.reason)}</div>')
    for s in answer.sentences:
        cites = "".join(
            _cite_link(numbers[(c.doc_id, c.start, c.end)], turn, c) for c in s.citations
        )
        lead = ""
        if s.lead and v is not None:
            lead = (
                f'<strong class="ts-verdict" data-verdict="{escape(v.value)}">'
                f"{escape(s.lead)}</strong>"
            )
        elif s.lead:  # the name a "who …?" question asks for
            lead = f'<strong class="ts-named">{escape(s.lead)}</strong>'
        parts.append(f'<p class="ts-sentence">{lead}{escape(s.text)} {cites} {_badge(s)}</p>')
    if answer.removed:
        parts.append(
            f'<div class="ts-removed">{len(answer.removed)} sentence(s) of the draft were '
            "removed: not supported by the cited passages.</div>"
        )
    if answer.off_topic:
        parts.append(
            f'<div class="ts-removed">{len(answer.off_topic)} checked sentence(s) of the draft '
            "were left out: not about the question.</div>"
        )
    sources = []
    for c in answer.citations():
        n = numbers[(c.doc_id, c.start, c.end)]
        sources.append(
            f"<li>{_cite_link(n, turn, c)} {escape(c.outlet or 'Unknown outlet')}, "
            f"{escape(c.published or 'undated')} — {escape(c.title)}</li>"
            f'<template id="ts-src-{turn}-{n}">'
            f"{source_panel_html(c, texts.get(c.doc_id, ''), urls.get(c.doc_id, ''))}</template>"
        )
    parts.append(f'<ul class="ts-sources">{"".join(sources)}</ul>')
    return "".join(parts)


def chat_html(turns: list[dict]) -> str:
    """The whole conversation; a turn is {question, html} or {question, draft, status}."""
    if not turns:
        return (
            '<div class="ts-empty">Ask a question about your archive. Every sentence of the '
            "answer cites its source; claims resting on a single unverified source are flagged."
            "</div>"
        )
    out = []
    for t in turns:
        out.append(f'<div class="ts-q">{escape(t["question"])}</div>')
        if t.get("html"):
            out.append(f'<div class="ts-a">{t["html"]}</div>')
        else:
            draft = escape(t.get("draft", ""))
            out.append(
                f'<div class="ts-a ts-pending"><div class="ts-status">{escape(t.get("status", ""))}'
                f'</div><div class="ts-draft">{draft}</div></div>'
            )
    return '<div class="ts-chat">' + "".join(out) + "</div>"
