"""Dates a passage tells relative to its report, resolved against the report's own date.

News text dates events from the day it appeared: "the commission narrowed the list to three
Wednesday evening", "the team took the cup this year", "he said yesterday". Its reader knows
the article's date, and so does a sentence written from it ("On March 1, 2017, Powell was
named one of three …"). The checker cannot tell such a sentence from an invented date unless
the passage's relative dates are resolved. :func:`anchored` does that:

- the report's date is the cited articles' publication date (their metadata), when they share
  one, or else the one dateline among the passages — a short line that gives a full date and
  says nothing else ("By Travis Zimpfer on March 2, 2017", "December 20, 2018 10:04AM PT",
  "Fri 15 Feb 19");
- "yesterday", "today", "tomorrow", a weekday ("Wednesday evening": the last one on or before
  the report's day; "next Wednesday", or one a "will" looks forward to: the coming one), a
  month without its year ("in June": the last June, or the coming one in a clause that looks
  forward — "the first debate planned for June"), "this/last/next year" and "this/last/next
  month" are resolved against it;
- each passage is returned with the date glossed after the expression ("Wednesday evening
  (1 March 2017)"), for checking only: quotes are never changed.

A passage with no such expression, or passages whose articles have different dates and no
single dateline, are returned unchanged.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .nlp import parse_many
from .text import MONTHS, WEEKDAYS

_MONTHS = MONTHS
_MONTH_NUM = {m: i + 1 for i, m in enumerate(_MONTHS)} | {
    m[:3]: i + 1 for i, m in enumerate(_MONTHS)
}
_MONTH_NUM["sept"] = 9
_WEEKDAYS = WEEKDAYS
_WEEKDAY_NUM = {d: i for i, d in enumerate(_WEEKDAYS)}
_MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MDY = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE},?\s+(\d{{4}}|\d{{2}})\b", re.I)
_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_FUTURE = {"will", "'ll", "shall", "next", "coming", "upcoming"}
_PAST = {"last", "past", "previous"}
# verbs a dateline may carry ("Published 11:07 p.m. ET Jan. 27, 2019 | Updated …")
_DATELINE_VERBS = {"publish", "update", "post", "write", "modify", "last"}
_MAX_DATELINE_WORDS = 14


def parse_date(text: str) -> date | None:
    """The first full date (day, month and year) ``text`` gives, or None: "2016-08-25",
    "March 2, 2017", "Jan. 27, 2019", "15 Feb 19" (a two-digit year is of this century)."""
    found: list[tuple[int, date]] = []
    for m in _ISO.finditer(text):
        found += _make(m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _MDY.finditer(text):
        found += _make(m.start(), int(m.group(3)), _MONTH_NUM[m.group(1).lower()], int(m.group(2)))
    for m in _DMY.finditer(text):
        year = int(m.group(3))
        year = 2000 + year if year < 100 else year
        found += _make(m.start(), year, _MONTH_NUM[m.group(2).lower()], int(m.group(1)))
    return min(found)[1] if found else None


def _make(at: int, year: int, month: int, day: int) -> list[tuple[int, date]]:
    try:
        return [(at, date(year, month, day))]
    except ValueError:
        return []


def dateline(passage: str) -> date | None:
    """The date of a line that gives a full date and says nothing else (a byline, a
    timestamp): no verb but publishing ones, at most a dozen words. "He was born on March 2,
    1950." is a statement, not a dateline."""
    if len(re.findall(r"\w+", passage)) > _MAX_DATELINE_WORDS:
        return None
    when = parse_date(passage)
    if when is None:
        return None
    doc = parse_many([passage])[0]
    verbs = [
        t for t in doc if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() not in _DATELINE_VERBS
    ]
    return None if verbs else when


def report_date(passages: list[str], published: list[str] | tuple[str, ...] = ()) -> date | None:
    """The one date the passages' report appeared: the cited articles' publication date when
    they share one, else the one dateline among the passages; None when there are several."""
    days = {p[:10] for p in published if p and _ISO.match(p[:10])}
    if days:
        if len(days) > 1:
            return None
        return parse_date(next(iter(days)))
    lines = {d for d in (dateline(p) for p in passages) if d is not None}
    return next(iter(lines)) if len(lines) == 1 else None


