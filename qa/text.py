"""Small text utilities shared by retrieval and verification: sentences with offsets, content
words, light stemming, numbers."""

from __future__ import annotations

import re
from functools import lru_cache

# Calendar words, lower case, in calendar order (shared by the meaning checks and datelines).
MONTHS = (
    "january february march april may june july august september october november december"
).split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "gen",
    "col",
    "lt",
    "sgt",
    "gov",
    "sen",
    "rep",
    "inc",
    "ltd",
    "co",
    "corp",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.n",
    "etc",
    "approx",
    "est",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?:\[\d+\])*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
STOPWORDS = set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    said says say according may might must shall also would could whether per via""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "bn": 1e9,
}
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUM = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|"
    + rf"(?:{_TENS})-(?:{_UNITS})\b|"  # "ninety-four"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")(?:\s*(?:-|\s)?\s*(thousand|million|billion|trillion|bn|k|m)\b)?",
    re.IGNORECASE,
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets inside ``text[start:end]``, whitespace trimmed.

    Splits at line breaks and at sentence-final punctuation followed by a capital or digit,
    except after common abbreviations and initials.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block in re.finditer(r"[^\n]+", text[start:end]):
        b0 = start + block.start()
        piece = block.group()
        cut = 0
        for m in _BOUNDARY.finditer(piece):
            word = re.findall(r"[\w.]+$", piece[: m.start()] + ".")
            token = word[0].rstrip(".").lower() if word else ""
            if token in _ABBREV or (len(token) == 1 and token.isalpha()):
                continue
            spans.append((b0 + cut, b0 + m.end()))
            cut = m.end()
        spans.append((b0 + cut, b0 + len(piece)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    w = word.lower().replace("’", "'").strip("'-")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix in ("ations", "ation", "ingly", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if suffix == "ies":
                w += "y"
            elif suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # planning → plan, stopped → stop
            break
    return w


def content_words(text: str) -> list[str]:
    """Lower-cased stems of the words that carry content (no stopwords, no numbers)."""
    return [
        stem(w)
        for w in _WORD.findall(text)
        if not w[0].isdigit() and w.lower() not in STOPWORDS and len(w) > 2
    ]


def tokens_for_bm25(text: str) -> list[str]:
    return [
        stem(w) if not w[0].isdigit() else w.replace(",", "")
        for w in _WORD.findall(text)
        if w.lower() not in STOPWORDS
    ]


def numbers(text: str) -> set[float]:
    """Numeric values mentioned in ``text`` ("five million" and "5 million" both → 5e6)."""
    values: set[float] = set()
    for m in _NUM.finditer(text):
        raw, scale = m.group(1).lower(), (m.group(2) or "").lower()
        if raw in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[raw])
        elif "-" in raw and all(w in _NUMBER_WORDS for w in raw.split("-")):
            value = float(sum(_NUMBER_WORDS[w] for w in raw.split("-")))
        else:
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        if scale in ("m", "k") and not m.group(0)[len(m.group(1)) :].strip():
            scale = ""
        values.add(value * _SCALES.get(scale, 1.0))
    return values


def entities(text: str) -> list[str]:
    """Capitalised words that are not the first word of the text (names, places, outlets)."""
    words = _WORD.findall(text)
    out = []
    for i, w in enumerate(words):
        if i == 0 or not w[0].isupper() or w.lower() in STOPWORDS:
            continue
        out.append(w.strip("'’-"))
    return out
