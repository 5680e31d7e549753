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

Kind = Literal["wh", "yes_no", "choice", "comparison", "temporal", "list", "count"]

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
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


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
    asks_for: str = ""  # a question asking for a name: what it names ("person", "team", …)
    names_asked: int = 1  # how many names it asks for ("Which two companies …" → 2)

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
    heads = {o: outlet_head(o) for o in outlets}
    head_count: dict[str, int] = {}
    for head in heads.values():
        head_count[head.lower()] = head_count.get(head.lower(), 0) + 1
    last_words: dict[str, int] = {}
    for o in outlets:
        words = heads[o].split()
        if len(words) > 1:
            last_words[words[-1]] = last_words.get(words[-1], 0) + 1
    table: dict[str, list[str]] = {}
    for o in outlets:
        canon = canonical_outlet(o)
        names = {o, canon, *by_canon.get(canon.lower(), []), *by_canon.get(o.lower(), [])}
        if heads[o] != o and head_count[heads[o].lower()] == 1:
            names |= {heads[o], *by_canon.get(heads[o].lower(), [])}
        # a short name that is a word after "The", not an acronym ("The Age"): only as "the
        # Age", capitalised (short names are otherwise matched only in capitals: "BBC")
        names = {
            "\x00" + n[4:].strip()
            if re.match(r"the\s+[A-Z][a-z]{0,3}$", n, re.IGNORECASE)
            and n[4:].strip()[:1].isupper()
            and not n[4:].strip().isupper()
            else re.sub(r"^the\s+", "", n, flags=re.IGNORECASE)
            for n in names
        }
        words = heads[o].split()
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


_TAGLINE = re.compile(r"\s+[|\u2013\u2014-]\s+")


def outlet_head(outlet: str) -> str:
    """An outlet's own name without the tagline or section a feed appends to it ("Cnbc |
    World Business News Leader" → "Cnbc", "BBC News - Entertainment & Arts" → "BBC News")."""
    head = _TAGLINE.split(outlet.strip(), maxsplit=1)[0].strip()
    return head or outlet


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
                if len(name) <= 4 and not m.group(1).isupper() and name[0] != "\x00":
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
    asks_for, n_names = asks_for_name(doc) if not {"yes_no", "choice"} & set(kinds) else ("", 1)
    return QuestionAnalysis(
        question=q,
        kind=kinds[0],
        kinds=tuple(kinds),
        outlets=named,
        people=tuple(dict.fromkeys(people)),
        places=tuple(dict.fromkeys(places)),
        organisations=tuple(dict.fromkeys(orgs)),
        dates=tuple(dates),
        asks_for=asks_for,
        names_asked=n_names,
    )


# What a "which/what <noun> …" question asks for when the answer is a name: people, bodies
# and the named things news is about. Nouns of amount, time, manner or reason ("what
# percentage", "which year", "what role") ask for something else.
_NAME_NOUNS = {
    "individual",
    "person",
    "people",
    "figure",
    "personality",
    "celebrity",
    "star",
    "man",
    "woman",
    "player",
    "athlete",
    "coach",
    "manager",
    "quarterback",
    "executive",
    "ceo",
    "founder",
    "leader",
    "politician",
    "official",
    "lawmaker",
    "candidate",
    "author",
    "writer",
    "journalist",
    "artist",
    "singer",
    "musician",
    "actor",
    "actress",
    "director",
    "company",
    "firm",
    "organization",
    "organisation",
    "business",
    "corporation",
    "brand",
    "startup",
    "group",
    "agency",
    "institution",
    "university",
    "bank",
    "exchange",
    "retailer",
    "manufacturer",
    "platform",
    "app",
    "service",
    "network",
    "website",
    "outlet",
    "publication",
    "team",
    "club",
    "franchise",
    "band",
    "party",
    "country",
    "nation",
    "state",
    "city",
    "government",
    "product",
    "device",
    "game",
    "film",
    "movie",
    "show",
    "series",
    "album",
    "song",
    "league",
    "tournament",
    "event",
    "model",
    "chatbot",
    "entity",
    "giant",
    "cryptocurrency",
    "currency",
    "venue",
    "stadium",
    "program",
}
_PERSON_WORDS = {"who", "whom", "whose"}