def anchored(
    passages: list[str],
    published: list[str] | tuple[str, ...] = (),
    each: list[str] | tuple[str, ...] = (),
) -> list[str]:
    """The passages with each date they tell relative to the report glossed after it (see the
    module's rules); unchanged when there is nothing to resolve or no report date. ``each``
    (one publication date per passage, in order) dates each passage by its own article, so a
    sentence citing two articles of different days is still read right."""
    if not any(_RELATIVE_HINT.search(p) for p in passages):
        return passages
    if len(each) == len(passages) and all(each):
        whens = [parse_date(d[:10]) for d in each]
    else:
        whens = [report_date(passages, published)] * len(passages)
    if not any(whens):
        return passages
    out = []
    for p, doc, when in zip(passages, parse_many(passages), whens, strict=True):
        if when is None:
            out.append(p)
            continue
        glosses = []
        for t in doc:
            shown = _resolve(t, when)
            if shown:
                glosses.append((t.idx + len(t.text), f" ({shown})"))
        for at, text in sorted(glosses, reverse=True):
            p = p[:at] + text + p[at:]
        out.append(p)
    return out


_RELATIVE_HINT = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|this|last|next|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|" + "|".join(_MONTHS) + r")\b",
    re.I,
)
# words that make a clause look forward ("the first debate planned for June")
_AHEAD = {"will", "'ll", "shall", "plan", "schedule", "expect", "due", "upcoming", "slate", "set"}
_SHIFT = {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1, "coming": 1}


def _resolve(t, when: date) -> str:
    """The absolute date the word ``t`` tells relative to ``when``, as text, or "": a relative
    day, a weekday not already dated ("Wednesday, March 1") nor recurring ("every Monday"),
    or "this/last/next year|month" (not "the next year", told from another time)."""
    low = t.lower_
    if low in _DAYS and t.pos_ in ("NOUN", "ADV", "PROPN"):
        return _day(when + timedelta(days=_DAYS[low]))
    mods = {c.lower_ for c in t.children}
    if low in _WEEKDAY_NUM and t.tag_ in ("NNP", "NN"):
        if mods & {"every", "each"} or _dated(t):
            return ""
        head = t.head if t.dep_ != "pobj" else t.head.head
        future = bool(mods & _FUTURE) or any(
            c.dep_ == "aux" and c.lower_ in _FUTURE for c in head.children
        )
        if future:
            ahead = (_WEEKDAY_NUM[low] - when.weekday()) % 7 or 7
            return _day(when + timedelta(days=ahead))
        back = (when.weekday() - _WEEKDAY_NUM[low]) % 7
        if mods & _PAST and back == 0:
            back = 7
        return _day(when - timedelta(days=back))
    if low in _MONTHS and t.tag_ == "NNP" and not _dated(t, month=True):
        if mods & {"every", "each"}:
            return ""
        month = _MONTHS.index(low) + 1
        ahead = _looks_ahead(t)
        back = when.year - (month > when.month)  # the last such month, or the coming one
        year = when.year + (month < when.month) if ahead else back
        return f"{low.title()} {year}"
    if low in ("year", "month") and t.tag_ == "NN" and "the" not in mods:
        shift = next((_SHIFT[c.lower_] for c in t.children if c.lower_ in _SHIFT), None)
        if shift is None:
            return ""
        if low == "year":
            return str(when.year + shift)
        month = when.month - 1 + shift
        return f"{_MONTHS[month % 12].title()} {when.year + month // 12}"
    return ""


def _looks_ahead(t) -> bool:
    """Whether the clause of ``t`` looks forward: a word on its way up to the clause's verb
    plans or schedules ("planned for June"), or the verb takes "will"."""
    for a in [t, *t.ancestors]:
        if a.lemma_.lower() in _AHEAD or any(
            c.dep_ == "aux" and c.lower_ in _AHEAD for c in a.children
        ):
            return True
        if a.pos_ in ("VERB", "AUX") and a.dep_ in _CLAUSE_DEPS:
            return False
    return False


_CLAUSE_DEPS = {"ROOT", "conj", "ccomp", "advcl", "relcl", "parataxis"}


def _dated(t, month: bool = False) -> bool:
    """Whether a weekday comes with its date ("Wednesday, March 1", "Wed 1 March 2017"), or
    (``month``) a month with its day or year ("June 5", "5 June", "June of 2019")."""
    doc = t.doc
    near = doc[max(0, t.i - 2) : t.i + 4]
    if month:
        return any(x.like_num for x in near)
    return any(x.lower_.rstrip(".") in _MONTH_NUM or re.fullmatch(r"\d{4}", x.text) for x in near)


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1].title()} {d.year}"
