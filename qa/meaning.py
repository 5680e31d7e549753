"""Deterministic meaning checks of a sentence against a passage, on spaCy's parse.

Word overlap cannot tell "Ukraine regained 9,000 km² from Russia" from "Russia regained 9,000
km² from Ukraine", or "was able" from "proved unable". These checks read the parse and compare
what the sentence says with what the passage says: polarity (negations, negating verbs),
opposite words, who stands in which role around the same words, quantities with their bounds
and units, dates, names, scope words and hedges. Each finding says why in words a user can
read, and whether the passage *contradicts* the sentence (it says otherwise about the same
thing) or only does not say it.

The word lists below follow from the meaning of English, not from any data set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .nlp import parse_many
from .text import _NUM, numbers

# -- vocabulary that follows from the meaning of English

NEGATORS = {"not", "n't", "never", "no", "neither", "nor", "nobody", "nothing", "none", "nowhere"}
# Words that negate what they govern: "failed to reach", "unable to conduct", "without paying".
NEGATING_GOVERNORS = {
    "fail",
    "refuse",
    "unable",
    "deny",
    "decline",
    "cease",
    "neglect",
    "impossible",
    "without",
    "lack",
    "incapable",
    "unwilling",
    "prevent",
    "stop",
    "avoid",
}
# Pairs of lemmas with opposite meaning (symmetric). Words formed with a negating prefix
# (unable, illegal, decommission, disagree) are found by rule, see _prefixed_opposites.
ANTONYMS = [
    ("win", "lose"),
    ("win", "trail"),
    ("lead", "trail"),
    ("beat", "lose"),
    ("victory", "defeat"),
    ("gain", "lose"),
    ("regain", "lose"),
    ("gain", "loss"),
    ("profit", "loss"),
    ("rise", "fall"),
    ("rise", "decline"),
    ("rise", "drop"),
    ("climb", "fall"),
    ("gain", "fall"),
    ("increase", "decrease"),
    ("increase", "decline"),
    ("increase", "drop"),
    ("increase", "reduce"),
    ("increase", "cut"),
    ("raise", "lower"),
    ("raise", "cut"),
    ("grow", "shrink"),
    ("expand", "shrink"),
    ("expand", "contract"),
    ("strengthen", "weaken"),
    ("strength", "weakness"),
    ("improve", "worsen"),
    ("improve", "deteriorate"),
    ("approve", "reject"),
    ("approve", "veto"),
    ("accept", "reject"),
    ("accept", "refuse"),
    ("accept", "decline"),
    ("accept", "dismiss"),
    ("endorse", "reject"),
    ("endorse", "dismiss"),
    ("endorse", "oppose"),
    ("support", "oppose"),
    ("praise", "criticize"),
    ("praise", "criticise"),
    ("confirm", "deny"),
    ("admit", "deny"),
    ("allow", "ban"),
    ("allow", "prohibit"),
    ("allow", "forbid"),
    ("allow", "block"),
    ("permit", "ban"),
    ("permit", "prohibit"),
    ("permit", "forbid"),
    ("lift", "impose"),
    ("ease", "tighten"),
    ("include", "exclude"),
    ("succeed", "fail"),
    ("success", "failure"),
    ("pass", "fail"),
    ("open", "close"),
    ("open", "shut"),
    ("start", "stop"),
    ("start", "end"),
    ("begin", "end"),
    ("launch", "end"),
    ("become", "stop"),
    ("buy", "sell"),
    ("acquire", "sell"),
    ("purchase", "sell"),
    ("acquire", "divest"),
    ("import", "export"),
    ("borrow", "lend"),
    ("hire", "fire"),
    ("hire", "dismiss"),
    ("appoint", "dismiss"),
    ("join", "leave"),
    ("join", "quit"),
    ("arrive", "depart"),
    ("enter", "exit"),
    ("advance", "retreat"),
    ("attack", "defend"),
    ("convict", "acquit"),
    ("guilty", "innocent"),
    ("arrest", "release"),
    ("survive", "die"),
    ("survive", "kill"),
    ("alive", "dead"),
    ("comply", "violate"),
    ("obey", "violate"),
    ("fuel", "end"),
    ("surplus", "deficit"),
    ("high", "low"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("most", "fewest"),
    ("large", "small"),
    ("largest", "smallest"),
    ("big", "small"),
    ("long", "short"),
    ("many", "few"),
    ("strong", "weak"),
    ("positive", "negative"),
    ("true", "false"),
    ("first", "last"),
    ("before", "after"),
    ("early", "late"),
    ("earlier", "later"),
    ("above", "below"),
    ("up", "down"),
    ("majority", "minority"),
    ("present", "absent"),
    ("safe", "dangerous"),
    ("cheap", "expensive"),
    ("public", "private"),
    ("domestic", "foreign"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
]
_OPPOSITE: dict[str, set[str]] = {}
for _a, _b in ANTONYMS:
    _OPPOSITE.setdefault(_a, set()).add(_b)
    _OPPOSITE.setdefault(_b, set()).add(_a)
NEGATING_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non", "non-", "de", "anti")

# Words that restrict or widen a statement's scope; a sentence may not add one.
SCOPE_WORDS = {
    "only",
    "solely",
    "exclusively",
    "all",
    "every",
    "any",
    "entire",
    "whole",
    "always",
    "none",
    "sole",
    "most",
    "majority",
    "record",
    "never",
    "unique",
    "alone",
}
# Markers that make a statement uncertain. Modal verbs are found by their tag, not their
# spelling ("May 2024" is a month), and "could not" is a plain negation, not a hedge.
HEDGE_MODALS = {"may", "might", "could"}
HEDGE_WORDS = {
    "reportedly",
    "allegedly",
    "possibly",
    "probably",
    "apparently",
    "purportedly",
    "supposedly",
    "perhaps",
    "presumably",
    "likely",
    "unlikely",
    "unconfirmed",
    "unverified",
    "alleged",
    "suspected",
    "possible",
    "probable",
    "rumoured",
    "rumored",
    "speculation",
    "rumour",
    "rumor",
    "allegation",
    "accusation",
    "purported",
}
# Verbs that present a statement as someone's claim, belief, plan or forecast
# ("X claimed …", "accused Y of …", "is believed to …", "is projected to …", "plans to …").
HEDGING_VERBS = {
    "claim",
    "allege",
    "accuse",
    "believe",
    "think",
    "suspect",
    "appear",
    "seem",
    "expect",
    "plan",
    "intend",
    "consider",
    "propose",
    "project",
    "forecast",
    "predict",
    "speculate",
    "rumor",
    "rumour",
    "hope",
    "aim",
    "maintain",
    "contend",
    "insist",
}
# Attribution a sentence may use to keep a hedge ("X said", "according to X").
ATTRIBUTION = {
    "say",
    "claim",
    "allege",
    "accuse",
    "report",
    "state",
    "assert",
    "accord",
    "according",
    "tell",
    "announce",
    "insist",
    "argue",
    "suggest",
    "believe",
    "think",
    "estimate",
    "warn",
    "predict",
    "expect",
    "plan",
    "project",
    "forecast",
}
ANONYMOUS_SOURCES = {"source", "insider", "person", "people"}
LOWER_BOUND = re.compile(
    r"(at least|more than|over|above|upwards of|in excess of|exceeding|greater than|no fewer than"
    r"|no less than|a minimum of)\s*$"
)
UPPER_BOUND = re.compile(
    r"(at most|less than|fewer than|under|below|up to|no more than|not more than|nearly|almost"
    r"|just under|shy of|as many as|as much as|a maximum of)\s*$"
)
APPROXIMATE = re.compile(
    r"(about|approximately|around|roughly|some|an estimated|estimated|close to|circa|c\.|~)\s*$"
)
# Round counts written as words: "hundreds of", "thousands of" (order of magnitude only).
_VAGUE_COUNTS = re.compile(r"\b(dozens|scores|hundreds|thousands|millions|billions)\s+of\b", re.I)
_VAGUE_VALUE = {
    "dozens": 12.0,
    "scores": 20.0,
    "hundreds": 1e2,
    "thousands": 1e3,
    "millions": 1e6,
    "billions": 1e9,
}
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"}
_NON_NAME_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
# Reporting verbs: shared by nearly every news sentence, they say nothing about the claim.
_REPORTING = {"say", "report", "tell", "state", "add", "announce", "accord"}
_LIGHT = {"be", "have", "do", "get", "make"}
# Edges that stay inside one argument when climbing from a name to what it is an argument of.
_INSIDE_ARGUMENT = {
    "compound",
    "flat",
    "appos",
    "poss",
    "amod",
    "nmod",
    "case",
    "det",
    "nummod",
    "conj",  # "Apple, Samsung and Mozilla paid …": each conjunct stands where the first does
}
_TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}
_MEASURES = [
    _TIME_UNITS,
    {"kilometer", "mile", "meter", "foot", "yard", "km", "hectare", "acre", "inch", "centimeter"},
    {"dollar", "euro", "pound", "yen", "rouble", "ruble", "hryvnia", "yuan", "percent", "crown"},
    {"kilogram", "kg", "ton", "tonne", "pound", "ounce", "gram", "liter", "gallon", "barrel"},
]


@dataclass(frozen=True)
class Finding:
    """Why a passage does not support a sentence."""

    kind: str  # negation antonym role actor number unit bound date entity scope hedge attribution
    reason: str  # in words a user can read
    contradiction: bool  # the passage says otherwise (True) or only does not say it (False)
    words: tuple[str, ...] = ()  # the sentence's words the finding is about


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # lemma of the noun the number counts ("kilometer", "week"), or ""
    bound: str  # exact | approx | lower | upper
    text: str


# -- small views of a parse


def _low(token) -> str:
    return token.lemma_.lower().replace("’", "'")


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name: equal, or a demonym of it (Russia ~ Russian, Ukraine ~
    Ukrainian, China ~ Chinese) — not merely a shared start (Medicare ≠ Medicaid)."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 4 and n >= min(len(a), len(b)) - 1


def _is_name(token) -> bool:
    return (
        token.is_alpha
        and (token.pos_ == "PROPN" or token.ent_type_ in _NAME_LABELS)
        and token.ent_type_ not in _NON_NAME_LABELS
    )


def _argument_root(token):
    """Climb from a word to the head of the argument it belongs to ("Italy's Lavazza" →
    Lavazza, "the chain, Barista" → chain)."""
    node = token
    for _ in range(6):
        if node.dep_ not in _INSIDE_ARGUMENT or node.head is node:
            break
        node = node.head
    return node


def _anchor(token) -> tuple[str, str] | None:
    """What a word is an argument of, and how: ("nsubj", "win"), ("prep:over", "win"). Passive
    voice is normalised (the "by" agent is the subject, the passive subject is the object), and
    a controlled subject passes down ("X agreed to acquire Y": X is the subject of acquire)."""
    root = _argument_root(token)
    dep, head = root.dep_, root.head
    if root is head:
        return None
    if dep == "pobj":
        prep = head
        if prep.dep_ == "agent" or prep.lower_ == "by":
            return ("nsubj", _low(prep.head))
        return (f"prep:{prep.lower_}", _low(prep.head))
    if dep == "nsubjpass":
        dep = "dobj"
    if dep in ("dative", "iobj"):  # "gave Mary the book" = "gave the book to Mary"
        return ("prep:to", _low(head))
    if dep in ("nsubj", "dobj", "attr"):
        return (dep, _low(head))
    return None


def _anchors(doc, heads_only: bool = False) -> dict[str, set[tuple[str, str]]]:
    """Each name or noun of a text → the argument slots it fills (``heads_only``: only the head
    word of an argument, or a proper name — not "water" in "water rates")."""
    out: dict[str, set[tuple[str, str]]] = {}
    for t in doc:
        if not t.is_alpha or t.ent_type_ in _NON_NAME_LABELS:
            continue
        if heads_only and t.pos_ != "PROPN" and _argument_root(t).i != t.i:
            continue
        if t.pos_ not in ("PROPN", "NOUN") and t.ent_type_ not in _NAME_LABELS:
            continue
        a = _anchor(t)
        if a is None:
            continue
        out.setdefault(_low(t), set()).add(a)
        # a controlled subject: "X agreed to acquire Y" → X is also the subject of acquire
        if a[0] == "nsubj":
            for x in _argument_root(t).head.children:
                if x.dep_ == "xcomp":
                    out[_low(t)].add(("nsubj", _low(x)))
    return out


def _negated(token) -> bool:
    """Polarity of a word: negators on it and negating words above it, up the clause (parity).
    "proved unable to conduct" negates conduct; "did not fail to" is positive again."""
    flips = 0
    node = token
    for _ in range(6):
        for child in node.children:
            if child.dep_ == "neg" or (
                child.lower_ in NEGATORS and child.dep_ in ("det", "advmod", "neg", "preconj")
            ):
                flips += 1
            elif child.lower_ in ("longer", "more") and any(
                g.dep_ == "neg" or g.lower_ == "no" for g in child.children
            ):
                flips += 1  # "no longer", "not any more"
        head = node.head
        if head is node or node.dep_ not in (
            "xcomp",
            "acomp",
            "oprd",
            "ccomp",
            "pcomp",
            "pobj",
            "acl",
            "nsubj",
            "nsubjpass",
        ):
            break
        if node.dep_ in ("nsubj", "nsubjpass") and _low(head) not in NEGATING_GOVERNORS:
            break
        if _low(head) in NEGATING_GOVERNORS or head.lower_ == "without":
            flips += 1
        node = head
    return flips % 2 == 1


def _opposites(token) -> set[str]:
    """Lemmas opposite in meaning: from the list, and by a negating prefix (able ~ unable,
    legal ~ illegal, commission ~ decommission, agree ~ disagree)."""
    lem = _low(token)
    out = set(_OPPOSITE.get(lem, set()))
    for p in NEGATING_PREFIXES:
        if lem.startswith(p) and len(lem) - len(p) >= 4:
            out.add(lem[len(p) :])
        out.add(p + lem)
    return out


def _context(token) -> set[str]:
    """Content lemmas next to a word in the parse: its head, its children and theirs."""
    near = [token.head, *token.children, *token.head.children]
    for child in token.children:
        near += list(child.children)
    return {
        _low(t)
        for t in near
        if t is not token and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop
    }


def _subject(token) -> set[str]:
    """Lemmas of the subject of the clause a word belongs to."""
    node = token
    for _ in range(4):
        subj = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return {_low(t) for t in subj[0].subtree if t.pos_ in ("NOUN", "PROPN")}
        if node.head is node:
            break
        node = node.head
    return set()


def _same_subject(a, b) -> bool:
    """Unless both clauses name a subject and the subjects differ: "Inglis beat Patterson"
    and "Patterson lost to Inglis" are one fact told from two sides."""
    sa, sb = _subject(a), _subject(b)
    if not sa or not sb:
        return True
    return any(same_name(x, y) for x in sa for y in sb)


def _lemmas(doc) -> set[str]:
    return {_low(t) for t in doc if not t.is_punct}


def _words(doc) -> set[str]:
    return {t.lower_.replace("’", "'") for t in doc} | _lemmas(doc)


def _clause(token) -> str:
    words = [t.text for t in token.subtree]
    return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


def quantities(doc) -> list[Quantity]:
    """Numbers with the noun they count, and whether they are exact, approximate or a bound."""
    text = doc.text
    out = []
    for m in _NUM.finditer(text):
        vals = numbers(m.group(0))
        if not vals:
            continue
        value = next(iter(vals))
        first = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        # "one of the applicants", "the two of them": a number word that counts nothing
        counts_nothing = first is not None and first[0].dep_ != "nummod"
        if m.group(1).isalpha() and not m.group(2) and counts_nothing:
            continue
        century = re.search(r"\b(1[89]|20)\d\d[–-]$", text[max(0, m.start() - 5) : m.start()])
        if century and re.fullmatch(r"\d\d", m.group(0)):  # "2018–19" is 2018 to 2019
            value = float(int(century.group(1)) * 100 + int(m.group(0)))
        before = text[max(0, m.start() - 24) : m.start()].lower()
        if LOWER_BOUND.search(before):
            bound = "lower"
        elif UPPER_BOUND.search(before):
            bound = "upper"
        elif APPROXIMATE.search(before):
            bound = "approx"
        else:
            bound = "exact"
        out.append(Quantity(value, _unit_after(doc, m.end()), bound, m.group(0)))
    for m in _VAGUE_COUNTS.finditer(text):
        value = _VAGUE_VALUE[m.group(1).lower()]
        out.append(Quantity(value, _unit_after(doc, m.end()), "approx", m.group(1)))
    return out


def _unit_after(doc, end: int) -> str:
    after = doc.char_span(end, len(doc.text), alignment_mode="expand")
    if after is None:
        return ""
    for tok in list(after)[:3]:
        if tok.lower_ in ("%", "percent", "per"):
            return "percent"
        if tok.pos_ in ("NOUN", "PROPN"):
            return _unit(_low(tok))
        if tok.pos_ not in ("ADJ", "NUM", "SYM") and tok.lower_ != "square":
            return ""
    return ""


def _unit(word: str) -> str:
    """One spelling per unit: metre/meter, kilometre/kilometer, litre/liter, per cent."""
    if word in ("cent", "pct"):
        return "percent"
    return word[:-2] + "er" if word.endswith("tre") else word


def _date_parts(doc, anywhere: bool = False) -> dict[str, set[str]]:
    """Months, weekdays and years the text names in date expressions (or anywhere)."""
    parts: dict[str, set[str]] = {"month": set(), "weekday": set(), "year": set()}
    spans = [doc] if anywhere else [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
    for span in spans:
        for tok in span:
            low = tok.lower_.rstrip(".")
            if low in _MONTHS and tok.tag_ != "MD":
                parts["month"].add(_MONTHS[_MONTHS.index(low) % 12] if low in _MONTHS[12:] else low)
            elif low in _WEEKDAYS:
                parts["weekday"].add(low)
            elif re.fullmatch(r"(1[89]|20)\d\d", low):
                parts["year"].add(low)
    return parts


def _hedges(doc) -> list:
    """Hedge markers of a text: the tokens that make a statement uncertain or someone else's."""
    found = []
    for t in doc:
        low = t.lower_
        if t.tag_ == "MD" and low in HEDGE_MODALS:
            if not any(c.dep_ == "neg" for c in t.head.children):  # "could not" is a negation
                found.append(t)
        elif (
            low in HEDGE_WORDS
            or (low == "reported" and t.dep_ == "amod")
            or (
                _low(t) in HEDGING_VERBS
                and t.pos_ == "VERB"
                and any(c.dep_ in ("ccomp", "xcomp", "prep", "auxpass", "dobj") for c in t.children)
            )
            or low == "according"
            or (
                _low(t) in _REPORTING
                and any(
                    c.dep_ in ("nsubj", "nsubjpass") and _low(c) in ANONYMOUS_SOURCES
                    for c in t.children
                )
            )
        ):
            found.append(t)
    return found