def asks_for_name(doc) -> tuple[str, int]:
    """("person"/the noun asked for, how many) when a wh-question asks for a name — "Who
    …?", "Which company …?", "What NFL team …?", "Which two public figures …?"; ("", 1)
    otherwise ("What did X say?", "Which year …?", "How many …?")."""
    for t in doc[:6]:
        if t.tag_ not in _WH_TAGS:
            continue
        if t.lower_ in _PERSON_WORDS:
            return "person", 1
        if t.lower_ not in ("which", "what"):
            return "", 1
        noun = t.head if t.dep_ == "det" else None
        if noun is None:  # "which of the …", or the parse put the noun elsewhere
            noun = next((n for n in doc[t.i + 1 : t.i + 5] if n.pos_ in ("NOUN", "PROPN")), None)
        if noun is None or noun.i <= t.i or noun.lemma_.lower() not in _NAME_NOUNS:
            return "", 1
        count = next((c for c in noun.children if c.dep_ == "nummod" and c.like_num), None)
        n = 1
        if count is not None:
            n = int(count.text) if count.text.isdigit() else _NUMBER_WORDS.get(count.lower_, 1)
        elif noun.tag_ in ("NNS", "NNPS"):
            n = 2
        return noun.lemma_.lower(), max(1, min(n, 4))
    return "", 1


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}


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
        if (first.lower_ in _AUX_FIRST and first.pos_ in ("AUX", "VERB")) or _inverted(doc):
            kinds.append("choice" if _alternatives(doc) else "yes_no")
    kinds.append("wh")
    order = ["comparison", "temporal", "count", "list", "choice", "yes_no", "wh"]
    return sorted(dict.fromkeys(kinds), key=order.index)


_WH_TAGS = {"WDT", "WP", "WP$", "WRB"}
_ALTERNATIVE_POS = {"ADJ", "ADV", "ADP", "SCONJ"}


def _alternatives(doc) -> bool:
    """A question put as yes/no that offers alternatives — two words of the same sort joined
    by "or" ("consistent or inconsistent?", "before or after …", "open or closed?"): it is
    answered by naming one of them, not by yes or no. "Did the Guardian or the BBC report
    it?" joins two subjects, and "Does X …, or do they …?" offers a second question after
    the first (a yes answers the first): both stay yes/no questions."""
    for t in doc[1:-1]:
        if t.lower_ != "or":
            continue
        a, b = doc[t.i - 1], doc[t.i + 1]
        if a.pos_ in _ALTERNATIVE_POS and (
            b.pos_ in _ALTERNATIVE_POS or (b.pos_ == "VERB" and b.tag_ == "VBN")
        ):
            return True
    return False


_SUBJECTS = ("nsubj", "nsubjpass", "expl", "csubj")


