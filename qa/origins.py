"""Who a passage attributes its claim to, and whether it says the claim is unconfirmed.

Attributions are found in the passage's own sentence ("Hromov stated", "according to ISW",
"the Wall Street Journal reported", "citing sources"), else in the sentence just before it in
the same paragraph, else in the document's declared relay ("…, ISW says" headlines, "(Northwind
Wire)" credits, "found via the WSJ", "according to a report in the Harbour Ledger" near the top).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.metadata import canonical_outlet, outlet_aliases
from index.records import Document

from .text import sentence_spans

_NAME = r"(?:the\s+)?[A-Z][\w’'.&-]*(?:\s+(?:(?:of|for|and|on|the)\s+)?[A-Z][\w’'.&-]*){0,6}"
_VERBS = (
    r"(?:has\s+|had\s+|have\s+)?(?:previously\s+)?(?:reported|reports|said|says|stated|states|"
    r"claimed|claims|noted|notes|told|announced|confirmed|warned|highlighted|observed|assessed|"
    r"wrote|found|revealed|estimated|estimates|pointed out|underscored|explained|argued|added|"
    r"emphasi[sz]ed|insisted|denied|admitted)"
)
_PATTERNS = [
    re.compile(
        rf"[Aa]ccording to (?:a |the )?(?:report|reports|statement|study|analysis)?\s*"
        rf"(?:in|by|from|of)?\s*(?P<src>{_NAME})"
    ),
    re.compile(rf"(?:as\s+)?(?:cited|reported|quoted|published)\s+by\s+(?P<src>{_NAME})"),
    re.compile(rf"\bciting\s+(?:a\s+(?:source|report)\s+(?:in|from|by)\s+)?(?P<src>{_NAME})"),
    re.compile(rf"\bvia\s+(?P<src>{_NAME})"),
    re.compile(rf"(?P<src>{_NAME}),\s+citing\b"),
    re.compile(rf"(?P<src>{_NAME}),\s+[^,.;]{{3,80}},\s+{_VERBS}\b"),
    re.compile(rf"(?P<src>{_NAME}),?\s+{_VERBS}\b"),
]
# How far into an article (characters) a relay declaration ("according to a report in …")
# counts first, and how far past a passage's paragraph (characters) a disclaimer still covers it.
# Corroborator (qa/corroborate.py) calls these functions with the defaults; they are keyword
# arguments so a caller can tune them.
RELAY_HEAD_CHARS = 600
DISCLAIMER_REACH_CHARS = 300
# A disclaimer word of at most this many letters ("said", "that") names nothing specific.
_SHORT_WORD = 3
_DISCLAIMER_CACHE_MAX = 10_000  # documents whose disclaimers are kept in memory

_ABBREVIATION = re.compile(r"\s*\([A-Z]{2,8}\)")
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "this", "that", "these", "those", "there"}
_GENERIC = {
    "sources",
    "source",
    "officials",
    "reports",
    "experts",
    "analysts",
    "media",
    "some",
    "many",
    "people",
    "residents",
    "critics",
    "others",
}

UNVERIFIED = re.compile(
    r"(unable to (?:obtain|find) any (?:corroboration|confirmation)|"
    r"could not (?:be )?(?:independently )?(?:verif|confirm|corroborat)|"
    r"cannot (?:be )?(?:independently )?(?:verif|confirm|corroborat)|"
    r"has not been (?:independently )?(?:verified|confirmed|corroborated)|"
    r"(?:was|were) not (?:independently )?(?:verified|confirmed)|"
    r"no independent (?:confirmation|verification|corroboration)|"
    r"\bunconfirmed\b|\bunverified\b|\ballegedly\b|could not immediately confirm|"
    r"did not respond to (?:a )?requests? for comment)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Origin:
    key: str  # normalised identity ("outlet:the wall street journal", "person:hromov")
    label: str  # as shown to a user


def _strip_article(name: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", name.strip(" ,.;:"), flags=re.IGNORECASE)


def normalise_origin(name: str, known_outlets: dict[str, str]) -> Origin | None:
    """Map a name to an origin key; known outlets (alias table or the index) become outlets."""
    raw = _strip_article(name)
    if not raw or raw.lower() in _PRONOUNS or raw.lower() in _GENERIC:
        return None
    aliases = outlet_aliases()
    if raw.lower() in aliases:
        canon = aliases[raw.lower()]
        return Origin(f"outlet:{canon.lower()}", canon)
    last = raw.split()[-1].lower().strip("’'s")
    for outlet_lower, outlet in known_outlets.items():
        if raw.lower() == outlet_lower or (len(last) > 3 and outlet_lower.split()[-1] == last):
            return Origin(f"outlet:{outlet_lower}", outlet)
    if raw.lower() in ("institute",):  # "the Institute" in a text that already names ISW
        return None
    words = raw.split()
    if len(words) >= 2 and all(w[:1].isupper() for w in words[-2:]):
        return Origin(f"name:{words[-1].lower()}", " ".join(words[-2:]))
    return Origin(f"name:{last}", raw)


def attributions(text: str, known_outlets: dict[str, str]) -> list[Origin]:
    found: list[Origin] = []
    text = _ABBREVIATION.sub("", text)  # "The Wall Street Journal (WSJ), citing…"
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            origin = normalise_origin(m.group("src"), known_outlets)
            if origin and origin not in found:
                found.append(origin)
    return found


def relay_origin(
    doc: Document,
    removed: list[tuple[str, str]],
    known: dict[str, str],
    *,
    head_chars: int = RELAY_HEAD_CHARS,
) -> Origin | None:
    """The outlet or person a whole document declares it relays, if any (a declaration in the
    first ``head_chars`` characters is preferred)."""
    title = doc.meta.title
    m = re.search(rf",\s*(?P<src>{_NAME})\s+(?:says|said|reports|reported)\s*$", title)
    if m:
        origin = normalise_origin(m.group("src"), known)
        if origin:
            return origin
    for line, why in removed:
        if why == "credit line":
            origin = normalise_origin(line.strip("() "), known)
            if origin:
                return origin
    head = doc.cleaned_text[:head_chars]
    for pattern in (
        re.compile(rf"according to a report (?:in|by|from) (?P<src>{_NAME})"),
        re.compile(rf"\bfound via (?P<src>{_NAME})"),
    ):
        m = pattern.search(head) or pattern.search(doc.cleaned_text)
        if m:
            origin = normalise_origin(m.group("src"), known)
            if origin:
                return origin
    return None


def paragraph_of(text: str, start: int, end: int) -> tuple[int, int]:
    p0 = text.rfind("\n", 0, start) + 1
    p1 = text.find("\n", end)
    return p0, len(text) if p1 < 0 else p1


def passage_origin(
    doc: Document, start: int, end: int, known: dict[str, str], relay: Origin | None
) -> Origin | None:
    text = doc.cleaned_text
    own = attributions(text[start:end], known)
    if own:
        return own[0]
    p0, _ = paragraph_of(text, start, end)
    before = [s for s in sentence_spans(text, p0, start) if s[1] <= start]
    if before:
        prev = attributions(text[before[-1][0] : before[-1][1]], known)
        if prev:
            return prev[0]
    return relay


_GENERIC = _GENERIC | {
    "claim",
    "report",
    "information",
    "figure",
    "account",
    "allegation",
    "detail",
    "statement",
    "unable",
    "obtain",
    "corroboration",
    "independent",
    "independently",
    "verif",
    "verifi",
    "confirm",
    "confirmation",
    "corroborat",
    "respond",
    "request",
    "comment",
    "additional",
    "provid",
    "immediately",
    "reporting",
}


def _disclaimer_applies(disclaimer: str, passage: str) -> bool:
    """A disclaimer covers the passage when it names nothing specific ("The claim could not be
    verified") or shares a specific word with it ("…corroboration about the document")."""
    from .text import content_words

    specific = {w for w in content_words(disclaimer) if w not in _GENERIC and len(w) > _SHORT_WORD}
    specific = {w for w in specific if not any(w.startswith(g) for g in ("verif", "corrobor"))}
    if not specific:
        return True
    return bool(specific & set(content_words(passage)))


def _disclaimers(doc: Document) -> list[tuple[int, int, str]]:
    """Sentences of a document that say something is unconfirmed, with the phrase."""
    key = (doc.doc_id, len(doc.cleaned_text))
    if key not in _DISCLAIMER_CACHE:
        text = doc.cleaned_text
        found = []
        for s, e in sentence_spans(text):
            m = UNVERIFIED.search(text[s:e])
            if m:
                stop = s + m.end()
                while stop < e and text[stop].isalpha():
                    stop += 1
                found.append((s, e, text[s + m.start() : stop]))
        if len(_DISCLAIMER_CACHE) > _DISCLAIMER_CACHE_MAX:
            _DISCLAIMER_CACHE.clear()
        _DISCLAIMER_CACHE[key] = found
    return _DISCLAIMER_CACHE[key]


_DISCLAIMER_CACHE: dict[tuple[str, int], list[tuple[int, int, str]]] = {}


def self_unverified(
    doc: Document, start: int, end: int, *, reach_chars: int = DISCLAIMER_REACH_CHARS
) -> str:
    """The phrase by which the article says this passage's claim is unconfirmed, or ''.

    A disclaimer inside the passage counts; one in its paragraph or just after it counts when
    it names nothing specific or shares a specific word with the passage ("…no corroboration
    about the document"); "just after" is within ``reach_chars`` characters of the paragraph's
    end; one elsewhere in the article counts only when it names nothing
    specific ("The claim could not be independently verified.").
    """
    text = doc.cleaned_text
    passage = text[start:end]
    p0, p1 = paragraph_of(text, start, end)
    for s, e, phrase in _disclaimers(doc):
        if s < end and e > start:
            return phrase  # the passage hedges itself
        near = p0 <= s < p1 + reach_chars
        if _disclaimer_applies(text[s:e], passage) and (near or _generic(text[s:e])):
            return phrase
    return ""


def _generic(disclaimer: str) -> bool:
    from .text import content_words

    return not {w for w in content_words(disclaimer) if w not in _GENERIC and len(w) > _SHORT_WORD}


def known_outlets(outlets: list[str]) -> dict[str, str]:
    table = {o.lower(): o for o in outlets if o}
    for canonical in set(outlet_aliases().values()):
        table.setdefault(canonical.lower(), canonical)
    return table


__all__ = [
    "UNVERIFIED",
    "Origin",
    "attributions",
    "canonical_outlet",
    "known_outlets",
    "passage_origin",
    "relay_origin",
    "self_unverified",
]