def _hedge_scope(token) -> set[str]:
    """Content lemmas a hedge marker covers: its head's clause ("may be distributing a
    document"), or for a hedging verb everything it governs ("claimed that …", "believed to
    be aged …")."""
    head = token if token.pos_ == "VERB" and _low(token) in HEDGING_VERBS else token.head
    return {
        _low(t)
        for t in head.subtree
        if (t.is_alpha or t.like_num) and not t.is_stop and t.pos_ not in ("AUX", "ADP", "DET")
    }


def _head_predicates(doc) -> set[str]:
    """Lemmas of the main predicate(s): the root, the verbs it conjoins or complements."""
    out = set()
    for t in doc:
        main = t.dep_ == "ROOT" or (
            t.dep_ in ("conj", "xcomp", "ccomp") and t.head.dep_ in ("ROOT", "conj")
        )
        if main and (t.pos_ in ("VERB", "ADJ", "NOUN") or (t.pos_ == "AUX" and t.dep_ == "ROOT")):
            out.add(_low(t))
    return out - _REPORTING - _LIGHT


# -- the comparison


def compare(sentence: str, passages: list[str], sources: str = "") -> list[Finding]:
    """Findings that the ``passages`` do not support ``sentence``, by meaning (empty = none).

    ``sources``: the cited passages' outlets and titles; a sentence may name them ("The
    Guardian reported …") although the quoted passage does not."""
    if not passages:
        return []
    docs = parse_many([sentence, *passages])
    claim, pdocs = docs[0], docs[1:]
    findings: list[Finding] = []
    findings += _antonym_findings(claim, pdocs)
    if not findings:
        findings += _negation_findings(claim, pdocs)
    findings += _role_findings(claim, pdocs) or _moved_findings(claim, pdocs)
    if not any(f.kind == "role" for f in findings):
        findings += _actor_findings(claim, pdocs)
    findings += _quantity_findings(claim, pdocs)
    findings += _date_findings(claim, pdocs)
    findings += _entity_findings(claim, pdocs, sources)
    findings += _scope_findings(claim, pdocs, findings)
    findings += _hedge_findings(claim, pdocs)
    return findings