def _finite_and_subject(doc):
    """The main clause's finite auxiliary (or copula) and its subject, when the finite comes
    first — a question that inverts them ("…, was there a change?", "After X, did Y do Z?");
    ``(None, None)`` otherwise."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None, None
    if root.pos_ == "AUX" or root.lemma_ == "be":
        finite = root
    else:
        finite = next((c for c in root.children if c.dep_ in ("aux", "auxpass")), None)
    if finite is None or finite.lower_ not in _AUX_FIRST:
        return None, None
    subject = next((c for c in root.children if c.dep_ in _SUBJECTS and c.i > finite.i), None)
    if subject is None:
        return None, None
    if any(t.tag_ in _WH_TAGS for t in doc[: finite.i]):
        return None, None  # "Which company, …, has spent billions": a wh-question
    return finite, subject


def _inverted(doc) -> bool:
    if not doc.text.rstrip().endswith("?"):
        return False
    return _finite_and_subject(doc)[0] is not None or _aux_after_comma(doc)


def _aux_after_comma(doc) -> bool:
    """A question whose main clause, after fronted phrases, opens with a finite auxiliary
    followed by its subject ("Between the report of X and the report of Y, was there a
    change …?", "According to Fortune, has the view … changed …?") — unless a wh-word comes
    first ("Which company, as reported by X, has spent …?")."""
    for t in doc[:-1]:
        if t.tag_ in _WH_TAGS:
            return False
        if (
            t.i > 0
            and doc[t.i - 1].text == ","
            and t.lower_ in _AUX_FIRST
            and t.pos_ in ("AUX", "VERB")
            and doc[t.i + 1].pos_ in ("DET", "PRON", "PROPN", "NOUN", "ADJ", "NUM")
        ):
            return True
    return False


def whether_clause(question: str) -> str:
    """A yes/no question as the clause "whether …" ("Does the Verge report X?" → "whether the
    Verge does report X"), by moving its finite auxiliary after its subject (before the main
    verb, or before a copula's complement); "" when the parse gives no clear inversion."""
    from .nlp import parse

    q = " ".join((question or "").split()).rstrip(" ?")
    doc = parse(q)
    finite, subject = _finite_and_subject(doc)
    if finite is None:
        return ""
    root = subject.head
    if finite.i != root.i:  # "Did the Fortune article report …": before the main verb
        if root.pos_ != "VERB" or root.i <= subject.i:
            return ""
        cut = root.idx
    else:  # "Was the reporting on X inconsistent …": after the subject, before the rest
        later = [c for c in root.children if c.i > subject.i and c.dep_ not in _SUBJECTS]
        end = subject.right_edge.i
        if later:
            end = min(end, later[0].left_edge.i - 1)
        if end < subject.i:
            return ""
        last = doc[end]
        cut = last.idx + len(last.text)
    before = q[: finite.idx].rstrip(" ,")
    subject_words = q[finite.idx + len(finite.text) : cut].strip()
    rest = q[cut:].strip()
    if not rest or not subject_words:
        return ""  # the parse leaves no predicate after the subject: no clear clause
    lead = (before[:1].lower() + before[1:] + ", ") if before else ""
    return " ".join(f"whether {lead}{subject_words} {finite.lower_} {rest}".split()).rstrip(" ,")


def report_order(analysis: QuestionAnalysis) -> tuple[str, str, str] | None:
    """``(first outlet, "before" | "after", second outlet)`` for a yes/no question asking
    whether one outlet's report came before or after another's ("Did Engadget report X before
    the Verge reported Y?"): "before"/"after" between the two mentions of different outlets —
    not in front of a date ("published before December 5") and not "before or after"."""
    from .nlp import parse

    if "yes_no" not in analysis.kinds:
        return None
    q = analysis.question
    mentions = match_outlets(q, analysis.outlets)
    if len(mentions) != 2 or mentions[0][0] == mentions[1][0]:
        return None
    (first, _, first_end), (second, second_start, _) = mentions
    words = [t for t in parse(q) if first_end <= t.idx < second_start]
    links = [t for t in words if t.lower_ in ("before", "after")]
    if len(links) != 1 or re.search(r"\b(?:before or after|after or before)\b", q, re.I):
        return None
    link = links[0]
    if any(
        t.dep_ == "neg" or t.lemma_ in ("fail", "neglect", "refuse") for t in link.doc[: link.i]
    ):
        return None  # "Did X fail to report … before …?": not a plain order
    nxt = link.nbor() if link.i + 1 < len(link.doc) else None
    if nxt is None or nxt.ent_type_ in ("DATE", "TIME"):
        return None
    return first, link.lower_, second


def _relation(word: str) -> str:
    if word in ("before", "after", "since", "until", "by"):
        return word
    if word in ("till", "through"):
        return "until"
    return "in" if word in ("in", "on", "during", "of") else ""


def _date_range(text: str) -> tuple[str, str] | None:
    """An ISO range for a date expression ("October 2023", "3 March 2025", "March 3, 2025",
    "2024"); None for expressions without a year ("last week", "in March")."""
    iso = _ISO.search(text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))).isoformat()
        except ValueError:
            return None
        return day, day
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


@dataclass(frozen=True)
class Part:
    """One part of a question about several outlets: the words about one outlet ("the Age
    article implies …"), retrieved on their own within that outlet (``filters``), dates the
    part names ranking matching articles higher (``boost``)."""

    query: str
    filters: Filters
    boost: Boost | None = None
    one_article: bool = False  # the part speaks of one article ("the Verge article …")

    @property
    def outlet(self) -> str:
        return self.filters.outlet


# A mention preceded by one of these words closes the words about it ("… as reported by the
# Verge", "according to Megan Grey in the Age"); otherwise its words follow it ("the Verge
# article suggests …").
_CLOSING = {"by", "to", "in", "per"}
# Words that say only that something was reported: not what a part is about.
_REPORTING = {
    "article",
    "articles",
    "report",
    "reports",
    "reported",
    "reporting",
    "piece",
    "story",
    "coverage",
    "covered",
    "according",
    "published",
    "both",
    "another",
}


