"""Question analysis: what kind of question it is and which outlets, names and dates it names.

Language structure (entities, noun phrases, the first word's part of speech) comes from spaCy
(:mod:`qa.nlp`); outlet mentions are matched against the outlets the archive actually holds
(``Index.documents()`` metadata, through the alias table of :mod:`index.metadata`), never
against a fixed list. The result is a frozen :class:`QuestionAnalysis`; :func:`retrieval_plan`
turns it into retrieval boosts or per-outlet parts, explicit filters staying authoritative.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Literal

from index.metadata import canonical_outlet, outlet_aliases

from .retrieve import Boost, Filters

Kind = Literal["wh", "yes_no", "comparison", "temporal", "list", "count"]

_AUX_FIRST = {
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "were",
    "can",
    "could",
    "will",
    "would",
    "has",
    "have",
    "had",
    "should",
    "shall",
    "may",
    "might",
    "must",
}
_COMPARE_WORDS = {"both", "compare", "compared", "comparison", "differ", "different", "difference"}
_COMPARE_PHRASES = ("same as", "versus", " vs ", "whereas", "more than", "less than", "rather than")
_TEMPORAL_WORDS = {"before", "after", "earlier", "later", "prior", "first", "since", "until"}
_COUNT_PHRASES = ("how many", "how much", "number of")
_LIST_FIRST = {"list", "name"}
_PERSON = {"PERSON"}
_PLACE = {"GPE", "LOC", "FAC"}
_ORG = {"ORG", "NORP"}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d|21\d\d)\b")
_DAY = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b")


@dataclass(frozen=True)
class DateRange:
    """A date the question names, as an inclusive ISO range; ``relation`` is the word before it
    ("in", "before", "after", "since", "until", …; "" when none)."""

    text: str
    start: str
    end: str
    relation: str = ""

    def bounds(self) -> tuple[str, str]:
        """The published-date range this mention asks about ("" = open)."""
        if self.relation in ("before", "until", "by"):
            return "", _shift(self.start, -1) if self.relation == "before" else self.end
        if self.relation == "after":
            return _shift(self.end, 1), ""
        if self.relation == "since":
            return self.start, ""
        return self.start, self.end


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks and names. ``kinds`` holds every kind that applies, ``kind`` the
    main one (comparison > temporal > count > list > yes_no > wh)."""

    question: str
    kind: Kind = "wh"
    kinds: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # canonical names of archive outlets the question names
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    dates: tuple[DateRange, ...] = field(default=())

    @property
    def since(self) -> str:
        starts = [d.bounds()[0] for d in self.dates]
        return min(starts) if starts and all(starts) else ""

    @property
    def until(self) -> str:
        ends = [d.bounds()[1] for d in self.dates]
        return max(ends) if ends and all(ends) else ""

    def to_dict(self) -> dict:
        out = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        out["since"], out["until"] = self.since, self.until
        return out


def archive_outlets(documents: Iterable) -> list[str]:
    """The distinct outlet names of an archive's documents (``Index.documents()``)."""
    names: dict[str, str] = {}
    for d in documents:
        name = (d.meta.outlet or "").strip()
        if name:
            names.setdefault(name.lower(), name)
    return sorted(names.values(), key=str.lower)


def outlet_names(outlets: Iterable[str]) -> dict[str, list[str]]:
    """Each known outlet → the names a question may call it by: its own name, its canonical
    name and the alias table's aliases of it, with and without "the"; and its last word when
    that word is long and names no other known outlet ("the Courier" for Valley Courier)."""
    outlets = list(dict.fromkeys(o for o in outlets if o))
    aliases = outlet_aliases()
    by_canon: dict[str, list[str]] = {}
    for alias, canon in aliases.items():
        by_canon.setdefault(canon.lower(), []).append(alias)
    last_words: dict[str, int] = {}
    for o in outlets:
        words = o.split()
        if len(words) > 1:
            last_words[words[-1]] = last_words.get(words[-1], 0) + 1
    table: dict[str, list[str]] = {}
    for o in outlets:
        canon = canonical_outlet(o)
        names = {o, canon, *by_canon.get(canon.lower(), []), *by_canon.get(o.lower(), [])}
        names = {re.sub(r"^the\s+", "", n, flags=re.IGNORECASE) for n in names}
        words = o.split()
        if (
            len(words) > 1
            and len(words[-1]) > 3
            and words[-1][:1].isupper()
            and last_words[words[-1]] == 1
            and not {w.lower() for w in words} & {"of", "for", "on", "and"}
        ):
            names.add("\x00" + words[-1])  # only as "the <Word>", capitalised
        table[o] = sorted(names, key=len, reverse=True)
    return table