def _antonym_findings(claim, pdocs) -> list[Finding]:
    """The sentence uses a word whose opposite the passage uses instead, of the same part of
    speech and about the same things (a shared neighbour word). "Remains open" and "will not be
    closed" agree, so a negated opposite is no clash."""
    p_lemmas = set().union(*(_lemmas(d) for d in pdocs))
    c_lemmas = _lemmas(claim)
    for tok in claim:
        if not tok.is_alpha or tok.pos_ not in ("VERB", "ADJ", "NOUN", "ADV", "ADP"):
            continue
        lem = _low(tok)
        if lem in p_lemmas:
            continue
        opposite = _opposites(tok)
        rivals = [
            t
            for d in pdocs
            for t in d
            if _low(t) in opposite
            and _low(t) not in c_lemmas
            and (t.pos_ == tok.pos_ or {t.pos_, tok.pos_} <= {"VERB", "ADJ"})
            and _negated(t) == _negated(tok)
            and (_context(t) & _context(tok) or lem in _OPPOSITE.get(_low(t), set()))
            and _same_subject(t, tok)
        ]
        if rivals:
            return [
                Finding(
                    "antonym", f"says '{tok.text}' where the passage says '{rivals[0].text}'", True
                )
            ]
    return []


def _negation_findings(claim, pdocs) -> list[Finding]:
    """A word the two share is negated in one and not the other ("has not regained" vs
    "has regained", "reported no exchanges" vs "reported exchanges")."""
    p_tokens: dict[str, list] = {}
    for d in pdocs:
        for t in d:
            p_tokens.setdefault(_low(t), []).append(t)
    for tok in claim:
        if not tok.is_alpha or (not _is_predicate(tok) and tok.pos_ != "NOUN"):
            continue
        lem = _low(tok)
        if lem in _REPORTING:
            continue
        matches = [t for t in p_tokens.get(lem, []) if t.pos_ == tok.pos_ or _is_predicate(t)]
        if not matches:
            continue
        polarity = _determined_by_no if tok.pos_ == "NOUN" else _negated
        mine = polarity(tok)
        theirs = [polarity(t) for t in matches]
        if all(t != mine for t in theirs):
            return [
                Finding(
                    "negation",
                    ("denies" if mine else "asserts")
                    + f" '{tok.text}', which the passage "
                    + ("states" if mine else "negates")
                    + f" ('{_clause(_clause_head(matches[0]))}')",
                    True,
                )
            ]
    return []


