"""Infer article metadata (title, outlet, author, date, language) from the text itself.

Used only for fields that no sidecar, front matter or HTML/PDF metadata supplied; every field
filled here is listed in ``DocumentMeta.inferred``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources

from .clean import _DATE_LINE, _LABEL, is_headline_like, line_reason
from .records import DocumentMeta

_MONTH_NUM = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_M = "|".join(sorted(_MONTH_NUM, key=len, reverse=True))
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
    (
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_M})\.?,?\s+(\d{{4}})\b", re.I),
        ("d", "M", "y"),
    ),
    (
        re.compile(rf"\b({_M})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
        ("M", "d", "y"),
    ),
]
_GENERIC_TITLES = {
    "key takeaways",
    "summary",
    "breaking news",
    "highlights",
    "introduction",
    "news",
}
_BYLINE = re.compile(
    r"^(?:by|author:|written by)\s+([A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|al))*)",
    re.IGNORECASE,
)
_FOOTER_OUTLET = [
    re.compile(r"^discover more from\s+(.{2,60}?)[®™]?\s*$", re.I),
    re.compile(
        r"^(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?,?\s*(.{2,60}?)[®™]?\.?"
        r"(?:\s+all rights reserved\.?)?\s*$",
        re.I,
    ),
    re.compile(r"^(.{2,60}?)[®™]?\.?\s+all rights reserved\.?\s*$", re.I),
]
_SELF_REFERENCE = re.compile(
    r"\b([A-Z][A-Za-z&.]+(?:\s+[A-Z][A-Za-z&.]+){0,4})\s+has\s+previously\s+"
    r"(?:reported|assessed|observed|noted|written|covered)"
)
_EN_STOPWORDS = set(
    "the of and to in a is that for on with as was by it at from his her are be this which "
    "have has had not an or but were their they its said will".split()
)


@lru_cache(maxsize=1)
def outlet_aliases() -> dict[str, str]:
    """Lower-cased alias → canonical outlet name, from the bundled table."""
    raw = tomllib.loads(resources.files("index").joinpath("data/outlets.toml").read_text("utf-8"))
    table: dict[str, str] = {}
    for canonical, entry in raw.get("outlets", {}).items():
        table[canonical.lower()] = canonical
        for alias in entry.get("aliases", []):
            table[alias.lower()] = canonical
    return table


def canonical_outlet(name: str) -> str:
    """Normalise an outlet name through the alias table; unknown names are kept, tidied."""
    tidy = re.sub(r"\s+", " ", name.replace("®", "").replace("™", "")).strip(" .,:;|-")
    return outlet_aliases().get(tidy.lower(), tidy)


def parse_date(text: str) -> str:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or ``""``."""
    best: tuple[int, str] | None = None
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            try:
                month = int(parts["m"]) if "m" in parts else _MONTH_NUM[parts["M"].lower()]
                iso = date(int(parts["y"]), month, int(parts["d"])).isoformat()
            except (ValueError, KeyError):
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), iso)
            break
    return best[1] if best else ""


_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def iso_date_problem(value: str) -> str | None:
    """Why ``value`` is not a valid ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), or None.

    The calendar is checked: ``2024-13-45`` and ``2024-02-30`` are refused.
    """
    match = _ISO_PARTIAL.fullmatch(value.strip())
    if not match:
        return f"'{value}' is not an ISO date; use YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2024-11-26)"
    year, month, day = match.groups()
    if month is not None and not 1 <= int(month) <= 12:
        return f"'{value}' has month {month}; months run from 01 to 12"
    if day is not None:
        try:
            date(int(year), int(month), int(day))
        except ValueError:
            return f"'{value}' is not a day of the calendar (month {month} has no day {day})"
    return None


def normalise_date(value: str) -> str:
    """Dates from metadata come in many shapes; keep ISO when we can parse it."""
    return parse_date(value) or value.strip()


def _first_lines(text: str, n: int) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()][:n]


def infer_title(raw_text: str, cleaned_title: str | None, cleaned_text: str) -> str:
    if cleaned_title and cleaned_title.strip().lower() not in _GENERIC_TITLES:
        return cleaned_title.strip()
    for line in _first_lines(raw_text, 8):
        if line_reason(line) or _LABEL.match(line.lower()) or _DATE_LINE.match(line.lower()):
            continue
        if line.lower() in _GENERIC_TITLES:
            continue
        if is_headline_like(line, min_words=3, max_words=30):
            return line
    # Fall back to the start of the first sentence of the body.
    body = " ".join(
        ln.lstrip("-•* ")
        for ln in _first_lines(cleaned_text, 6)
        if ln.lower() not in _GENERIC_TITLES
    )
    sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    words = sentence.split()
    return " ".join(words[:14]) + ("…" if len(words) > 14 else "")


def infer_outlet(raw_text: str, title_line: str | None) -> str:
    lines = [line.strip() for line in raw_text.split("\n") if line.strip()]
    for line in reversed(lines[-40:]):  # footers win: they name the publisher plainly
        for pattern in _FOOTER_OUTLET:
            match = pattern.match(line)
            if match and match.group(1).strip():
                return canonical_outlet(match.group(1))
    # A masthead: a short first line above the headline that is not a label.
    if title_line and lines and lines[0] != title_line:
        first = lines[0]
        if len(first.split()) <= 5 and not line_reason(first) and not _LABEL.match(first.lower()):
            return canonical_outlet(first)
    counts: dict[str, int] = {}
    for match in _SELF_REFERENCE.finditer(raw_text):
        name = canonical_outlet(match.group(1))
        counts[name] = counts.get(name, 0) + 1
    if counts:
        return max(counts, key=counts.__getitem__)
    return ""


def infer_author(raw_text: str) -> str:
    for line in _first_lines(raw_text, 12):
        match = _BYLINE.match(line)
        if match:
            return match.group(1).strip()
    return ""


def infer_date(raw_text: str) -> str:
    return parse_date("\n".join(_first_lines(raw_text, 15)))


def infer_language(text: str) -> str:
    words = re.findall(r"[a-zà-ÿ]+", text[:20000].lower())
    if words and sum(w in _EN_STOPWORDS for w in words) / len(words) > 0.12:
        return "en"
    cyr = len(re.findall(r"[\u0400-\u04ff]", text[:20000]))
    if cyr > 0.3 * max(1, len(text[:20000])):
        return "uk" if re.search(r"[іїєґ]", text[:20000].lower()) else "ru"
    return ""


def build_meta(
    explicit: dict[str, str],
    raw_text: str,
    cleaned_text: str,
    title_line: str | None,
    hints: dict[str, str] | None = None,
) -> DocumentMeta:
    """Combine explicit metadata with inferred values; record which fields were inferred."""
    values: dict[str, str] = {}
    inferred: list[str] = []
    inferers = {
        "title": lambda: infer_title(raw_text, title_line, cleaned_text),
        "outlet": lambda: infer_outlet(raw_text, title_line),
        "author": lambda: infer_author(raw_text),
        "published": lambda: infer_date(raw_text),
        "url": lambda: "",
        "language": lambda: infer_language(cleaned_text),
    }
    for name, infer in inferers.items():
        value = (explicit.get(name) or "").strip()
        if value:
            if name == "outlet":
                value = canonical_outlet(value)
            elif name == "published":
                value = normalise_date(value)
            values[name] = value
            continue
        guess = (hints or {}).get(name, "").strip()
        guess = canonical_outlet(guess) if guess and name == "outlet" else guess
        guess = guess or infer()
        values[name] = guess
        if guess:
            inferred.append(name)
    return DocumentMeta(**values, inferred=tuple(inferred))