def match_outlets(question: str, outlets: Iterable[str]) -> list[tuple[str, int, int]]:
    """``(outlet, start, end)`` for every known outlet the question names, in order."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    candidates = []
    for outlet, names in outlet_names(outlets).items():
        for name in names:
            if name.startswith("\x00"):
                pattern = rf"\b[Tt]he\s+({re.escape(name[1:])})\b"
                flags = 0
            else:
                pattern = rf"\b({re.escape(name)})(?!\w)"
                flags = re.IGNORECASE
            for m in re.finditer(pattern, question, flags):
                if len(name) <= 4 and not m.group(1).isupper():
                    continue  # "ISW", "BBC" only in capitals ("bbc" in a word is not the BBC)
                candidates.append((m.start(1), m.end(1), outlet))
    for start, end, outlet in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        found.append((outlet, start, end))
    return found


def analyze(question: str, outlets: Iterable[str] = ()) -> QuestionAnalysis:
    """Analyse ``question`` against the archive's ``outlets`` (see :func:`archive_outlets`)."""
    from .nlp import parse

    q = " ".join((question or "").split())
    doc = parse(q)
    mentions = match_outlets(q, outlets)
    named = tuple(dict.fromkeys(o for o, _, _ in mentions))
    spans = [(s, e) for _, s, e in mentions]

    def outside(ent) -> bool:
        return not any(s < ent.end_char and ent.start_char < e for s, e in spans)

    people, places, orgs = [], [], []
    dates: list[DateRange] = []
    for ent in doc.ents:
        if ent.label_ == "DATE":
            rng = _date_range(ent.text)
            if rng:
                before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
                if before == "and" and ent.start > 1 and dates:
                    before = dates[-1].relation
                dates.append(DateRange(ent.text, rng[0], rng[1], _relation(before)))
            continue
        if not outside(ent):
            continue
        text = re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE)
        if ent.label_ in _PERSON:
            people.append(text)
        elif ent.label_ in _PLACE:
            places.append(text)
        elif ent.label_ in _ORG:
            orgs.append(text)
    kinds = _kinds(doc, q, len(named))
    return QuestionAnalysis(
        question=q,
        kind=kinds[0],
        kinds=tuple(kinds),
        outlets=named,
        people=tuple(dict.fromkeys(people)),
        places=tuple(dict.fromkeys(places)),
        organisations=tuple(dict.fromkeys(orgs)),
        dates=tuple(dates),
    )


def _kinds(doc, q: str, n_outlets: int) -> list[str]:
    low = f" {q.lower()} "
    words = {t.lower_ for t in doc}
    kinds: list[str] = []
    comparative = any(t.tag_ in ("JJR", "RBR") for t in doc) and "than" in words
    if (
        n_outlets >= 2
        or words & _COMPARE_WORDS
        or comparative
        or any(p in low for p in _COMPARE_PHRASES)
    ):
        kinds.append("comparison")
    if any(t.lower_ in _TEMPORAL_WORDS and t.pos_ in ("ADP", "SCONJ", "ADV", "ADJ") for t in doc):
        kinds.append("temporal")
    if any(p in low for p in _COUNT_PHRASES):
        kinds.append("count")
    first = next((t for t in doc if not t.is_punct and t.lower_ not in ("and", "so", "but")), None)
    if first is not None:
        plural_which = first.lower_ in ("which", "what") and any(
            t.tag_ in ("NNS", "NNPS") for t in doc[first.i + 1 : first.i + 3]
        )
        if first.lower_ in _LIST_FIRST or plural_which or " else " in low:
            kinds.append("list")
        if first.lower_ in _AUX_FIRST and first.pos_ in ("AUX", "VERB"):
            kinds.append("yes_no")
    kinds.append("wh")
    order = ["comparison", "temporal", "count", "list", "yes_no", "wh"]
    return sorted(dict.fromkeys(kinds), key=order.index)


def _relation(word: str) -> str:
    if word in ("before", "after", "since", "until", "by"):
        return word
    if word in ("till", "through"):
        return "until"
    return "in" if word in ("in", "on", "during", "of") else ""


def _date_range(text: str) -> tuple[str, str] | None:
    """An ISO range for a date expression ("October 2023", "3 March 2025", "March 3, 2025",
    "2024"); None for expressions without a year ("last week", "in March")."""
    years = _YEAR.findall(text)
    if len(years) != 1:
        return None
    year = int(years[0])
    month = next((_MONTHS[w] for w in re.findall(r"[A-Za-z]+", text.lower()) if w in _MONTHS), 0)
    if not month:
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    rest = _YEAR.sub(" ", text)
    day_match = _DAY.search(rest)
    last = calendar.monthrange(year, month)[1]
    if day_match and 1 <= int(day_match.group(1)) <= last:
        iso = date(year, month, int(day_match.group(1))).isoformat()
        return iso, iso
    return date(year, month, 1).isoformat(), date(year, month, last).isoformat()


def _shift(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


def retrieval_plan(
    analysis: QuestionAnalysis, filters: Filters | None = None
) -> tuple[Boost | None, list[Filters]]:
    """How the analysis shapes retrieval: a boost for named outlets and dates, and for a
    question naming two or more outlets one filtered part per outlet (so the evidence covers
    each). Explicit filters stay authoritative: an explicit outlet filter disables the outlet
    boost and the parts, an explicit date filter disables the date boost. ``(None, [])`` for a
    question that names neither."""
    filters = filters or Filters()
    outlets = () if filters.outlet else analysis.outlets
    dated = not (filters.since or filters.until)
    since, until = (analysis.since, analysis.until) if dated else ("", "")
    boost = Boost(outlets=tuple(outlets), since=since, until=until)
    if not boost:
        return None, []
    parts: list[Filters] = []
    if len(outlets) >= 2:
        parts = [Filters(outlet=o, since=filters.since, until=filters.until) for o in outlets]
    return boost, parts


__all__ = [
    "DateRange",
    "QuestionAnalysis",
    "analyze",
    "archive_outlets",
    "match_outlets",
    "outlet_names",
    "retrieval_plan",
]