def _is_predicate(token) -> bool:
    """A verb or adjective, or a copula/auxiliary heading its clause ("is not the front-runner")."""
    if token.pos_ in ("VERB", "ADJ"):
        return True
    return token.pos_ == "AUX" and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)


def _clause_head(token):
    return token if token.dep_ == "ROOT" or token.pos_ == "VERB" else token.head


def _determined_by_no(token) -> bool:
    return any(c.lower_ in ("no", "none") and c.dep_ in ("det", "neg") for c in token.children)


def _role_findings(claim, pdocs) -> list[Finding]:
    """Two names or nouns that exchanged their places around the same words: who did what to
    whom ("Russia regained … from Ukraine" vs "Ukraine regained … from Russia")."""
    c_anchors = _anchors(claim)
    p_anchors: dict[str, set[tuple[str, str]]] = {}
    for d in pdocs:
        for k, v in _anchors(d).items():
            p_anchors.setdefault(k, set()).update(v)
    keys = [k for k in c_anchors if k in p_anchors or _find_name(k, p_anchors)]
    # a head word must be the same part of speech in both parses (a misparse is no swap)
    c_pos = {(_low(t), t.pos_) for t in claim}
    p_pos = {(_low(t), t.pos_) for d in pdocs for t in d}
    steady = {lem for lem, pos in c_pos & p_pos}
    for i, a in enumerate(keys):
        pa = p_anchors.get(a) or p_anchors[_find_name(a, p_anchors)]
        for b in keys[i + 1 :]:
            if same_name(a, b):
                continue
            pb = p_anchors.get(b) or p_anchors[_find_name(b, p_anchors)]
            # A stands where the passage has B (and not A), and B where the passage has A
            moved_a = {x for x in c_anchors[a] - pa if x in pb and x[1] in steady}
            moved_b = {x for x in c_anchors[b] - pb if x in pa and x[1] in steady}
            if moved_a and moved_b and not _copula_inversion(moved_a | moved_b):
                slot_a, slot_b = sorted(moved_a)[0], sorted(moved_b)[0]
                return [
                    Finding(
                        "role",
                        f"swaps who is who: it has {_phrase(claim, a)} {_slot_words(slot_a)} "
                        f"and {_phrase(claim, b)} {_slot_words(slot_b)}, the passage the other "
                        "way round",
                        True,
                    )
                ]
    return []