def split_parts(analysis: QuestionAnalysis) -> list[tuple[str, str]]:
    """``(outlet, words)`` for each mention of a named outlet, in order: the question's words
    about that outlet — those after the mention ("the Verge article suggests …"), or those
    before it when the mention closes them ("… as reported by the Verge", "according to X in
    the Age"), up to the neighbouring mention. A mention whose words say nothing of their own
    (fewer than three content words besides reporting words: "the Age and TechCrunch
    articles imply …", "the report from Wired on 2023-11-25") is retrieved with the whole
    question. The same outlet may appear twice ("an article from Fortune … another Fortune
    article …")."""
    from .text import content_words

    q = analysis.question
    mentions = match_outlets(q, analysis.outlets)
    if len(mentions) < 2:
        return []
    out: list[tuple[str, str]] = []
    for i, (outlet, start, end) in enumerate(mentions):
        prev_end = mentions[i - 1][2] if i else 0
        next_start = mentions[i + 1][1] if i + 1 < len(mentions) else len(q)
        before = q[prev_end:start]
        words_before = re.findall(r"[A-Za-z]+", before.lower())
        if words_before and words_before[-1] == "the":
            words_before = words_before[:-1]
        closing = bool(words_before) and words_before[-1] in _CLOSING
        words = _clean_part(before if closing else q[end:next_start])
        own = [w for w in content_words(words) if w not in _REPORTING and not w.isdigit()]
        out.append((outlet, words if len(own) >= 3 else q))
    return out


_ANOTHER = re.compile(
    r"\b(?:another|other|second|separate|different|later|earlier|subsequent|following|previous"
    r"|prior)\b",
    re.I,
)


def articles_named(analysis: QuestionAnalysis) -> dict[str, int]:
    """How many distinct articles of each named outlet the question speaks of: one per
    outlet, and one more for each later mention of the same outlet that the question calls
    another ("… while another article from the Herald …", "a second Fortune piece")."""
    counts = {o: 1 for o in analysis.outlets}
    mentions = match_outlets(analysis.question, analysis.outlets)
    seen: set[str] = set()
    for i, (outlet, start, _) in enumerate(mentions):
        if outlet in seen:
            prev_end = mentions[i - 1][2] if i else 0
            if _ANOTHER.search(analysis.question[prev_end:start]):
                counts[outlet] += 1
        seen.add(outlet)
    return counts


# A reporting noun next to an outlet's mention says how many of its articles the mention means:
# "the Verge article", "a Fortune piece", "the report from the Age" name one; "the Age and
# TechCrunch articles", "according to TechCrunch" may mean several.
_ONE_NOUN = r"(?:article|report|piece|story|review|column|post|interview|op-ed)"
_NOUN_AFTER = re.compile(
    rf"^[\s'’‘\"”“]*(?:['’]s\s+)?(?:[a-z]+\s+)?({_ONE_NOUN}s?)\b", re.IGNORECASE
)
_NOUN_BEFORE = re.compile(
    rf"\b{_ONE_NOUN}\s+(?:from|by|in|of|at|on)\s+[\s'‘\"“]*(?:the\s+)?[\s'‘\"“]*$",
    re.IGNORECASE,
)


def names_one_article(question: str, start: int, end: int) -> bool:
    """Whether the outlet mention at ``question[start:end]`` speaks of one article: a
    singular reporting noun right after it ("the Verge article", "TechCrunch's report") or
    before it ("the report from the Age", "an article by Fortune"). The parse tells the noun
    from the verb ("the BBC both report …")."""
    from .nlp import parse

    m = _NOUN_AFTER.match(question[end : end + 40])
    if m:
        at = end + m.start(1)
        doc = parse(question)
        word = next((t for t in doc if t.idx == at), None)
        if word is None or word.pos_ not in ("NOUN", "PROPN"):
            return False
        # "Did CBSSports.com report on …" parsed with "did" as the main verb: do-support
        # needs a verb after it, so the word taken for a noun is that verb
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        if root is not None and root.lemma_ == "do" and root.i < word.i:
            between = [t for t in doc[root.i + 1 : word.i] if not start <= t.idx < end]
            if not any(t.pos_ == "VERB" for t in between):
                return False
        return not m.group(1).lower().endswith("s")
    return bool(_NOUN_BEFORE.search(question[max(0, start - 40) : start]))


