"""Remove site boilerplate from article text while keeping every sentence of the body.

Works line by line on plain text (which is what every loader produces): news tickers with
timestamps, "Read also"/"Related"/"Tags" blocks, donation appeals, comment and subscription
prompts, cookie and skip-to-content lines, mastheads above the headline and datelines below it.
Each removal is recorded with its reason so tests (and ``twosource sources --removed``) can show
exactly what went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CLEANER_VERSION = "1"

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# Whole-line patterns (matched against the stripped, lower-cased line).
_LINE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "skip-to-content",
        re.compile(
            r'^(press\s+["“]?enter["”]?\s+to\s+)?skip\s+to\s+(the\s+)?(main\s+)?content\.?$'
        ),
    ),
    (
        "comment prompt",
        re.compile(
            r"^(leave a (reply|comment)|be (the )?first to comment|post a comment|"
            r"comments? (are|is) closed|cancel reply|\d+ comments?|no comments( yet)?\.?|"
            r"you must be logged in to post a comment\.?|join the discussion\.?|"
            r"your email address will not be published\..*|required fields are marked.*)$"
        ),
    ),
    (
        "subscription prompt",
        re.compile(
            r"^(subscribe( now)?\b.*|continue reading\.?|discover more from\b.*|"
            r"sign up (for|to) our newsletter.*|get our newsletter.*|type your email.*)$"
        ),
    ),
    (
        "error-report prompt",
        re.compile(r".*highlight the (text|error) and press ctrl ?\+ ?enter.*"),
    ),
    (
        "link prompt",
        re.compile(
            r"^((see|read) (the )?full (report|story|article|text)( here)?|click here\b.*|"
            r"more news|load more|read more|advertisement|sponsored( content)?|"
            r"share( this( article| story)?)?:?|print|email|tweet|whatsapp)\.?!?$"
        ),
    ),
    ("template placeholder", re.compile(r"^[a-z0-9_]+(/[a-z0-9_.]+)+$|^\{\{.*\}\}$")),
    (
        "footer",
        re.compile(r"^(©|\(c\)|copyright\b).{0,120}$|^.{0,120}all rights reserved\.?$"),
    ),
]

_COOKIE = re.compile(
    r"\bcookies?\b.*\b(accept|consent|use|agree|settings|policy)\b|"
    r"\b(accept|consent|agree)\b.*\bcookies?\b"
)

# Markers that open a block of related links; the block runs over the short lines that follow.
_BLOCK_MARKER = re.compile(
    r"^(read also|read more|also read|related( articles| posts| stories| news)?|see also|"
    r"tags|topics|more from .{1,40}|more on this|recommended|most read|popular|trending)\s*:?$"
)

_TIME = re.compile(r"^\d{1,2}:\d{2}(\s?[ap]\.?m\.?)?$")
_TIME_PREFIX = re.compile(r"^\d{1,2}:\d{2}(\s?[ap]\.?m\.?)?\s+\S")
_DATE_LINE = re.compile(
    rf"^(\d{{4}},?\s+({_WEEKDAYS})|\d{{1,2}}\s+({_MONTHS})\.?(,?\s+\d{{4}})?(\s+({_WEEKDAYS}))?|"
    rf"({_MONTHS})\.?\s+\d{{1,2}}(,?\s+\d{{4}})?(\s+({_WEEKDAYS}))?|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"({_WEEKDAYS}),?\s+.{{0,30}}\d{{4}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})\.?$"
)
_LABEL = re.compile(
    r"^(exclusive|opinion|updated|breaking( news)?|analysis|review|live|video|photo|"
    r"company news|news|blog|editorial|comment|column|interview|podcast|sponsored)$"
)
_BYLINE = re.compile(r"^(by|author:|written by)\s+\S.{0,80}$", re.IGNORECASE)

_DONATION_CUES = re.compile(
    r"(donat(e|ion|ing)|become a (patron|supporter|member|subscriber)|patreon|"
    r"support (us|our (work|journalism|reporting|newsroom|team))|support of readers|"
    r"readers like you|cup of coffee|price of a coffee|help us (produce|continue|keep)|"
    r"join our community|make a contribution|chip in|keep our (reporting|journalism) "
    r"(open|free)|other ways to support|independent journalism needs)",
    re.IGNORECASE,
)

_NAV = re.compile(r"^[^|•·]{1,25}(\s*[|•·]\s*[^|•·]{1,25}){2,}$")
_CREDIT = re.compile(r"^\((?:[A-Z][\w&.' -]{1,40})\)$")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass
class CleanResult:
    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)  # (line, reason)
    title_line: str | None = None


def _words(line: str) -> int:
    return len(line.split())


def is_headline_like(line: str, min_words: int = 3, max_words: int = 25) -> bool:
    """A short line without closing sentence punctuation (headlines, headings, link titles)."""
    s = line.strip()
    return (
        min_words <= _words(s) <= max_words
        and not _SENTENCE_END.search(s)
        and not s.endswith((":", ","))
        and not s.startswith(("-", "•", "*"))
    )


def _is_slug(line: str) -> bool:
    """Image alt text / URL slug: a long run of lower-case words with no punctuation."""
    s = line.strip()
    return _words(s) >= 8 and s == s.lower() and re.fullmatch(r"[a-z0-9'’\- ]+", s) is not None


def line_reason(line: str) -> str | None:
    """Why this single line is boilerplate, or None."""
    s = line.strip()
    if not s:
        return None
    low = s.lower()
    for reason, pattern in _LINE_PATTERNS:
        if pattern.match(low):
            return reason
    if len(s) < 300 and _COOKIE.search(low):
        return "cookie notice"
    if _NAV.match(s):
        return "navigation menu"
    return None


def _ticker_lines(lines: list[str]) -> set[int]:
    """Indices of news-ticker lines: clusters of timestamped headlines.

    A ticker is three or more timestamp lines, each within four lines of the previous one. The
    cluster runs from the date lines just before the first timestamp to the headline lines after
    the last one.
    """
    stamps = [
        i
        for i, line in enumerate(lines)
        if _TIME.match(line.strip().lower()) or _TIME_PREFIX.match(line.strip().lower())
    ]
    out: set[int] = set()
    cluster: list[int] = []

    def flush() -> None:
        if len(cluster) >= 3:
            start, end = cluster[0], cluster[-1]
            while start > 0 and (
                _DATE_LINE.match(lines[start - 1].strip().lower()) or not lines[start - 1].strip()
            ):
                start -= 1
            end += 1
            while end < len(lines) and lines[end].strip() and _words(lines[end]) <= 30:
                end += 1
            out.update(range(start, end))

    for i in stamps:
        if cluster and i - cluster[-1] > 4:
            flush()
            cluster = []
        cluster.append(i)
    flush()
    return out


def _block_lines(lines: list[str]) -> dict[int, str]:
    """'Read also' / 'Related' / 'Tags' markers and the short link lines under them."""
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        low = line.strip().lower()
        if not _BLOCK_MARKER.match(low):
            continue
        out[i] = "related-links block"
        # A headline-like line just above the marker is the block's first link.
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and is_headline_like(lines[j]) and j not in out:
            out[j] = "related-links block"
        k = i + 1
        while k < len(lines):
            s = lines[k].strip()
            if not s:
                # A blank line ends the block unless another short link line follows.
                if (
                    k + 1 < len(lines)
                    and lines[k + 1].strip()
                    and _words(lines[k + 1]) <= 15
                    and not _SENTENCE_END.search(lines[k + 1].strip())
                ):
                    k += 1
                    continue
                break
            if _words(s) > 20 or (_SENTENCE_END.search(s) and _words(s) > 12):
                break
            out[k] = "related-links block"
            k += 1
    return out


def _paragraphs(lines: list[str]) -> list[list[int]]:
    paras: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line.strip():
            current.append(i)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def _donation_lines(lines: list[str]) -> set[int]:
    """Donation appeals: paragraphs with two cues, or one cue when short, plus cued neighbours."""
    paras = _paragraphs(lines)
    cues = [len(_DONATION_CUES.findall(" ".join(lines[i] for i in p))) for p in paras]
    hit = [
        c >= 2 or (c >= 1 and sum(_words(lines[i]) for i in p) <= 40)
        for p, c in zip(paras, cues, strict=True)
    ]
    changed = True
    while changed:  # grow over neighbouring paragraphs that carry at least one cue
        changed = False
        for n in range(len(paras)):
            if hit[n] or cues[n] == 0:
                continue
            if (n > 0 and hit[n - 1]) or (n + 1 < len(paras) and hit[n + 1]):
                hit[n] = changed = True
    return {i for p, h in zip(paras, hit, strict=True) if h for i in p}


def _is_header_line(line: str) -> bool:
    s = line.strip()
    low = s.lower()
    return bool(
        _DATE_LINE.match(low)
        or _TIME.match(low)
        or _BYLINE.match(s)
        or _LABEL.match(low)
        or _CREDIT.match(s)
    )


def find_title_index(lines: list[str], known_title: str | None = None) -> int | None:
    """Index of the headline line among the first non-empty lines, or None.

    A headline stands alone: a blank line, a dateline/byline, or the end of the text follows.
    """
    candidates = [i for i, line in enumerate(lines) if line.strip()][:8]
    if known_title:
        norm = _norm(known_title)
        for i in candidates:
            if _norm(lines[i]) == norm:
                return i

    def usable(i: int, min_words: int) -> bool:
        s = lines[i].strip()
        if line_reason(s) or _is_header_line(s):
            return False
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        stands_alone = not nxt.strip() or _is_header_line(nxt)
        # Above a headline sits at most a masthead and one banner line, never running prose.
        above = [j for j in candidates if j < i]
        prose = [j for j in above if _SENTENCE_END.search(lines[j].strip())]
        if prose and prose != above[:1]:
            return False
        return stands_alone and is_headline_like(s, min_words=min_words, max_words=30)

    # Short headlines ("Council vote") only when nothing longer stands alone.
    for min_words in (4, 2):
        for i in candidates:
            if usable(i, min_words):
                return i
    return None


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _header_lines(lines: list[str], title_idx: int) -> dict[int, str]:
    """Masthead lines above the headline; dateline, byline and labels just below it."""
    out: dict[int, str] = {}
    for i in range(title_idx):
        if lines[i].strip():
            out[i] = "masthead above the headline"
    # Dateline, byline and labels form a run right under the headline; the first other line
    # ends it.
    for i in range(title_idx + 1, len(lines)):
        s = lines[i].strip()
        if not s:
            continue
        low = s.lower()
        if _DATE_LINE.match(low) or _TIME.match(low):
            out[i] = "dateline"
        elif _CREDIT.match(s):
            out[i] = "credit line"
        elif _BYLINE.match(s):
            out[i] = "byline"
        elif _LABEL.match(low):
            out[i] = "section label"
        else:
            break
    return out


def clean_text(text: str, known_title: str | None = None) -> CleanResult:
    """Clean one article's text.

    Args:
        text: plain text with ``\\n`` newlines.
        known_title: the title from metadata, used to locate the headline line.

    Returns:
        The cleaned text (paragraphs separated by one blank line), what was removed and why,
        and the headline line if one was found.
    """
    lines = [_SPACES.sub(" ", line).replace("\u200b", "").rstrip() for line in text.split("\n")]
    reasons: dict[int, str] = {}
    for i, line in enumerate(lines):
        reason = line_reason(line)
        if reason:
            reasons[i] = reason
    for i, line in enumerate(lines):
        # Image alt text / slugs stand alone between blank lines (wrapped prose does not).
        alone = (i == 0 or not lines[i - 1].strip()) and (
            i + 1 == len(lines) or not lines[i + 1].strip()
        )
        if alone and _is_slug(line):
            reasons.setdefault(i, "image caption or slug")
    for i in _ticker_lines(lines):
        reasons.setdefault(i, "news ticker")
    for i, reason in _block_lines(lines).items():
        reasons.setdefault(i, reason)
    for i in _donation_lines(lines):
        reasons.setdefault(i, "donation appeal")

    kept_view = [("" if i in reasons else line) for i, line in enumerate(lines)]
    title_idx = find_title_index(kept_view, known_title)
    if title_idx is not None:
        for i, reason in _header_lines(kept_view, title_idx).items():
            reasons.setdefault(i, reason)

    out: list[str] = []
    removed: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        if i in reasons:
            if line.strip():
                removed.append((line.strip(), reasons[i]))
            continue
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(re.sub(r"[ \t]+", " ", stripped))
    while out and out[-1] == "":
        out.pop()
    title_line = lines[title_idx].strip() if title_idx is not None else None
    return CleanResult(text="\n".join(out), removed=removed, title_line=title_line)