_SUBJECT_OBJECT = {"nsubj", "dobj"}


def _copula_inversion(slots: set[tuple[str, str]]) -> bool:
    """ "X is Y" and "Y is X" say the same: subject and attribute of "be" may trade places."""
    return {d for d, h in slots} <= {"nsubj", "attr"} and {h for _, h in slots} == {"be"}


def _moved_findings(claim, pdocs) -> list[Finding]:
    """One name or noun that moved between subject and object of the same verb, whoever fills
    the other ("he invited the singer" vs "the singer invited him"; "Putin dismissed calls" vs
    "officials dismissed Putin's calls")."""
    c_anchors = _anchors(claim, heads_only=True)
    p_anchors: dict[str, set[tuple[str, str]]] = {}
    for d in pdocs:
        for k, v in _anchors(d, heads_only=True).items():
            p_anchors.setdefault(k, set()).update(v)
    verbs = {_low(t) for t in claim if t.pos_ == "VERB"} & {
        _low(t) for d in pdocs for t in d if t.pos_ == "VERB"
    }
    for key, slots in c_anchors.items():
        theirs = p_anchors.get(key) or p_anchors.get(_find_name(key, p_anchors), set())
        for dep, head in sorted(slots):
            if dep not in _SUBJECT_OBJECT or head not in verbs or (dep, head) in theirs:
                continue
            other = sorted(d2 for d2, h2 in theirs if h2 == head and d2 in _SUBJECT_OBJECT)
            # "A joined B" against "B and A joined forces": the sentence's other party shares
            # that slot in the passage — a reciprocal act, not a swap
            partners = [k for k, v in c_anchors.items() if other and (other[0], head) in v]
            if any((other[0], head) in p_anchors.get(k, set()) for k in partners):
                continue
            if other:
                return [
                    Finding(
                        "role",
                        f"has {_phrase(claim, key)} {_slot_words((dep, head))}, where the "
                        f"passage has it {_slot_words((other[0], head))}",
                        True,
                    )
                ]
    return []