def _clean_part(words: str) -> str:
    words = re.sub(r"['\"‘’“”|]", " ", words)
    words = re.sub(r"^\W*(?:s\b)?", "", words)
    words = re.sub(r"\b(?:the|and|by|in|from|to|of)\s*$", "", words.strip(" ,;:"))
    return " ".join(words.split()).strip(" ,;:")


def retrieval_plan(
    analysis: QuestionAnalysis, filters: Filters | None = None
) -> tuple[Boost | None, list[Part]]:
    """How the analysis shapes retrieval: a boost for named outlets and dates, and for a
    question naming two or more outlets one part per outlet mention (:func:`split_parts`), each
    retrieved with its own words within its outlet, so the evidence covers each. Explicit
    filters stay authoritative: an explicit outlet filter disables the outlet boost and the
    parts, an explicit date filter disables the date boost. ``(None, [])`` for a question that
    names neither. A question naming one outlet (by its name, capitalised) is one part
    within that outlet; two mentions of one outlet ("the TechCrunch article on X … the
    TechCrunch article on Y") are two parts. A part whose mention speaks of one article
    (:func:`names_one_article`) says so (``Part.one_article``)."""
    filters = filters or Filters()
    outlets = () if filters.outlet else analysis.outlets
    dated = not (filters.since or filters.until)
    since, until = (analysis.since, analysis.until) if dated else ("", "")
    boost = Boost(outlets=tuple(outlets), since=since, until=until)
    if not boost:
        return None, []
    parts: list[Part] = []
    mentions = match_outlets(analysis.question, outlets)
    if len(outlets) >= 2 or len(mentions) >= 2:  # two outlets, or two articles of one
        split = split_parts(analysis)
        ones = [names_one_article(analysis.question, s, e) for _, s, e in mentions]
        if not split:
            split, ones = [(o, analysis.question) for o in outlets], [False] * len(outlets)
        for (outlet, words), one in zip(split, ones, strict=True):
            part_since, part_until = _part_dates(analysis, words) if dated else ("", "")
            part_boost = Boost(since=part_since, until=part_until)
            parts.append(
                Part(
                    query=words,
                    filters=Filters(outlet=outlet, since=filters.since, until=filters.until),
                    boost=part_boost or None,
                    one_article=one,
                )
            )
    elif len(outlets) == 1 and any(analysis.question[s].isupper() for _, s, _ in mentions):
        # a question about one outlet, named as a name ("TechCrunch", not "a fortune"), is
        # asked of that outlet's articles: the others are not what it asks about. Within
        # them its name ranks nothing ("Harbour Ledger" would favour "Harbour Square").
        parts.append(
            Part(
                query=_without_mentions(analysis.question, mentions),
                filters=Filters(outlet=outlets[0], since=filters.since, until=filters.until),
                boost=Boost(since=since, until=until) or None,
            )
        )
    return boost, parts


def _without_mentions(question: str, mentions: list[tuple[str, int, int]]) -> str:
    """The question without its outlet mentions (with the "the" before one and the "'s"
    after it)."""
    out, last = [], 0
    for _, start, end in mentions:
        piece = question[last:start]
        if last:
            piece = re.sub(r"^(?:['’]s\b|['’‘\"”“])*", "", piece)
        out.append(re.sub(r"['‘\"“]?(?:\b[Tt]he\s+)?['‘\"“]?$", "", piece))
        last = end
    out.append(re.sub(r"^(?:['’]s\b|['’‘\"”“])*", "", question[last:]) if mentions else "")
    return " ".join("".join(out).split()) or question


def _part_dates(analysis: QuestionAnalysis, words: str) -> tuple[str, str]:
    """The published-date range the dates named inside one part's words ask about."""
    mine = [d for d in analysis.dates if d.text in words]
    starts = [d.bounds()[0] for d in mine]
    ends = [d.bounds()[1] for d in mine]
    since = min(starts) if starts and all(starts) else ""
    until = max(ends) if ends and all(ends) else ""
    return since, until


_CLAUSE_BREAK = re.compile(
    r"[,;:?]|\b(?:while|whereas|but|and the|and what|and is|and was|respectively)\b",
    re.IGNORECASE,
)


def question_clauses(question: str, min_words: int = 3) -> list[str]:
    """The clauses of a long question (split at commas, "while", "and the", …) that carry at
    least ``min_words`` content words: each can be judged for relevance on its own, as a
    one-clause question is."""
    from .text import content_words

    pieces = [p.strip() for p in _CLAUSE_BREAK.split(question or "")]
    return [p for p in pieces if len(content_words(p)) >= min_words]