def _actor_findings(claim, pdocs) -> list[Finding]:
    """The same thing done to the same object by someone else: "the city council approved the
    dam" where the passage says "the regional government approved the dam"."""
    for cp in claim:
        if cp.pos_ != "VERB" or _low(cp) in _REPORTING | _LIGHT:
            continue
        c_subj = _args(cp, ("nsubj", "agent"))
        c_obj = _args(cp, ("dobj", "nsubjpass"))
        if not c_subj or not c_obj:
            continue
        for d in pdocs:
            for pp in d:
                if _low(pp) != _low(cp):
                    continue
                p_subj = _args(pp, ("nsubj", "agent"))
                p_obj = _args(pp, ("dobj", "nsubjpass"))
                if not p_subj or not (c_obj & p_obj):
                    continue
                if any(same_name(a, b) for a in c_subj for b in p_subj):
                    continue
                if c_subj & _lemmas(d):
                    continue  # the sentence's actor is in the passage: a role question, not this
                mine = " ".join(t.text for t in _subject_tokens(cp)) or " ".join(sorted(c_subj))
                theirs = " ".join(t.text for t in _subject_tokens(pp)) or " ".join(sorted(p_subj))
                return [
                    Finding(
                        "actor",
                        f"has {mine} as who {cp.text}, where the passage has {theirs}",
                        True,
                        tuple(t.text for t in _subject_tokens(cp)),
                    )
                ]
    return []


def _subject_tokens(pred) -> list:
    passive = any(c.dep_ == "auxpass" for c in pred.children)
    out = []
    for c in pred.children:
        if c.dep_ == "nsubj" and not passive:
            out += [t for t in c.subtree if t.is_alpha]
        if c.dep_ == "agent":
            out += [t for t in c.subtree if t.is_alpha and t.lower_ != "by"]
    return out