def evidence_budget(analysis: QuestionAnalysis, parts: int, base: int, per_part: int, most: int):
    """How many evidence passages the model gets: ``base`` for a single question, at least
    ``per_part`` for each part of one about several outlets, and more for a list or a count
    (which need every instance) — never more than ``most``."""
    n = base
    if parts >= 2:
        n = max(n, per_part * parts)
    if analysis.kind in ("list", "count"):
        n = max(n, most)
    return min(n, max(most, base))


__all__ = [
    "DateRange",
    "Part",
    "QuestionAnalysis",
    "analyze",
    "archive_outlets",
    "articles_named",
    "evidence_budget",
    "match_outlets",
    "names_one_article",
    "outlet_head",
    "outlet_names",
    "question_clauses",
    "report_order",
    "retrieval_plan",
    "split_parts",
    "whether_clause",
]


@dataclass(frozen=True)
class Premise:
    """What a yes/no question says a named outlet reported: "Does the Fortune article
    suggest that McHenry is seeking the job …?" → (Fortune, "McHenry is seeking the job")."""

    outlet: str
    claim: str


# Verbs by which a question says what an article reported.
_PREMISE_VERBS = {
    "say", "state", "report", "write", "note", "claim", "suggest", "indicate", "imply",
    "reveal", "mention", "highlight", "argue", "assert", "allege", "maintain", "contend",
    "conclude", "show", "emphasize", "emphasise", "predict", "confirm",
}  # fmt: skip
# Words that open the next part of a question, not more of the premise: "…, while the Age
# reports …", "… compared to the belief of …".
_PREMISE_ENDS = {
    "while", "whereas", "although", "though", "but", "compared", "unlike", "as", "and", "or",
    "in", "despite", "which", "respectively",
}  # fmt: skip


_COMPARING = {"contrast", "comparison", "similar", "same", "addition", "line", "relation"}


def premises(analysis: QuestionAnalysis) -> list[Premise]:
    """The premises of a yes/no question about named outlets: the clause a reporting verb
    governs ("suggest that …") whose subject names one outlet ("the Fortune article", "an
    article from Fortune"). A subject naming several ("the Age and TechCrunch articles imply
    …, respectively") gives none; nor does a question asking which of two it is."""
    from .nlp import parse

    if "yes_no" not in analysis.kinds or not analysis.outlets:
        return []
    q = analysis.question
    mentions = match_outlets(q, analysis.outlets)
    doc = parse(q)
    out: list[Premise] = []
    for verb in doc:
        if verb.lemma_.lower() not in _PREMISE_VERBS or verb.pos_ not in ("VERB", "AUX"):
            continue
        clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if clause is None or subject is None or clause.i < verb.i:
            continue
        lo, hi = subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)
        named = {o for o, s, e in mentions if lo <= s and e <= hi}
        if len(named) != 1:
            continue
        claim = _premise_text(clause)
        if len(claim.split()) >= 4:
            out.append(Premise(named.pop(), claim))
    return out


def _premise_text(clause) -> str:
    """The words of a complement clause up to where the question moves on, without its
    "that" and the quotation marks a question puts around names."""
    doc = clause.doc
    start = clause.left_edge.i
    while start < clause.i and doc[start].dep_ == "mark":
        start += 1
    end = clause.right_edge.i + 1
    for t in doc[clause.i + 1 : end]:
        if t.lower_ in _PREMISE_ENDS:
            if t.lower_ == "as" and t.dep_ != "mark":
                continue  # "served as captain"
            if t.lower_ in ("and", "or") and t.head.pos_ not in ("VERB", "AUX"):
                continue  # "Apple and Samsung": two things, not two clauses
            if t.lower_ == "in" and not {w.lower_ for w in doc[t.i + 1 : t.i + 4]} & _COMPARING:
                continue  # "trust in other platforms" — not "in contrast", "in a similar way"
            end = t.i
            break
        if t.is_punct and t.text in ",;?":
            nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
            if nxt is None or nxt.lower_ in _PREMISE_ENDS or t.text != ",":
                end = t.i
                break
    words = doc[start:end].text
    words = re.sub(r"(?<!\w)['‘’\"“”]|['‘’\"“”](?!\w)", "", words)
    words = " ".join(words.split()).strip(" ,;:")
    return words[:1].upper() + words[1:] + "." if words else ""