def _args(pred, deps: tuple[str, ...]) -> set[str]:
    """Nouns and names of a predicate's arguments of the given kinds (voice normalised)."""
    passive = any(c.dep_ == "auxpass" for c in pred.children)
    out: set[str] = set()
    for c in pred.children:
        dep = c.dep_
        if dep == "nsubj" and passive:
            continue
        if dep == "agent":
            if "agent" not in deps:
                continue
            objs = [g for g in c.children if g.dep_ == "pobj"]
        elif dep in deps:
            objs = [c]
        else:
            continue
        for o in objs:
            out |= {
                _low(t)
                for t in o.subtree
                if t.pos_ in ("NOUN", "PROPN") and t.is_alpha and not t.is_stop
            }
    return out


def _phrase(doc, key: str) -> str:
    """The words of the argument a lemma stands in ("the city council"), at most six."""
    for t in doc:
        if _low(t) == key:
            root = _argument_root(t)
            span = doc[root.left_edge.i : root.right_edge.i + 1]
            return span.text if len(span) <= 6 else doc[span.start : span.start + 6].text + " …"
    return key


def _find_name(key: str, anchors: dict) -> str:
    return next((k for k in anchors if same_name(k, key)), "")


def _slot_words(slot: tuple[str, str]) -> str:
    dep, head = slot
    if dep == "nsubj":
        return f"as the subject of '{head}'"
    if dep in ("dobj", "attr"):
        return f"as the object of '{head}'"
    if dep.startswith("prep:"):
        return f"after '{head} {dep[5:]}'"
    return f"as the {dep} of '{head}'"


def _quantity_findings(claim, pdocs) -> list[Finding]:
    out: list[Finding] = []
    p_q = [q for d in pdocs for q in quantities(d)]
    for q in quantities(claim):
        same = [p for p in p_q if abs(p.value - q.value) <= 1e-9 * max(1.0, abs(q.value))]
        if not same:
            rivals = [p for p in p_q if q.unit and p.unit == q.unit]
            if rivals:
                why = f"gives the number as {q.text} ({q.unit}), the passage {rivals[0].text}"
                out.append(Finding("number", why, True, (q.text,)))
            else:
                why = f"number not in the cited passages: {q.text}"
                out.append(Finding("number", why, False, (q.text,)))
            continue
        bounds = {p.bound for p in same}
        if q.bound in ("lower", "upper") and q.bound not in bounds:
            out.append(
                Finding("bound", f"makes {q.text} a bound the passage does not state", False)
            )
        elif q.bound in ("exact", "approx") and bounds <= {"lower", "upper"}:
            out.append(
                Finding(
                    "bound",
                    f"states {q.text} where the passage gives it only as a bound",
                    False,
                )
            )
        units = {p.unit for p in same if p.unit}
        if q.unit and units and q.unit not in units and _is_unit_clash(q.unit, units):
            out.append(
                Finding(
                    "unit",
                    f"counts {q.text} in {q.unit}s where the passage counts "
                    f"{', '.join(sorted(units))}s",
                    True,
                )
            )
    return out


def _is_unit_clash(unit: str, others: set[str]) -> bool:
    """Only units of one kind clash (days vs weeks, miles vs kilometres); another noun after
    the same number is often a paraphrase ("9,000 square kilometres of territory")."""
    return any(unit in m and others & m for m in _MEASURES)


def _date_findings(claim, pdocs) -> list[Finding]:
    """A month, weekday or year the passage does not name, where it names another."""
    out = []
    c_dates = _date_parts(claim)
    p_dates = [_date_parts(d) for d in pdocs]
    for kind, values in c_dates.items():
        named = set().union(*(_date_parts(d, anywhere=True)[kind] for d in pdocs))
        rivals = set().union(*(p[kind] for p in p_dates)) - values
        missing = values - named
        if missing and rivals:
            out.append(
                Finding(
                    "date",
                    f"gives the {kind} as {', '.join(sorted(missing)).title()} where the passage "
                    f"says {', '.join(sorted(rivals)).title()}",
                    True,
                    tuple(sorted(missing)),
                )
            )
        elif missing:
            out.append(
                Finding("date", f"the passage does not give the {kind} {', '.join(missing)}", False)
            )
    return out


def _entity_findings(claim, pdocs, sources: str = "") -> list[Finding]:
    """A name of the sentence that the passage does not have: a contradiction where the
    passage names another of the same kind (another person, place, organisation)."""
    out: list[Finding] = []
    p_names = [_low(t) for d in pdocs for t in d if t.is_alpha]
    p_names += [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", sources)]
    p_initials = {_initials(span) for d in pdocs for span in _phrases(d)}
    p_ents: dict[str, set[str]] = {}
    p_slots: dict[tuple[str, str], set[str]] = {}
    for d in pdocs:
        for e in d.ents:
            if e.label_ in _NAME_LABELS:
                p_ents.setdefault(e.label_, set()).add(e.text)
                slot = _anchor(e.root)
                if slot:
                    p_slots.setdefault(slot, set()).add(e.text)
    seen: set[str] = set()
    for tok in claim:
        if not _is_name(tok):
            continue
        key = _low(tok)
        if key in seen or any(same_name(key, p) for p in p_names):
            continue
        if tok.text.isupper() and len(tok.text) >= 2 and tok.text.lower() in p_initials:
            continue  # SEC ~ Securities and Exchange Commission
        name = _name_span(tok)
        seen.add(key)
        if name in seen:
            continue
        seen.add(name)
        label = tok.ent_type_
        rivals = sorted(p_ents.get(label, set())) if label else []
        slot = _anchor(tok)
        rivals += sorted(p_slots.get(slot, set())) if slot else []
        words = tuple(name.split())
        if rivals:
            why = f"names {name} where the passage names {rivals[0]}"
            out.append(Finding("entity", why, True, words))
        else:
            why = f"name not in the cited passages: {name}"
            out.append(Finding("entity", why, False, words))
    return out


def _phrases(doc):
    """Named entities and noun phrases: what an acronym may stand for."""
    yield from doc.ents
    yield from doc.noun_chunks


def _initials(span) -> str:
    """ "Securities and Exchange Commission" → "sec"; "artificial intelligence" → "ai"."""
    return "".join(t.text[0] for t in span if t.is_alpha and not t.is_stop).lower()


def _name_span(tok) -> str:
    if tok.ent_type_:
        for e in tok.doc.ents:
            if e.start <= tok.i < e.end:
                return e.text
    return tok.text


def _scope_findings(claim, pdocs, found: list[Finding]) -> list[Finding]:
    """Scope words (only, all, any, ever…), ordinals (a second, the third) and superlatives
    taken out of "one of the …" that the passage does not support."""
    out = []
    p_words = set().union(*(_words(d) for d in pdocs))
    for tok in claim:
        low = tok.lower_
        if tok.ent_type_ in ("DATE", "TIME"):
            continue
        # "more than any other", "not … any": "any" widens nothing there
        comparative = low == "any" and (
            (tok.i > 0 and tok.nbor(-1).lower_ in ("than", "of"))
            or any(t.dep_ == "neg" or t.lower_ in NEGATORS for t in claim)
        )
        if (
            low in SCOPE_WORDS
            and low not in p_words
            and _low(tok) not in p_words
            and not comparative
        ):
            if low == "never" and any(f.kind == "negation" for f in found):
                continue
            out.append(
                Finding("scope", f"adds '{tok.text}', which the passage does not say", False)
            )
        elif tok.ent_type_ == "ORDINAL" and low not in p_words and tok.is_alpha:
            out.append(
                Finding("scope", f"adds '{tok.text}', which the passage does not say", False)
            )
        elif (
            tok.tag_ in ("JJS", "RBS")
            and low in p_words
            and not _one_of(tok)
            and any(_one_of(t) for d in pdocs for t in d if t.lower_ == low)
        ):
            out.append(
                Finding(
                    "scope",
                    f"makes it the '{tok.text}' where the passage says 'one of the {tok.text}'",
                    False,
                )
            )
    return out


def _one_of(token) -> bool:
    """Is this superlative inside "one of the …" ("one of the biggest setbacks")?"""
    node = token.head if token.dep_ == "amod" else token
    return node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ == "one"


def _hedge_findings(claim, pdocs) -> list[Finding]:
    """The passage hedges what the sentence states ("may", "reportedly", "X claimed",
    "according to", "believed to") and the sentence states it as a bare fact. A hedge counts
    where the sentence says what the hedge covers (half or more of its content words)."""
    if _hedges(claim):
        return []
    c_lemmas = _lemmas(claim)
    claim_attributes = any(_low(t) in ATTRIBUTION for t in claim)
    for d in pdocs:
        for marker in _hedges(d):
            scope = _hedge_scope(marker) - {_low(marker)} - ATTRIBUTION
            if len(scope & c_lemmas) < max(1, (len(scope) + 1) // 2):
                continue  # the hedge is about another part of the passage
            if claim_attributes and (_low(marker) in ATTRIBUTION or marker.lower_ == "according"):
                continue  # attribution kept: "X claimed …" → "X said …"
            if marker.lower_ == "according" or _low(marker) in _REPORTING:
                why = f"drops the passage's attribution ('{_clause(marker)}')"
                return [Finding("attribution", why, False)]
            return [
                Finding("hedge", f"states as fact what the passage hedges ('{marker.text}')", False)
            ]
    return []


def same_matter(sentence: str, passage: str) -> bool:
    """Does ``passage`` speak of the same event as ``sentence``: a main predicate of the
    sentence (or its opposite) is in the passage, and so is one of the things it is about (a
    noun or a name — not a unit such as "percent")? Only then can the two contradict."""
    claim, doc = parse_many([sentence, passage])
    heads = _head_predicates(claim)
    p_lemmas = _lemmas(doc)
    shared = {h for h in heads if h in p_lemmas or _OPPOSITE.get(h, set()) & p_lemmas}
    if not shared:
        return False
    units = set().union(*_MEASURES) | {"percent", "cent", "number", "total", "figure"}
    things = {
        _low(t)
        for t in claim
        if t.pos_ in ("NOUN", "PROPN") and t.is_alpha and _low(t) not in shared | units
    }
    return bool(things & p_lemmas)
