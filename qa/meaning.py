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
from collections.abc import Iterator
from dataclasses import dataclass

from .nlp import parse_many
from .text import _NUM, MONTHS, WEEKDAYS, numbers

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
    # the same as nouns: "the government's failure to act", "the club's refusal to pay"
    "failure",
    "refusal",
    "inability",
    "unwillingness",
}
# Words after a name that are no part of what it is called in running text: a person's
# "Jr." or "III", a company's "Inc." — and the words for its kind of body, which news text
# drops after the first mention ("Rogers Communications Inc." → "Rogers", "the Wagner Group"
# → "Wagner").
NAME_SUFFIXES = frozenset("jr sr ii iii iv inc ltd llc plc corp co ag sa nv gmbh".split())
BODY_WORDS = frozenset(
    "communications group holdings corporation company companies incorporated limited "
    "technologies industries enterprises".split()
)
_NOT_CALLED = BODY_WORDS | NAME_SUFFIXES
# Nouns that say what they govern is missing: "the absence of a remedy", "a lack of funds".
_ABSENCE = {"absence", "lack"}
# Verbs that say their object is missing: "the plan lacks funds", "the measures exclude an audit".
_LACKING = {"lack", "exclude", "omit"}
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
    ("fast", "slow"),
    ("faster", "slower"),
    ("quick", "slow"),
    ("quickly", "slowly"),
    ("rapidly", "slowly"),
    ("ahead", "behind"),
    ("earlier", "later"),
    ("above", "below"),
    ("for", "against"),
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
_OPPOSITE: dict[str, set[str]] = {}  # the pairs above and the opposed meaning groups below
_PAIR_OPPOSITE: dict[str, set[str]] = {}  # the pairs above only
for _a, _b in ANTONYMS:
    for _d in (_OPPOSITE, _PAIR_OPPOSITE):
        _d.setdefault(_a, set()).add(_b)
        _d.setdefault(_b, set()).add(_a)
NEGATING_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non", "non-", "de", "anti")

# Words grouped by what they say about their arguments: the words of one group say the same
# thing ("beat" / "defeat" / "edge"; "buy" / "acquire" / "take over"), and OPPOSED_SENSES
# names the groups that say the opposite of each other — a change up or down, something made
# worse or calmed, started or stopped, accepted or rejected, won or lost, bought or sold. A
# verb with its particle counts as one word ("turn down", "take over"). Nouns of the same
# events count with their verbs ("the win", "a cut", "have the edge").
SENSES: dict[str, set[str]] = {
    "rise": {
        "rise",
        "increase",
        "grow",
        "climb",
        "jump",
        "soar",
        "surge",
        "rally",
        "rebound",
        "expand",
        "swell",
        "spike",
        "leap",
        "mount",
        "boost",
        "raise",
        "double",
        "triple",
        "balloon",
        "skyrocket",
        "rocket",
        "growth",
        "hike",
        "push up",
        "drive up",
        "send up",
        "bump up",
        "ratchet up",
        "ramp up",
        "go up",
        "shoot up",
        "edge up",
        "tick up",
        "creep up",
        "inch up",
        "scale up",
        "inflate",
        "upturn",
        "upswing",
    },
    "fall": {
        "fall",
        "decrease",
        "decline",
        "drop",
        "slump",
        "plunge",
        "tumble",
        "sink",
        "slide",
        "shrink",
        "contract",
        "dip",
        "cut",
        "reduce",
        "lower",
        "slash",
        "trim",
        "halve",
        "plummet",
        "ease",
        "reduction",
        "lessen",
        "push down",
        "drive down",
        "bring down",
        "send down",
        "go down",
        "edge down",
        "tick down",
        "inch down",
        "scale back",
        "cut back",
        "pare back",
        "dwindle",
        "diminish",
        "erode",
        "shed",
        "sag",
        "slip",
        "crash",
        "nosedive",
        "collapse",
        "downturn",
        "slowdown",
    },
    "worsen": {
        "fuel",
        "stoke",
        "deepen",
        "heighten",
        "intensify",
        "escalate",
        "worsen",
        "fan",
        "inflame",
        "aggravate",
        "exacerbate",
        "reignite",
        "raise",
        "sharpen",
        "amplify",
    },
    "calm": {
        "ease",
        "calm",
        "allay",
        "dispel",
        "quell",
        "defuse",
        "dampen",
        "soothe",
        "end",
        "settle",
        "alleviate",
        "assuage",
        "quash",
        "lessen",
        "relieve",
        "cool",
        "put to rest",
    },
    "start": {
        "start",
        "begin",
        "launch",
        "open",
        "reopen",
        "resume",
        "restart",
        "restore",
        "reinstate",
        "introduce",
        "initiate",
        "commence",
        "kick off",
    },
    "stop": {
        "stop",
        "end",
        "halt",
        "close",
        "shut",
        "suspend",
        "cancel",
        "scrap",
        "abandon",
        "terminate",
        "abolish",
        "discontinue",
        "cease",
        "shut down",
        "close down",
        "call off",
        "wind down",
        "shelve",
    },
    "continue": {"continue", "prolong", "extend", "renew", "persist", "drag on"},
    "accept": {"accept", "approve", "endorse", "adopt", "ratify", "embrace", "uphold", "agree"},
    "reject": {
        "reject",
        "refuse",
        "decline",
        "dismiss",
        "veto",
        "turn down",
        "rebuff",
        "spurn",
        "overturn",
        "vote down",
        "throw out",
        "strike down",
    },
    "win": {
        "win",
        "beat",
        "defeat",
        "overcome",
        "trounce",
        "rout",
        "thrash",
        "outscore",
        "victory",
        "edge out",
    },
    "lose": {"lose", "loss"},
    "lead": {
        "lead",
        "edge",
        "advantage",
        "ahead",
        "overtake",
        "surpass",
        "outpace",
        "outstrip",
        "outperform",
        "outsell",
        "pull ahead",
        "move ahead",
        "get ahead",
        "pull away",
    },
    "trail": {
        "trail",
        "lag",
        "behind",
        "fall behind",
        "lag behind",
        "slip behind",
        "drop behind",
        "underperform",
    },
    "buy": {"buy", "acquire", "purchase", "take over", "snap up", "buy out", "takeover"},
    "sell": {"sell", "divest", "offload", "sell off"},
    "allow": {"allow", "permit", "authorise", "authorize", "legalise", "legalize"},
    "ban": {"ban", "prohibit", "forbid", "outlaw", "bar"},
    "hire": {"hire", "appoint", "recruit"},
    "fire": {"fire", "dismiss", "sack", "lay off", "oust"},
    # progress or failure of an effort (talks, a plan, a project)
    "progress": {
        "progress",
        "headway",
        "breakthrough",
        "move forward",
        "pay off",
        "advance",
        "succeed",
        "success",
    },
    "founder": {
        "break down",
        "breakdown",
        "collapse",
        "stall",
        "falter",
        "founder",
        "fall apart",
        "fall through",
        "unravel",
        "derail",
        "fizzle",
        "fizzle out",
        "deadlock",
        "stalemate",
        "impasse",
        "fail",
        "failure",
        "setback",
    },
    # speed of a process
    "quicken": {
        "accelerate",
        "speed up",
        "quicken",
        "hasten",
        "pick up",
        "step up",
        "gather pace",
        "acceleration",
    },
    "slow": {
        "slow",
        "slow down",
        "decelerate",
        "deceleration",
        "slacken",
        "let up",
        "taper off",
        "lose momentum",
        "slowdown",
        "stall",
    },
    # better or worse state (an economy, a patient, relations)
    "improve": {
        "improve",
        "recover",
        "rebound",
        "revive",
        "strengthen",
        "bolster",
        "bounce back",
        "improvement",
        "recovery",
    },
    "deteriorate": {
        "deteriorate",
        "worsen",
        "weaken",
        "sour",
        "decay",
        "falter",
        "deterioration",
    },
    # rules made stricter or looser
    "tighten": {"tighten", "toughen", "stiffen", "crack down", "clamp down", "impose"},
    "loosen": {"loosen", "relax", "soften", "water down", "lift", "ease", "scrap"},
    # good or harm done to someone or something
    "help": {"help", "benefit", "aid", "assist"},
    "harm": {
        "hurt",
        "harm",
        "damage",
        "undermine",
        "threaten",
        "jeopardise",
        "jeopardize",
        "endanger",
        "cripple",
        "sabotage",
        "impair",
        "hamper",
        "hinder",
        "hobble",
    },
    # a target met or missed
    "meet": {"meet", "hit", "exceed", "achieve", "attain"},
    "miss": {"miss", "fall short", "undershoot"},
}
OPPOSED_SENSES = [
    ("rise", "fall"),
    ("worsen", "calm"),
    ("start", "stop"),
    ("continue", "stop"),
    ("accept", "reject"),
    ("win", "lose"),
    ("lead", "trail"),
    ("buy", "sell"),
    ("allow", "ban"),
    ("hire", "fire"),
    ("progress", "founder"),
    ("quicken", "slow"),
    ("improve", "deteriorate"),
    ("tighten", "loosen"),
    ("meet", "miss"),
    ("help", "harm"),
]
# Groups that tell one event from its two sides ("A beat B" = "B lost to A").
_CONVERSE = {("win", "lose"), ("buy", "sell"), ("lead", "trail")}
# A noun that names the opposite of its verb's group ("suffered a defeat" = lost).
_NOUN_SENSE = {"defeat": "lose", "loss": "lose", "victory": "win", "win": "win"}
_SENSE_OF: dict[str, list[str]] = {}
for _name, _words in SENSES.items():
    for _w in _words:
        _SENSE_OF.setdefault(_w, []).append(_name)
for _a, _b in OPPOSED_SENSES:
    for _x in SENSES[_a]:
        for _y in SENSES[_b]:
            if _x != _y and not set(_SENSE_OF[_x]) & set(_SENSE_OF[_y]):
                _OPPOSITE.setdefault(_x, set()).add(_y)
                _OPPOSITE.setdefault(_y, set()).add(_x)

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
# "All … except one", "all but one": the one left out is the only one.
_ALL_BUT_ONE = re.compile(r"\ball but one\b|\b(all|every|each)\b[^.;]*\b(except|but)\s+one\b", re.I)
# Words that give a scope word's meaning in other words ("most" ~ "mostly", "the bulk of").
_SCOPE_SAME = {
    "most": {"mostly", "bulk", "majority", "largely", "mainly", "predominantly"},
    "majority": {"most", "mostly", "bulk"},
    "only": {"sole", "solely", "just", "alone", "exclusively", "lone"},
    "sole": {"only", "solely", "lone"},
    "solely": {"only", "sole", "exclusively"},
    "exclusively": {"only", "solely"},
    "all": {"every", "entire", "whole", "each"},
    "every": {"all", "each"},
    "entire": {"all", "whole"},
    "whole": {"all", "entire"},
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
    "suggest",  # "the data suggest that …", "The Verge suggests …"
    "imply",
    "anticipate",
    "hint",
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
    "show",  # "figures show …" keeps "according to figures"
    "indicate",
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
_MONTHS = MONTHS
# Abbreviations of month names, each to its month ("sept" and "sep" are both September).
_MONTH_OF = {m: m for m in _MONTHS} | {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_GLUED_MONTH = re.compile(rf"(?<=[A-Za-z])({'|'.join(m.title() for m in _MONTHS)})(?=\s*\d)")
_WEEKDAYS = WEEKDAYS
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
    # a word all in lower case is no proper name whatever the tagger says ("neo" of
    # "neo-Nazism", "de" of "de Gaulle")
    return (
        (token.is_alpha or _dotted(token.text))
        and not token.text.islower()
        and (token.pos_ == "PROPN" or token.ent_type_ in _NAME_LABELS)
        and token.ent_type_ not in _NON_NAME_LABELS
    )


def _dotted(text: str) -> bool:
    """An abbreviation written with stops: "U.S.", "U.K.", "E.U."."""
    bare = text.replace(".", "")
    return "." in text and len(bare) >= 2 and bare.isalpha() and bare.isupper()


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
            return ("nsubj", _pred(prep.head))
        return (f"prep:{prep.lower_}", _pred(prep.head))
    if dep == "nsubjpass":
        dep = "dobj"
    if (
        dep == "nsubj"
        and head.pos_ in ("VERB", "AUX")
        and _low(head) in _ERGATIVE
        and not any(c.dep_ in ("dobj", "auxpass", "ccomp", "xcomp") for c in head.children)
    ):
        dep = "dobj"  # "the bridge will close": the bridge is what is closed
    if dep in ("dative", "iobj"):  # "gave Mary the book" = "gave the book to Mary"
        return ("prep:to", _pred(head))
    if dep in ("nsubj", "dobj", "attr"):
        return (dep, _pred(head))
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
        # a controlled subject: "X agreed to acquire Y" → X is also the subject of acquire;
        # and of a participle without a subject of its own: "the court upheld the ban,
        # dismissing a challenge" → the court dismissed it
        if a[0] == "nsubj":
            for x in _argument_root(t).head.children:
                if x.dep_ == "xcomp" or (
                    x.dep_ == "advcl"
                    and x.tag_ == "VBG"
                    and not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in x.children)
                ):
                    out[_low(t)].add(("nsubj", _pred(x)))
        out[_low(t)].update(_shared_slots(_argument_root(t)))
    return out


# Prepositions that attach what someone is said to have done: "accused of using", "charged
# with taking", "praised for saving".
_DEED_PREPS = {"of", "with", "for"}


def _shared_slots(root) -> set[tuple[str, str]]:
    """Slots an argument fills without being written there: a subject shared by a verb
    joined to its own ("Ellison is the CEO and is accused …": Ellison is the one accused),
    and the doer of a deed a verb attaches to its object ("accused Ellison of using …", "is
    accused of using …": Ellison used)."""
    out: set[tuple[str, str]] = set()
    if root.dep_ not in ("nsubj", "nsubjpass", "dobj"):
        return out
    verbs = [(root.head, root.dep_ in ("nsubjpass", "dobj"))]
    if root.dep_ in ("nsubj", "nsubjpass"):
        for v in root.head.children:
            if (
                v.dep_ == "conj"
                and v.pos_ == "VERB"
                and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in v.children)
            ):
                done_to = _passive(v)
                out.add(("dobj" if done_to else "nsubj", _pred(v)))
                verbs.append((v, done_to))
    for verb, done_to in verbs:
        if not done_to:
            continue
        for prep in verb.children:
            if prep.dep_ != "prep" or prep.lower_ not in _DEED_PREPS:
                continue
            for g in prep.children:
                if g.dep_ == "pcomp" and g.tag_ == "VBG":
                    out.add(("nsubj", _pred(g)))
    return out


def _not_only(token) -> bool:
    """ "not only", "not just", "not merely": an emphasis, not a negation."""
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return token.lower_ == "not" and nxt is not None and nxt.lower_ in ("only", "just", "merely")


def _negated(token) -> bool:
    """Polarity of a word: negators on it and negating words above it, up the clause (parity).
    "proved unable to conduct" negates conduct; "did not fail to" is positive again."""
    flips = 0
    node = token
    for _ in range(6):
        for child in node.children:
            if _not_only(child):
                continue  # "not only X but Y" asserts X
            if child.dep_ == "neg" or (
                child.lower_ in NEGATORS and child.dep_ in ("det", "advmod", "neg", "preconj")
            ):
                flips += 1
            elif child.lower_ in ("longer", "more") and any(
                g.dep_ == "neg" or g.lower_ == "no" for g in child.children
            ):
                flips += 1  # "no longer", "not any more"
        head = node.head
        if node.dep_ == "pobj" and head.lower_ == "of" and _low(head.head) in _ABSENCE:
            flips += 1  # "an absence of evidence that he was warned": as "no evidence …"
            node = head.head
            continue
        if (
            node.dep_ in ("acl", "relcl")
            and _low(head) in _ABSENCE
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in node.children)
        ):
            flips += 1  # the same with the clause attached to "absence" itself
            node = head
            continue
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


def _word(token) -> str:
    """The lemma of a word with its verb particle ("turned down" → "turn down")."""
    lem = _low(token)
    if token.pos_ in ("VERB", "AUX") and lem in _MULTI_HEADS:
        # a particle, or a word that makes one verb with it: "fell behind", "fell apart",
        # "fell short", "gathered pace", "lost momentum"
        kids = sorted(
            (c for c in token.children if c.dep_ in ("prt", "prep", "advmod", "dobj", "acomp")),
            key=lambda c: (c.dep_ != "prt", abs(c.i - token.i)),
        )
        for c in kids:
            if f"{lem} {c.lower_}" in _SENSE_OF:
                return f"{lem} {c.lower_}"
    return lem


def _shown(token) -> str:
    """A word as the text has it, with the particle that makes it one verb ("pushed up")."""
    word = _word(token)
    if " " in word:
        rest = word.split(" ", 1)[1]
        return f"{token.text} {rest}"
    return token.text


def _senses(token) -> list[str]:
    """The meaning groups of a word (see SENSES)."""
    word = _word(token)
    if token.pos_ == "NOUN" and word in _NOUN_SENSE:
        return [_NOUN_SENSE[word]]
    return _SENSE_OF.get(word, [])


def _pred(token) -> str:
    """What a predicate says, the same for words of one meaning group ("beat" = "defeat",
    "acquire" = "take over" = "buy"): the group's name, or the lemma."""
    senses = _senses(token)
    return senses[0] if len(senses) == 1 else _word(token)


def _opposed_senses(a, b) -> bool:
    """Do two words belong to meaning groups that say the opposite of each other? Converse
    groups agree when one word is passive ("was defeated" = "lost")."""
    sa, sb = set(_senses(a)), set(_senses(b))
    if not sa or not sb or sa & sb:
        return False
    pairs = {(x, y) for x in sa for y in sb} | {(y, x) for x in sa for y in sb}
    if not pairs & _OPPOSED:
        return False
    return not (pairs & _CONVERSE and _passive(a) != _passive(b))


def _passive(token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


_OPPOSED = set(OPPOSED_SENSES)
# First words of the groups' verbs with a particle ("push" of "push up").
_MULTI_HEADS = {w.split()[0] for w in _SENSE_OF if " " in w}


def _opposites(token) -> set[str]:
    """Lemmas opposite in meaning: from the list, and by a negating prefix (able ~ unable,
    legal ~ illegal, commission ~ decommission, agree ~ disagree)."""
    lem = _low(token)
    out = set(_PAIR_OPPOSITE.get(lem, set())) | _PAIR_OPPOSITE.get(token.lower_, set())
    for p in NEGATING_PREFIXES:
        if lem.startswith(p) and len(lem) - len(p) >= 4:
            out.add(lem[len(p) :])
        out.add(p + lem)
    # "useless" ~ "useful", "harmless" ~ "harmful": one stem with and without what it names
    for suffix, other in (("less", "ful"), ("ful", "less")):
        if lem.endswith(suffix) and len(lem) - len(suffix) >= 3:
            out.add(lem[: -len(suffix)] + other)
    return out


def _context(token) -> set[str]:
    """Content lemmas next to a word in the parse: its head, its children and theirs — not
    dates and times ("starting on 3 March" shares nothing with "shut from 3 March")."""
    near = [token.head, *token.children, *token.head.children, *_described(token)]
    for child in token.children:
        near += list(child.children)
    for sibling in token.head.children:  # "fuel distrust in platforms": "in" hangs on "fuel"
        if sibling.dep_ == "prep" and sibling.i != token.i:
            near += [t for t in sibling.children if t.dep_ == "pobj"]
    return {
        _low(t)
        for t in near
        if t.i != token.i
        and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")
        and not t.is_stop
        and t.ent_type_ not in ("DATE", "TIME")
        and _low(t) not in _TIME_UNITS
    }


def _described(token) -> list:
    """What a predicate word describes: the subject of "the card is useful" or "a card,
    which is useful" (the noun "which" stands for), with its compounds — also for the
    adjective of a predicate noun ("the card is a useless gift")."""
    if token.dep_ == "amod" and token.head.dep_ in ("attr", "acomp", "oprd"):
        token = token.head
    if token.dep_ not in ("attr", "acomp", "oprd"):
        return []
    verb = token.head
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if verb.dep_ == "relcl" and any(s.tag_ in ("WDT", "WP") for s in subjects):
        subjects = [verb.head]
    return [t for s in subjects for t in (s, *s.children) if t.dep_ != "det"]


def _arguments(token) -> set[str]:
    """Content lemmas of a word's own arguments: its children and theirs, and the noun a
    participle describes ("the bridge, closed since May") — not its head's other words."""
    clauses = ("advcl", "ccomp", "xcomp", "conj", "relcl", "acl", "parataxis", "cc", "punct")
    near = [c for c in token.children if c.dep_ not in clauses]
    for child in token.children:
        if child.dep_ in ("prep", "agent"):
            near += list(child.children)
    if token.dep_ in ("acl", "amod", "relcl"):
        near.append(token.head)
    return {
        _low(t)
        for t in near
        if t.pos_ in ("NOUN", "PROPN") and not t.is_stop and t.ent_type_ not in ("DATE", "TIME")
    }


def _subject(token) -> set[str]:
    """Lemmas of the subject of the clause a word belongs to."""
    node = token
    for _ in range(4):
        subj = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return {_low(t) for t in subj[0].subtree if t.pos_ in ("NOUN", "PROPN")}
        if node.head is node or (node.dep_ == "advcl" and node.tag_ == "VBG"):
            break  # "…, fuelling speculation": a participle's subject is not the main clause's
        if node.dep_ == "acl":  # "the champion, Rao, lost to …": the noun it describes
            inside = {t.i for t in node.subtree}
            return {
                _low(t)
                for t in node.head.subtree
                if t.i not in inside and t.pos_ in ("NOUN", "PROPN")
            }
        node = node.head
    return set()


def _same_subject(a, b) -> bool:
    """Unless both clauses name a subject and the subjects differ, or one clause is passive
    and the other not: "Inglis beat Patterson" and "Patterson lost to Inglis" are one fact
    told from two sides."""
    subjects = ("nsubj", "nsubjpass")
    if _passive(a) != _passive(b) and all(
        any(c.dep_ in subjects for c in t.children) for t in (a, b)
    ):
        # "McHenry dismissed the efforts" / "he was appointed": the subjects play two roles
        return False
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
        if m.group(1).isalpha() and text[m.end(1) : m.end(1) + 1].isalpha():
            continue  # "fourth", "seventies": not the number word
        # "one of the applicants", "the two of them", "the two are dating": a number word that
        # counts nothing — but "by seven votes to four" counts votes
        before = text[max(0, m.start() - 7) : m.start()]
        pronoun = (
            m.group(1).lower() == "one"
            or re.match(r"\s+of\b", text[m.end() :])
            or re.search(r"\b(the|these|those|all|both)\s+$", before, re.I)
        )
        if m.group(1).isalpha() and not m.group(2) and counts_nothing and pronoun:
            continue
        if re.search(r"\b(number|no\.)[\s-]?$", text[max(0, m.start() - 8) : m.start()], re.I):
            continue  # "the number-two chain", "No. 1": a rank, not a count
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
    for t in doc:  # "scoring twice": two of them
        if t.lower_ in _COUNT_ADVERBS:
            out.append(Quantity(_COUNT_ADVERBS[t.lower_], "", "exact", t.text))
    return out


# Adverbs that are counts: "scored twice" is two goals, "won thrice" three wins.
_COUNT_ADVERBS = {"twice": 2.0, "thrice": 3.0}


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
            if low in _MONTH_OF and tok.tag_ != "MD":
                parts["month"].add(_MONTH_OF[low])
            elif low in _WEEKDAYS:
                parts["weekday"].add(low)
            elif re.fullmatch(r"(1[89]|20)\d\d", low):
                parts["year"].add(low)
    if anywhere:  # a month glued to the word before it by a scraped page ("OPINIONApril 11")
        parts["month"] |= {_MONTH_OF[m.group(1).lower()] for m in _GLUED_MONTH.finditer(doc.text)}
    parts["season"] = {_SEASONS[t.lower_] for t in doc if _is_season(t, anywhere)}
    return parts


_SEASONS = {s: s for s in ("spring", "summer", "autumn", "winter")} | {"fall": "autumn"}
_SEASON_PREPS = {"in", "during", "by", "until", "till", "from", "since", "through", "over"}
_SEASON_MODS = {"this", "next", "last", "early", "late", "coming", "past", "previous"}


def _is_season(token, anywhere: bool = False) -> bool:
    """A season named as a time ("in the autumn", "this spring", "by late summer") — not "the
    fall of the city" or "a hot spring"."""
    if token.lower_ not in _SEASONS or token.pos_ != "NOUN":
        return False
    if token.ent_type_ in ("DATE", "TIME") or anywhere:
        return not (token.lower_ == "fall" and any(c.lower_ == "of" for c in token.children))
    if token.lower_ == "fall" and any(c.lower_ == "of" for c in token.children):
        return False
    return (token.dep_ == "pobj" and token.head.lower_ in _SEASON_PREPS) or any(
        c.lower_ in _SEASON_MODS for c in token.children
    )


def _hedges(doc) -> list:
    """Hedge markers of a text: the tokens that make a statement uncertain or someone else's."""
    found = []
    for t in doc:
        low = t.lower_
        if t.tag_ == "MD" and low in HEDGE_MODALS:
            if not any(c.dep_ == "neg" for c in t.head.children) and not _forgone(t):
                found.append(t)  # "could not" is a negation
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


_CONCEDING = {"although", "though"}


def _forgone(modal) -> bool:
    """A choice the text says was not taken: "Although he could have chosen to attend there,
    he decided to …" — an active perfect modal in a conceding clause is no hedge on a fact."""
    verb = modal.head
    return (
        any(c.dep_ == "aux" and c.lower_ == "have" for c in verb.children)
        and _low(verb) != "be"  # "although it could have been caused by …" still hedges
        and not any(c.dep_ == "auxpass" for c in verb.children)
        and verb.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ in _CONCEDING for c in verb.children)
    )


def _hedge_scope(token) -> set[str]:
    """Content lemmas a hedge marker covers: its head's clause ("may be distributing a
    document"), or for a hedging verb everything it governs ("claimed that …", "believed to
    be aged …")."""
    governs = token.pos_ == "VERB" and _low(token) in HEDGING_VERBS and token.dep_ != "amod"
    head = token if governs else token.head  # "an alleged 1982 rape": the noun it describes
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


def compare(
    sentence: str, passages: list[str], sources: str = "", outlets: tuple[str, ...] = ()
) -> list[Finding]:
    """Findings that the ``passages`` do not support ``sentence``, by meaning (empty = none).

    ``sources``: the cited passages' outlets and titles; a sentence may name them ("The
    Guardian reported …") although the quoted passage does not. ``outlets``: the cited
    passages' outlets, which a sentence may name as the reporter only."""
    if not passages:
        return []
    docs = parse_many([sentence, *passages])
    claim, pdocs = docs[0], docs[1:]
    findings: list[Finding] = []
    findings += _antonym_findings(claim, pdocs)
    if not findings:
        findings += _negation_findings(claim, pdocs)
    findings += (
        _attachment_findings(claim, pdocs)
        or _role_findings(claim, pdocs)
        or _moved_findings(claim, pdocs)
    )
    if not any(f.kind == "role" for f in findings):
        findings += _actor_findings(claim, pdocs)
    findings += _quantity_findings(claim, pdocs)
    findings += _factor_findings(claim, pdocs)
    findings += _date_findings(claim, pdocs)
    findings += _entity_findings(claim, pdocs, sources)
    findings += _outlet_role_findings(claim, pdocs, outlets)
    findings += _scope_findings(claim, pdocs, findings)
    findings += _hedge_findings(claim, pdocs) or _judgement_findings(claim, pdocs)
    findings += _certainty_findings(claim, pdocs)
    return findings


def _antonym_findings(claim, pdocs) -> list[Finding]:
    """The sentence uses a word whose opposite the passage uses instead, of the same part of
    speech and about the same things (a shared neighbour word). "Remains open" and "will not be
    closed" agree, so a negated opposite is no clash."""
    p_words = set().union(*(_lemmas(d) for d in pdocs)) | {_word(t) for d in pdocs for t in d}
    c_lemmas = _lemmas(claim)
    p_alpha = [(t, set(_senses(t))) for d in pdocs for t in d if t.is_alpha]
    p_senses = [(t, senses) for t, senses in p_alpha if senses]
    for tok in claim:
        if not tok.is_alpha or tok.pos_ not in ("VERB", "ADJ", "NOUN", "ADV", "ADP"):
            continue
        lem = _word(tok)
        if tok.pos_ == "ADP" and tok.lower_ in p_words:
            continue
        near = _context(tok) if lem in p_words else set()
        if lem in p_words and (
            not near
            or any(
                _context(t) & near or not _context(t) for d in pdocs for t in d if _word(t) == lem
            )
        ):
            continue  # the passage says it too, of the same things ("the losing Eagles" is not)
        mine = set(_senses(tok))
        if mine and any(
            mine & senses and _negated(t) == _negated(tok) and _arguments(t) & _arguments(tok)
            for t, senses in p_senses
        ):
            continue  # the passage says it in a word of the same meaning ("closed" / "shut")
        opposite = _opposites(tok)
        rivals = [
            t
            for t, senses in p_alpha
            if (
                (senses and mine and _opposed_senses(tok, t))
                or (not (senses and mine) and (_word(t) in opposite or t.lower_ in opposite))
                or (senses and mine and _word(t) in _PAIR_OPPOSITE.get(lem, set()))
            )
            and not _only_dates(t)
            and _low(t) not in c_lemmas
            and _same_kind(t, tok)
            and _negated(t) == _negated(tok)
            and (
                _context(t) & _context(tok)
                or (lem in _PAIR_OPPOSITE.get(_word(t), set()) and tok.pos_ != "ADP")
            )
            and _same_subject(t, tok)
            and not _other_times(t, tok)
        ]
        if rivals:
            return [
                Finding(
                    "antonym",
                    f"says '{_shown(tok)}' where the passage says '{_shown(rivals[0])}'",
                    True,
                )
            ]
    return []


def _time_numbers(token) -> set[str]:
    """The numbers of the dates and times that qualify a word's clause ("until 2 March",
    "from 3 March 2025"): the word's own modifiers and, for a complement ("remain open"), its
    verb's."""
    nodes = [token]
    if token.dep_ in ("acomp", "xcomp", "attr", "oprd") and token.head is not token:
        nodes.append(token.head)
    out = set()
    for node in nodes:
        for child in node.children:
            for t in child.subtree:
                if t.ent_type_ in ("DATE", "TIME") and t.like_num:
                    out.add(t.text.lower())
    return out


def _other_times(a, b) -> bool:
    """Both words are dated, and by different dates: opposite states at different times ("will
    remain open until 2 March" and "will be closed from 3 March") do not contradict."""
    ta, tb = _time_numbers(a), _time_numbers(b)
    return bool(ta and tb) and ta.isdisjoint(tb)


# Verbs whose subject, without an object, is what undergoes the act ("the bridge will close" =
# "the bridge will be closed"): that subject fills the object's slot.
_ERGATIVE = {
    "close", "open", "shut", "reopen", "stop", "start", "begin", "end", "resume", "halt",
    "increase", "decrease", "grow", "shrink", "expand", "change", "break", "collapse",
    "double", "triple", "halve",
}  # fmt: skip


def _only_dates(token) -> bool:
    """A participle that only dates something: "starting on 3 March", "ending in June"."""
    if token.tag_ != "VBG" or token.dep_ not in ("advcl", "acl", "prep"):
        return False
    kids = [c for c in token.children if not c.is_punct]
    return bool(kids) and all(
        c.dep_ in ("prep", "npadvmod", "pobj")
        and any(x.ent_type_ in ("DATE", "TIME") for x in c.subtree)
        for c in kids
    )


def _same_kind(a, b) -> bool:
    """Can two opposite words clash: the same part of speech (a verb and an adjective count as
    one), words of meaning groups in any of verb, noun, adjective or adverb ("the drug cut
    admissions" vs "increased admissions", "have the edge" vs "trail"), prepositions on the
    same word ("voted for" vs "voted against")."""
    if a.pos_ == "ADP" or b.pos_ == "ADP":
        return a.pos_ == b.pos_ and _low(a.head) == _low(b.head)
    if a.pos_ == b.pos_ or {a.pos_, b.pos_} <= {"VERB", "ADJ"}:
        return True
    # a noun as what happened ("earn the win", "a cut in rates"), not a time ("before the end")
    eventive = all(t.pos_ != "NOUN" or t.dep_ != "pobj" for t in (a, b))
    return bool(_senses(a) and _senses(b)) and eventive


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
        mine = _polarity(tok)
        if all(_opposed(tok, mine, t, _polarity(t)) for t in matches):
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


def _polarity(token) -> bool:
    """Whether a word is negated, by the rule for its part of speech: the noun "plans" of
    "no plans" and the verb "planned" of "no measures planned" are both negated."""
    return _noun_negated(token) if token.pos_ == "NOUN" else _negated(token)


def _opposed(a, a_neg: bool, b, b_neg: bool) -> bool:
    """Two uses of one word of opposite polarity. A thing said to be missing ("without their
    left-back", "lacks funds") is opposed only to the thing had or found — an object ("has
    funds", "played with him") — not to a mention of it doing something ("the left-back was
    injured"); "no X" is opposed to any "X"."""
    if a_neg == b_neg:
        return False
    if a.pos_ != "NOUN" or b.pos_ != "NOUN":
        return True
    neg, pos = (a, b) if a_neg else (b, a)
    if pos.dep_ in ("dobj", "pobj") and _negated(pos.head if pos.dep_ == "dobj" else pos.head.head):
        return False  # "no plans to implement measures" does not assert the measures either
    return _determined_by_no(neg) or pos.dep_ not in ("nsubj", "nsubjpass", "poss", "compound")


def _is_predicate(token) -> bool:
    """A verb or adjective, or a copula/auxiliary heading its clause ("is not the front-runner")."""
    if token.pos_ in ("VERB", "ADJ"):
        return True
    return token.pos_ == "AUX" and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)


def _clause_head(token):
    return token if token.dep_ == "ROOT" or token.pos_ == "VERB" else token.head


def _noun_negated(token) -> bool:
    """Polarity of a noun: "no results", "did not yield any results", and a thing said to be
    missing — what "lacks", "excludes" or "without" governs, "the absence of" / "a lack of"
    it — as the word that governs it is itself negated or not ("did not lack money" has
    money)."""
    if _determined_by_no(token):
        return True
    head = token.head
    if token.dep_ == "dobj" and _low(head) in _LACKING:
        return not _negated(head)
    if token.dep_ == "pobj" and head.lower_ == "without":
        return not _negated(head)
    if token.dep_ == "pobj" and head.lower_ == "of" and _low(head.head) in _ABSENCE:
        return not _determined_by_no(head.head)  # "no lack of funds" has funds
    return False


def _determined_by_no(token) -> bool:
    """ "no results", and "did not yield any results" (a negated verb's "any" object)."""
    if any(c.lower_ in ("no", "none") and c.dep_ in ("det", "neg") for c in token.children):
        return True
    return (
        any(c.lower_ == "any" and c.dep_ == "det" for c in token.children)
        and token.dep_ in ("dobj", "nsubjpass", "attr")
        and _negated(token.head)
    )


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
    c_pos = {(_pred(t), t.pos_) for t in claim}
    p_pos = {(_pred(t), t.pos_) for d in pdocs for t in d}
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


_ROLE_SLOTS = {"nsubj", "dobj", "prep:to", "prep:from"}
# What a time or place is: a date or time, a place, a person or organisation.
_ATTACHED_KINDS = {
    "DATE": "date",
    "TIME": "date",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "PERSON": "person",
    "ORG": "person",
}
_DATE_LEAD = re.compile(r"^(in|on|at|during|the)\s+", re.I)


def _attachments(doc) -> list[tuple[str, str, str, object, object]]:
    """(kind, value, predicate, the entity, the predicate's word) for each date, place, person
    or organisation that modifies a predicate by a preposition or as a time ("married in
    Boston", "died in 2010", "performed with Ana Lee", "closed on Friday"): which event each
    one belongs to."""
    out = []
    for e in doc.ents:
        kind = _ATTACHED_KINDS.get(e.label_)
        if kind is None:
            continue
        root = e.root
        if root.dep_ == "pobj" and root.head.dep_ in ("prep", "agent"):
            if kind == "person" and root.head.lower_ == "by":
                continue  # the doer: a role, compared by the role checks
            node = root.head.head
        elif kind == "date" and root.dep_ in ("npadvmod", "tmod", "advmod"):
            node = root.head
        else:
            continue
        if node.pos_ == "NOUN" and node.dep_ == "dobj":
            node = node.head  # "negotiated the deal with Tesco"
        if node.pos_ not in ("VERB", "AUX", "ADJ"):
            continue
        value = _DATE_LEAD.sub("", e.text.lower()) if kind == "date" else e.text.lower()
        out.append((kind, value, _pred(node), e, node))
    return out


def _same_value(kind: str, a: str, b: str) -> bool:
    if kind == "date":
        return a == b
    return a == b or same_name(a.split()[-1], b.split()[-1])


def _attachment_findings(claim, pdocs) -> list[Finding]:
    """A date, place or person moved from one event of the passage to another it also tells:
    "married in New York and performed in Boston" where the passage has them married in Boston
    and performing in New York; "born in 2010 and died in 1950"."""
    mine = _attachments(claim)
    theirs = [a for d in pdocs for a in _attachments(d)]
    c_preds = {a[2] for a in mine} | {_pred(t) for t in claim if t.pos_ == "VERB"}
    for kind, value, pred, ent, node in mine:
        same_kind = [a for a in theirs if a[0] == kind]
        if any(_same_value(kind, value, a[1]) and a[2] == pred for a in same_kind):
            continue
        # the passage has this value with another event the sentence also tells …
        elsewhere = [
            a
            for a in same_kind
            if _same_value(kind, value, a[1]) and a[2] != pred and a[2] in c_preds
        ]
        # … and another value of the same kind with this event
        instead = [a for a in same_kind if a[2] == pred and not _same_value(kind, value, a[1])]
        # … or the sentence tells that other event without it: the value moved — where the
        # passage's event has modifiers of its own ("won at home", not the shared "working
        # and writing songs with X")
        own = any(
            _pred(t) == pred and any(c.dep_ == "prep" for c in t.children)
            for d in pdocs
            for t in d
            if t.pos_ in ("VERB", "AUX", "ADJ")
        )
        main = ("ROOT", "conj")  # main predicates of coordinated clauses, not "adults aged 18"
        moved = [
            a
            for a in elsewhere
            if own
            and node.pos_ == a[4].pos_ == "VERB"
            and node.dep_ in main
            and a[4].dep_ in main
            # after its verb in both: a fronted "In August, …" may belong to every clause
            and ent.start > node.i
            and a[3].start > a[4].i
            and not any(m[2] == a[2] and _same_value(kind, value, m[1]) for m in mine)
        ]
        if elsewhere and (instead or moved):
            there = elsewhere[0]
            what = {"date": "date", "place": "place"}.get(kind, "name")
            also = f" and '{instead[0][3].text}' with '{_shown(instead[0][4])}'" if instead else ""
            return [
                Finding(
                    "role",
                    f"puts the {what} '{ent.text}' with '{_shown(node)}', where the passage has "
                    f"it with '{_shown(there[4])}'{also}",
                    True,
                    tuple(ent.text.split()),
                )
            ]
    return []


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
    # the same verb on both sides (a synonym may tell the same event from another side)
    p_verbs = {_low(t) for d in pdocs for t in d if t.pos_ == "VERB"}
    verbs = {_pred(t) for t in claim if t.pos_ == "VERB" and _low(t) in p_verbs}
    for key, slots in c_anchors.items():
        theirs = p_anchors.get(key) or p_anchors.get(_find_name(key, p_anchors), set())
        for dep, head in sorted(slots):
            if dep not in _ROLE_SLOTS or head not in verbs or (dep, head) in theirs:
                continue
            # the doer in one, a party done to in the other ("Google paid … to Apple" vs "Apple
            # paid the tech giant"); object and "to" are both done-to ("paid them" / "paid to")
            other = sorted(
                d2
                for d2, h2 in theirs
                if h2 == head and d2 in _ROLE_SLOTS and (d2 == "nsubj") != (dep == "nsubj")
            )
            # "A joined B" against "B and A joined forces": the sentence's other party shares
            # that slot in the passage — a reciprocal act, not a swap
            partners = [k for k, v in c_anchors.items() if other and (other[0], head) in v]
            # …unless the passage's act has a third party ("A and B defeated C" does not
            # make "A defeated B")
            third = [
                k
                for k, v in p_anchors.items()
                if ("dobj", head) in v and k not in _RECIPROCAL and k != key and k not in partners
            ]
            if not third and any((other[0], head) in _slots_of(k, pdocs) for k in partners):
                continue
            # "the bridge closed" = "the bridge was closed": the subject of a verb used without
            # an object is what happens to it
            if other and (key, head) in (
                _intransitive(claim) if dep == "nsubj" else _intransitive(*pdocs)
            ):
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


# Objects that make an act mutual ("joined forces", "shook hands", "met each other").
_RECIPROCAL = {"force", "hand", "other", "another"}


def _slots_of(key: str, docs) -> set[tuple[str, str]]:
    """The slots a name or noun fills, directly or as what a filler is "of" ("the remaining
    members of Alice in Chains will be joining forces": Alice in Chains joins)."""
    out: set[tuple[str, str]] = set()
    for d in docs:
        for t in d:
            if _low(t) != key and not same_name(_low(t), key):
                continue
            node = t
            for _ in range(3):
                a = _anchor(node)
                if a is not None:
                    out.add(a)
                root = _argument_root(node)
                if not (root.dep_ == "pobj" and root.head.lower_ == "of"):
                    break
                node = root.head.head
    return out


def _intransitive(*docs) -> set[tuple[str, str]]:
    """(subject, predicate) of active verbs used without an object ("the bridge closed")."""
    out = set()
    for d in docs:
        for t in d:
            if t.pos_ != "VERB" or _passive(t):
                continue
            kids = [c for c in t.children]
            if any(c.dep_ in ("dobj", "dative", "ccomp", "xcomp") for c in kids):
                continue
            for c in kids:
                if c.dep_ == "nsubj":
                    out.add((_low(c), _pred(t)))
        for t in d:  # "The bridge, closed since …": a participle describing its noun
            if t.dep_ == "acl" and t.tag_ == "VBN":
                out.add((_low(t.head), _pred(t)))
    return out


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
                if _pred(pp) != _pred(cp):
                    continue
                p_subj = _args(pp, ("nsubj", "agent"))
                p_obj = _args(pp, ("dobj", "nsubjpass"))
                if not p_subj or not (c_obj & p_obj):
                    continue
                if _subject_heads(cp) & _subject_heads(pp):
                    continue  # "just two of the applicants" ~ "only two of the candidates"
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


def _subject_heads(pred) -> set[str]:
    """Lemmas of the head words of a predicate's subjects (voice normalised)."""
    passive = any(c.dep_ == "auxpass" for c in pred.children)
    out = set()
    for c in pred.children:
        if c.dep_ == "nsubj" and not passive:
            out.add(_low(c))
        if c.dep_ == "agent":
            out |= {_low(g) for g in c.children if g.dep_ == "pobj"}
    return out


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


# Multiples and fractions said in words: "twice as often", "half as many", "doubled".
_FACTOR_WORDS = {"twice": 2.0, "thrice": 3.0}
_FACTOR_VERBS = {"double": 2.0, "halve": 0.5, "triple": 3.0, "treble": 3.0, "quadruple": 4.0}
_TIMES = re.compile(
    r"\b([\w.,-]+)\s+times\s+(?=as\b|more\b|less\b|fewer\b|the\b|over\b|\w+er\b)", re.I
)


def _factors(doc) -> dict[float, str]:
    """The factors a text says something changed by or compares with, and their words."""
    out: dict[float, str] = {}
    for t in doc:
        nxt = doc[t.i + 1].lower_ if t.i + 1 < len(doc) else ""
        if t.lower_ in _FACTOR_WORDS:
            out.setdefault(_FACTOR_WORDS[t.lower_], t.text)
        elif t.lower_ == "half" and nxt == "as":
            out.setdefault(0.5, f"{t.text} as")
        elif t.pos_ == "VERB" and _low(t) in _FACTOR_VERBS:
            out.setdefault(_FACTOR_VERBS[_low(t)], t.text)
    for m in _TIMES.finditer(doc.text):
        vals = numbers(m.group(1))
        if len(vals) == 1:
            out.setdefault(next(iter(vals)), m.group(0).strip())
    return out


def _factor_findings(claim, pdocs) -> list[Finding]:
    """A multiple or fraction where the passage gives another ("half as often" / "twice as
    often", "doubled" / "halved")."""
    mine = _factors(claim)
    theirs: dict[float, str] = {}
    for d in pdocs:
        theirs.update(_factors(d))
    if not mine or not theirs or set(mine) & set(theirs):
        return []
    a, b = next(iter(mine.values())), next(iter(theirs.values()))
    return [Finding("number", f"says '{a}' where the passage says '{b}'", True, (a,))]


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
    mine = _relative_dates(claim)
    theirs = set().union(*(_relative_dates(d) for d in pdocs))
    if mine and theirs and not {x[:2] for x in mine} & {x[:2] for x in theirs}:
        out.append(
            Finding(
                "date",
                f"says '{sorted(mine)[0][2]}' where the passage says '{sorted(theirs)[0][2]}'",
                True,
            )
        )
    out += _ordinal_findings(claim, pdocs)
    mine_days = _days(claim)
    their_days = set().union(*(_days(d) for d in pdocs))
    other = {(m, d) for m, d in their_days if m in {x[0] for x in mine_days}} - mine_days
    if mine_days - their_days and other:
        said = sorted(mine_days - their_days)[0]
        out.append(
            Finding(
                "date",
                f"gives the date as {said[0].title()} {said[1]} where the passage says "
                + ", ".join(f"{m.title()} {d}" for m, d in sorted(other)),
                True,
                (str(said[1]),),
            )
        )
    return out


_DAY_OF_MONTH = re.compile(
    r"\b(?:(?P<m1>[A-Za-z]{3,9})\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b(?!:)"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>[A-Za-z]{3,9})\b)"
)


def _days(doc) -> set[tuple[str, int]]:
    """(month, day) of the dates a text names ("March 1", "1 March", "the 3rd of March")."""
    out = set()
    for e in doc.ents:
        if e.label_ not in ("DATE", "TIME"):
            continue
        for m in _DAY_OF_MONTH.finditer(e.text):
            month = (m.group("m1") or m.group("m2") or "").lower()
            day = int(m.group("d1") or m.group("d2"))
            if month in _MONTH_OF and 1 <= day <= 31:
                out.add((_MONTH_OF[month], day))
    return out


_RELATIVE = {
    "last": "past",
    "previous": "past",
    "past": "past",
    "this": "this",
    "current": "this",
    "next": "next",
    "coming": "next",
}
_RELATIVE_DAYS = {"yesterday": "past", "today": "this", "tonight": "this", "tomorrow": "next"}
_CALENDAR = {"week", "month", "year", "decade", "century", "season", "weekend", "quarter", "day"}


def _relative_dates(doc) -> set[tuple[str, str, str]]:
    """Dates told relative to the report: (direction, unit, text) — "last week" (past, week),
    "earlier this month" (this, month), "tomorrow" (next, day). "The next year", "the
    previous day" are told relative to a time the text itself names ("married in 2012; their
    son was born the next year"), not to the report, so they are left out."""
    out = set()
    for e in doc.ents:
        if e.label_ not in ("DATE", "TIME"):
            continue
        for t in e:
            if t.lower_ in _RELATIVE_DAYS:
                out.add((_RELATIVE_DAYS[t.lower_], "day", e.text))
            elif _low(t) in _CALENDAR:
                mods = [c.lower_ for c in t.children if c.lower_ in _RELATIVE]
                anaphoric = any(c.lower_ == "the" for c in t.children) and bool(
                    {"next", "previous"} & set(mods)
                )
                if mods and not anaphoric:
                    out.add((_RELATIVE[mods[0]], _low(t), e.text))
    return out


_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
    )
}


def _ordinal(token) -> int | None:
    low = token.lower_
    if low in _ORDINALS:
        return _ORDINALS[low]
    m = re.fullmatch(r"(\d+)(st|nd|rd|th)", low)
    return int(m.group(1)) if m else None


def _ordinal_findings(claim, pdocs) -> list[Finding]:
    """The same thing numbered otherwise: "the first week" where the passage has "the second
    week", "the first pole-sitter to win" where it has "the 21st pole-sitter to win"."""
    theirs: dict[str, set[int]] = {}
    for d in pdocs:
        for t in d:
            n = _ordinal(t)
            if n is not None and t.dep_ == "amod":
                theirs.setdefault(_low(t.head), set()).add(n)
    mine: dict[str, set[int]] = {}
    for t in claim:
        n = _ordinal(t)
        if n is not None and t.dep_ == "amod":
            mine.setdefault(_low(t.head), set()).add(n)
    for t in claim:
        n = _ordinal(t)
        if n is None or t.dep_ != "amod":
            continue
        rivals = theirs.get(_low(t.head), set())
        # one numbered thing on each side ("the fourth season" among seasons 2 and 5 may be
        # another season)
        if len(rivals) == 1 and len(mine[_low(t.head)]) == 1 and n not in rivals:
            return [
                Finding(
                    "number",
                    f"calls it the {t.text} {t.head.text}, where the passage numbers it "
                    f"{', '.join(str(x) for x in sorted(rivals))}",
                    True,
                    (t.text,),
                )
            ]
    return []


# A web address's host ("music.avclub.com", "https://www.theverge.com/…")
_HOST = re.compile(r"\b(?:https?://)?((?:[A-Za-z0-9-]+\.)+(?:com|org|net|co\.uk|co|uk|io|news))\b")


def _web_names(name: str) -> set[str]:
    """A name as a web address may spell it: letters and digits, lower case, with or without
    "the" ("The A.V. Club" → "avclub", "The Verge" → "theverge")."""
    bare = re.sub(r"^the\s+", "", name.lower())
    return {re.sub(r"[^a-z0-9]", "", x) for x in (name.lower(), bare)}


def _entity_findings(claim, pdocs, sources: str = "") -> list[Finding]:
    """A name of the sentence that the passage does not have: a contradiction where the
    passage names another of the same kind (another person, place, organisation)."""
    out: list[Finding] = []
    texts = [sources, *(d.text for d in pdocs)]
    p_names = [_low(t) for d in pdocs for t in d if t.is_alpha]
    # also the words as written: a footnote mark glued to a name ("in Ukraine.[27]") makes
    # one token of both, and the name would look absent
    p_names += [w.lower() for text in texts for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text)]
    p_initials = {_initials(span) for d in pdocs for span in _phrases(d)}
    # abbreviations with or without stops ("US", "U.S"), and initials of the passage's phrases
    p_written = {
        w.replace(".", "").lower()
        for text in texts
        for w in re.findall(r"\b(?:[A-Z]\.?){2,}", text)
    }
    p_abbrevs = p_initials | p_written
    p_hosts = {
        label
        for text in texts
        for host in _HOST.findall(text)
        for label in host.lower().split(".")
        if len(label) >= 4
    }
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
        if key in seen or any(
            same_name(key, p) or same_name(tok.lower_, p) or spelled_alike(key, p) for p in p_names
        ):
            continue  # by its lemma or as written (the tagger may read "Jets" as "jet")
        if _dotted(tok.text) and tok.text.replace(".", "").lower() in p_abbrevs:
            continue  # "U.S." ~ "US", "U.S" or "the United States"
        if key in _REGION_WORDS and _named_region(tok, p_names):
            continue  # "Kharkiv Oblast" for the passage's "Kharkiv": the region it lies in
        if tok.text.isupper() and len(tok.text) >= 2 and tok.text.lower() in p_initials:
            continue  # SEC ~ Securities and Exchange Commission
        if _spelled_out(tok, p_written):
            continue  # "National Music Publishers Association" for the passage's "NMPA"
        if _qualified_name(tok, texts):
            continue  # "the U.S. Supreme Court" for the passage's "the Supreme Court"
        if _body_word_of(tok, p_names, pdocs):
            continue  # "Rogers Communications Inc." for the passage's "Rogers"
        if _called_short(tok, pdocs):
            continue  # "Jonathan Smith" for the passage's "Smith guided Oregon State"
        name = _name_span(tok)
        if p_hosts and _web_names(name) & p_hosts:
            continue  # "The A.V. Club" for the page's own address, music.avclub.com
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


def _qualified_name(tok, texts: list[str]) -> bool:
    """A word that only qualifies a name the passage gives in full: the rest of the name (two
    capitalised words or more, "National Film Registry", "Supreme Court", "Election Day") stands
    in the passage as a name of its own — after "the", a lower-case word or nothing, not after
    another capitalised word ("the Missouri Supreme Court", "the Republican National Committee"
    are other bodies)."""
    span = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if span is None or len(span) < 3:
        return False
    for k in range(tok.i - span.start + 1, len(span) - 1):
        rest = span[k:]
        if (
            not all(t.text[:1].isupper() for t in rest if t.is_alpha)
            or sum(t.is_alpha for t in rest) < 2
        ):
            continue
        pattern = re.compile(
            r"(?<![\w.])" + r"\s+".join(re.escape(t.text) for t in rest) + r"(?!\w)"
        )
        for text in texts:
            for m in pattern.finditer(text):
                before = re.search(r"([\w.'’-]+)\W*$", text[: m.start()])
                word = before.group(1) if before else ""
                if not word or word.lower() in ("the", "a", "an") or not word[:1].isupper():
                    return True
    return False


# Words that make a place name the name of the region around it ("Kharkiv Oblast", "Shizuoka
# Prefecture", "Kent County"); not "City", which names a smaller place ("Mexico City").
_REGION_WORDS = frozenset(
    "oblast prefecture province county region district governorate raion krai state "
    "territory canton voivodeship".split()
)


def _named_region(tok, p_names: list[str]) -> bool:
    """A region word of a place name whose other words the passage has: the sentence names
    the region around the place the passage names, which the passage's place lies in."""
    for e in tok.doc.ents:
        if e.start <= tok.i < e.end and e.label_ in ("GPE", "LOC", "FAC"):
            rest = [t for t in e if t.i != tok.i and t.is_alpha and not t.is_stop]
            return bool(rest) and all(any(same_name(_low(t), p) for p in p_names) for t in rest)
    return False


def spelled_alike(a: str, b: str) -> bool:
    """One name spelt with a single or a doubled letter ("Paterson" / "Patterson",
    "Mathew" / "Matthew")."""
    if a == b or min(len(a), len(b)) < 5:
        return False
    return re.sub(r"(.)\1", r"\1", a) == re.sub(r"(.)\1", r"\1", b)


def _phrases(doc):
    """Named entities and noun phrases: what an acronym may stand for."""
    yield from doc.ents
    yield from doc.noun_chunks


def _spelled_out(tok, written: set[str]) -> bool:
    """A word of a name of several words whose initials the passage writes as an abbreviation
    ("Portfolio Management Services" / "PMS")."""
    span = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if span is None or sum(t.is_alpha and not t.is_stop for t in span) < 2:
        return False
    return _initials(span) in written


def _initials(span) -> str:
    """ "Securities and Exchange Commission" → "sec"; "artificial intelligence" → "ai"."""
    return "".join(t.text[0] for t in span if t.is_alpha and not t.is_stop).lower()


def _body_word_of(tok, p_names: list[str], pdocs) -> bool:
    """A suffix or a word for a kind of body ("Communications", "Inc.") in a name whose other
    words the passage has, not as a person's name: the same body, named in full."""
    if _low(tok).strip(".") not in _NOT_CALLED:
        return False
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if ent is None:
        return False
    rest = [t for t in ent if t.i != tok.i and t.is_alpha and _low(t).strip(".") not in _NOT_CALLED]
    if not rest or not all(_low(t) in p_names or t.lower_ in p_names for t in rest):
        return False
    people = {t.lower_ for d in pdocs for t in d if t.ent_type_ == "PERSON"}
    return not any(t.lower_ in people for t in rest)


def _name_run(tok) -> list:
    """The words of the name ``tok`` is part of: its entity, or the run of capitalised proper
    nouns around it."""
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if ent is not None and ent.label_ in _NAME_LABELS:
        return [t for t in ent if t.is_alpha]

    def named(t) -> bool:
        return t.pos_ == "PROPN" and t.is_alpha and t.text[:1].isupper()

    if not named(tok):
        return [tok]
    start, end = tok.i, tok.i
    while start > 0 and named(tok.doc[start - 1]):
        start -= 1
    while end + 1 < len(tok.doc) and named(tok.doc[end + 1]):
        end += 1
    return list(tok.doc[start : end + 1])


def _called_short(tok, pdocs) -> bool:
    """A word of a name given in full ("Jonathan Smith", "Manchester United") whose last word
    the passage uses alone as a name ("Smith guided …") — news text calls a person, a team or
    a company by that word after the first mention. Not when the passage also gives that word
    in a longer name that is not the sentence's ("Sheffield United", "Ted Rogers"): its short
    form may be that one."""
    run = _name_run(tok)
    if len(run) < 2 or tok.i == run[-1].i:
        return False
    full = [t.lower_ for t in run]
    last = run[-1].text
    alone = False
    for d in pdocs:
        for t in d:
            if t.text != last:
                continue
            theirs = [x.lower_ for x in _name_run(t)]
            if theirs == [last.lower()] and (t.pos_ == "PROPN" or t.ent_type_ in _NAME_LABELS):
                alone = True
            elif theirs != full and theirs[-len(full) :] != full:
                return False  # another name ending in the same word
    return alone


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
        if tok.ent_type_ in ("DATE", "TIME") or (tok.i > 0 and _not_only(tok.nbor(-1))):
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
            and not _SCOPE_SAME.get(low, set()) & p_words
            and not comparative
            and not (low in ("only", "sole") and any(_ALL_BUT_ONE.search(d.text) for d in pdocs))
        ):
            if low == "never" and any(f.kind == "negation" for f in found):
                continue
            out.append(
                Finding("scope", f"adds '{tok.text}', which the passage does not say", False)
            )
        elif (
            tok.ent_type_ == "ORDINAL"
            and low not in p_words
            and tok.is_alpha
            and not _first_in_span(tok, pdocs)
        ):
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
    if not out:
        out += _restriction_findings(claim, pdocs)
    return out


_SPAN_UNITS = {"year", "month", "week", "day", "decade", "century"}


def _first_in_span(tok, pdocs) -> bool:
    """ "Her first stage appearance in 13 years": 'first … in/for <span of time>' counts the
    time since the last one, not a rank — it adds nothing when the passage gives the span
    ("it's been 13 years since I was on a stage")."""
    if tok.lower_ != "first" or tok.dep_ != "amod":
        return False
    for prep in tok.head.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "for"):
            continue
        span = [x for x in prep.subtree if x is not prep]
        units = {_low(x) for x in span} & _SPAN_UNITS
        if not units or not all(x.ent_type_ in ("DATE", "TIME") or x.is_punct for x in span):
            continue
        counts = {x.lower_ for x in span if x.like_num}
        for d in pdocs:
            p_lemmas = {_low(x) for x in d}
            if units & p_lemmas and counts <= {x.lower_ for x in d}:
                return True
    return False


# Words that make a scope word's noun one of many ("one of several absences", "many suppliers").
_MANY = {"several", "many", "multiple", "various", "numerous", "other"}
_ALL_WORDS = {"all", "every", "each", "entire", "whole", "none"}
_ONLY_WORDS = {"only", "sole", "single", "lone"}
# Subordinators that make a clause a condition of its head ("if", "unless", "only after").
_CONDITIONS = {"if", "unless", "provided", "providing"}
# Quantities that take part of a whole ("three of the banks", "most of the staff").
_PARTS = {"some", "many", "most", "few", "several", "half", "majority", "minority"}
# Prepositions that set the field a "first" or "only" is counted in ("in Europe", "since 2009").
_DOMAIN_PREPS = {"in", "since", "among", "within", "outside", "across"}


def _restriction_findings(claim, pdocs) -> list[Finding]:
    """A statement's scope widened without an added scope word: a restriction of 'the first' /
    'the only' dropped ("the first carmaker in Europe" → "the first carmaker"), a condition
    dropped ("will return if …" → "will return"), a part taken for the whole ("three of the
    five banks" → "the five banks"), 'all' moved to another noun, 'the only X' made one of
    several or given company ("recruit only volunteers" → "volunteers and conscripts")."""
    c_lemmas = _lemmas(claim)
    c_words = _words(claim)
    for d in pdocs:
        p_lemmas = _lemmas(d)
        for t in d:
            low = t.lower_
            # a restriction of "the first/last/only/…est": "in Europe", "since 2009" — where
            # the sentence's word describes a noun too, the same one as the passage's ("finished
            # first" is a placing, not "the first champion in 2006")
            if (
                (low in ("first", "last") or low in _ONLY_WORDS or t.tag_ == "JJS")
                and low in c_words
                and _describes(t)
                and any(
                    x.lower_ == low
                    and _describes(x)
                    and (t.dep_ != "amod" or x.dep_ != "amod" or _low(x.head) == _low(t.head))
                    for x in claim
                )
            ):
                for node in (t, t.head) if t.dep_ == "amod" else (t,):
                    for prep in node.children:
                        if prep.dep_ != "prep" or prep.lower_ not in _DOMAIN_PREPS:
                            continue
                        dated = all(
                            x.ent_type_ in ("DATE", "TIME") for x in prep.subtree if x is not prep
                        )
                        if dated and prep.lower_ != "since":
                            continue  # "the highest in 2014": a time, not the field
                        words = {
                            _low(x)
                            for x in prep.subtree
                            if x is not prep and (x.is_alpha or x.like_num) and not x.is_stop
                        }
                        if words and not words & c_lemmas:
                            return [
                                Finding(
                                    "scope",
                                    f"says '{t.text}' without the passage's '{_clause(prep)}'",
                                    False,
                                )
                            ]
            # a condition of a predicate the sentence states without it
            if t.dep_ == "advcl" and any(
                c.dep_ == "mark" and (c.lower_ in _CONDITIONS or _only_before(c))
                for c in t.children
            ):
                head = _low(t.head)
                cond = {
                    _low(x) for x in t.subtree if x.is_alpha and not x.is_stop and x.pos_ != "AUX"
                }
                if head in c_lemmas and cond and not cond & c_lemmas:
                    return [
                        Finding(
                            "scope",
                            f"states '{t.head.text}' without the passage's condition "
                            f"('{_clause(t)}')",
                            False,
                        )
                    ]
            # a part of a whole: "three of the five banks"
            if (
                t.dep_ == "pobj"
                and t.head.lower_ == "of"
                and (t.head.head.like_num or _low(t.head.head) in _PARTS)
                and t.pos_ in ("NOUN", "PROPN")
            ):
                part = t.head.head
                mine = [x for x in claim if _low(x) == _low(t) and x.tag_ in ("NNS", "NNPS")]
                if (
                    mine
                    and all(not (x.dep_ == "pobj" and x.head.lower_ == "of") for x in mine)
                    and any(_names_whole(x, t) for x in mine)
                    and not {_low(part), part.lower_} & c_words
                ):
                    return [
                        Finding(
                            "scope",
                            f"speaks of all {t.text} where the passage says '{part.text} of' them",
                            False,
                        )
                    ]
            # 'the only X' made one of many, or given company
            if low in _ONLY_WORDS and t.dep_ in ("amod", "advmod") and t.head.pos_ == "NOUN":
                noun = _low(t.head)
                for x in claim:
                    if _low(x) != noun:
                        continue
                    many = any(
                        c.lower_ in _MANY and c.dep_ in ("amod", "det") for c in x.children
                    ) or (x.dep_ == "pobj" and x.head.lower_ == "of")
                    added = [c for c in x.children if c.dep_ == "conj" and _low(c) not in p_lemmas]
                    if (many or added) and low not in c_words:
                        what = f"adds '{added[0].text}' to" if added else "makes one of several"
                        return [
                            Finding(
                                "scope",
                                f"{what} what the passage calls the {low} {t.head.text}",
                                True,
                            )
                        ]
    return (
        _all_moved(claim, pdocs) or _dropped_domain(claim, pdocs) or _dropped_relative(claim, pdocs)
    )


# Prepositions that may narrow a statement down to a group, a kind of place or a recurring time
# ("among patients over 65", "for first-time buyers", "in rural areas", "on weekends").
_DOMAIN_OF = {"among", "for", "to", "in", "across", "within", "outside", "on", "at", "during"}
# Nouns for groups of people a statement may be narrowed to ("for students", "in children").
_GROUPS = {
    "people",
    "person",
    "child",
    "children",
    "adult",
    "woman",
    "man",
    "girl",
    "boy",
    "teenager",
    "infant",
    "baby",
    "youth",
    "senior",
    "pensioner",
    "retiree",
    "veteran",
    "patient",
    "student",
    "pupil",
    "resident",
    "citizen",
    "immigrant",
    "migrant",
    "refugee",
    "family",
    "household",
    "parent",
    "mother",
    "father",
    "couple",
    "tenant",
    "renter",
    "homeowner",
    "buyer",
    "borrower",
    "saver",
    "investor",
    "customer",
    "consumer",
    "user",
    "subscriber",
    "passenger",
    "driver",
    "commuter",
    "worker",
    "employee",
    "employer",
    "member",
    "voter",
    "taxpayer",
    "smoker",
    "firm",
    "business",
    "company",
    "farmer",
    "graduate",
    "applicant",
    "holder",
    "owner",
    "visitor",
    "tourist",
    "player",
    "athlete",
}
# Times that recur: a statement about them is not about every day ("on weekends", "at night").
_RECURRING = {
    "weekend",
    "weekday",
    "night",
    "evening",
    "morning",
    "afternoon",
    "holiday",
    "rush",
    "peak",
    "nighttime",
    "overnight",
} | {d + "s" for d in _WEEKDAYS}
_AGE_PREPS = {"over", "under", "above", "below", "aged", "between"}


def _domain(prep) -> str:
    """What a prepositional phrase narrows a statement to — 'a group', 'a kind of place', 'a
    recurring time' — or '' when it only dates or places one event ("on Tuesday", "in
    Boston", "for repairs")."""
    objs = [c for c in prep.children if c.dep_ == "pobj"]
    if not objs or prep.lower_ not in _DOMAIN_OF:
        return ""
    obj = objs[0]
    low, plural = _low(obj), obj.tag_ in ("NNS", "NNPS")
    if obj.pos_ not in ("NOUN", "PROPN") or low in ("other", "others", "thing"):
        return ""
    if any(c.lower_ in ("other", "others") for c in obj.children):
        return ""  # "among other measures": an aside
    recurring = low in _RECURRING or obj.lower_ in _RECURRING
    if recurring and prep.lower_ in ("on", "at", "during", "in", "over"):
        return "a recurring time"
    if obj.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "FAC", "ORG", "PERSON"):
        return ""
    if prep.lower_ == "among":
        return "a group"
    if any(c.dep_ in ("det", "poss") for c in obj.children):
        return ""  # "in its warehouses", "for the residents": those, not a kind
    if plural and low in _GROUPS and prep.lower_ in ("for", "to", "in", "across", "within"):
        return "a group"
    described = any(c.dep_ in ("amod", "compound") and not c.like_num for c in obj.children)
    if (
        plural
        and described
        and prep.lower_ in ("in", "across", "within", "outside")
        and low not in _TIME_UNITS
    ):
        return "a kind of place"
    return ""


def _clause_pred(token):
    """The predicate of the clause a word belongs to: up through nouns, adjectives and
    prepositions to a verb or a copula."""
    node = token
    for _ in range(5):
        if node.pos_ in ("VERB", "AUX") or node.dep_ == "ROOT" or node.head == node:
            return node
        node = node.head
    return node


def _general(pred) -> bool:
    """Does the clause state something a narrowed scope changes the truth of: a figure, a
    comparison, a state or a habit (present tense, "can")? Not a single past event
    ("police arrested protesters in several cities")."""
    words = list(pred.subtree)
    if any(t.tag_ in ("JJR", "RBR", "JJS", "RBS") for t in words):
        return True
    if set(_senses(pred)) & {"rise", "fall", "quicken", "slow", "improve", "deteriorate"}:
        return True  # a measure that changed ("speeds doubled")
    # a rate, a change, a share — not a count of what the event made ("cut 500 jobs in its
    # retail stores" still cut 500 jobs)
    if any(
        t.like_num
        and not (
            t.dep_ == "nummod"
            and t.head.dep_ in ("dobj", "nsubj", "nsubjpass", "attr")
            and t.head.ent_type_ not in ("PERCENT", "MONEY")
        )
        for t in words
    ):
        return True
    if _low(pred) == "be":
        return True
    # a habit or a state ("trains run every hour", "the law applies to landlords"), not the
    # existence of something ("he holds a workshop on Mondays" still holds a workshop)
    if any(c.dep_ == "dobj" for c in pred.children):
        return False
    return pred.tag_ in ("VBZ", "VBP") or any(
        c.tag_ == "MD" and c.lower_ in ("can", "ca") for c in pred.children
    )


def _dropped_relative(claim, pdocs) -> list[Finding]:
    """A kind of people or things narrowed by a restrictive relative clause or participle
    ("drivers who exceed the limit", "patients taking the drug") that the sentence, otherwise
    the same, speaks of as a whole ("drivers will lose their licence"). Not a clause set off
    by commas, which only adds a detail ("the workers, who had struck, returned")."""
    c_lemmas = _lemmas(claim)
    for d in pdocs:
        for rel in d:
            noun = rel.head
            if rel.dep_ not in ("relcl", "acl") or noun.tag_ not in ("NNS", "NNPS"):
                continue
            if rel.dep_ == "acl" and rel.tag_ not in ("VBG", "VBN"):
                continue
            if any(
                c.dep_ in ("det", "poss") and c.lower_ not in _ALL_WORDS | {"any"}
                for c in noun.children
            ):
                continue  # "the workers who …": those workers, not a kind
            if any(
                c.dep_ == "nummod" or c.lower_ in _SOME | _MANY | {"more", "fewer", "less"}
                for c in noun.children
            ):
                continue  # "two races left", "more games involving …": a count, not a kind
            start = rel.left_edge.i
            if start > 0 and d[start - 1].is_punct:
                continue  # set off by a comma: a detail, not a restriction
            if _low(noun) not in c_lemmas or rel.i < noun.i:
                continue
            inside = {t.i for t in rel.subtree}
            words = {
                _low(t)
                for t in rel.subtree
                if (t.is_alpha or t.like_num) and not t.is_stop and t.pos_ != "AUX"
            }
            if not words or words & c_lemmas:
                continue
            pred = _clause_pred(noun)
            # a kind as the subject says something of the kind ("drivers who … will lose");
            # as an object of an event, only which ones it touched ("arrested protesters who …")
            if noun.dep_ not in ("nsubj", "nsubjpass") and not _general(pred):
                continue
            rest = {
                _low(t)
                for t in pred.subtree
                if t.i not in inside
                and t.is_alpha
                and not t.is_stop
                and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")
            }
            if len(rest & c_lemmas) < max(2, len(rest) * 2 // 3):
                continue
            span = d[noun.left_edge.i : min(rel.right_edge.i + 1, noun.left_edge.i + 12)]
            return [
                Finding(
                    "scope",
                    f"speaks of all {noun.text} where the passage says only '{span.text}'",
                    False,
                )
            ]
    return []


def _dropped_domain(claim, pdocs) -> list[Finding]:
    """The passage narrows a statement to a group, a kind of place or a recurring time, or an
    age ("among patients over 65", "for first-time buyers", "in rural areas", "on
    weekends", "children under 12"), and the sentence, otherwise the same, states it of
    everyone, everywhere, always."""
    c_lemmas = _lemmas(claim)
    for d in pdocs:
        for prep in d:
            if prep.dep_ != "prep":
                continue
            what = _domain(prep)
            age = (
                prep.lower_ in _AGE_PREPS
                and prep.i > 0
                and d[prep.i - 1].tag_ == "NNS"
                and _low(d[prep.i - 1]) in _GROUPS
                and any(t.like_num for t in prep.subtree)
            )
            if not what and not age:
                continue
            inside = {t.i for t in prep.subtree}
            words = {
                _low(t)
                for t in prep.subtree
                if t is not prep and (t.is_alpha or t.like_num) and not t.is_stop
            }
            if age:
                what = f"{d[prep.i - 1].text} {_clause(prep)}"
                if _low(d[prep.i - 1]) not in c_lemmas or words & c_lemmas:
                    continue
            elif not words or words & c_lemmas:
                continue
            pred = _clause_pred(prep.head)
            if not age and not _general(pred):
                continue  # a single past event: where or for whom is a detail
            rest = {
                _low(t)
                for t in pred.subtree
                if t.i not in inside
                and t.is_alpha
                and not t.is_stop
                and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM")
            }
            if (prep.head.is_alpha and _low(prep.head) not in c_lemmas) or len(
                rest & c_lemmas
            ) < max(2, len(rest) * 2 // 3):
                continue
            span = d[prep.left_edge.i : min(prep.right_edge.i + 1, prep.left_edge.i + 12)]
            phrase = what if age else f"'{span.text}'"
            return [
                Finding(
                    "scope",
                    f"states it in general where the passage says it only of {phrase}"
                    if age
                    else f"states it in general where the passage narrows it to {what} ({phrase})",
                    False,
                )
            ]
    return []


# Determiners that themselves take a part ("certain roads", "various members").
_SOME = _PARTS | {"certain", "various", "numerous", "particular"}
_RESTRICTING = ("compound", "prep", "relcl", "acl", "nmod", "appos")


def _restriction(noun) -> set[str]:
    """Content words that narrow a noun down: "discoveries of the fossil plant", "the banks
    in Ohio" (not its adjectives, which the parse also gives to a verb it misreads, nor its
    conjuncts)."""
    return {
        _low(x)
        for c in noun.children
        if c.dep_ in _RESTRICTING
        for x in c.subtree
        if (x.is_alpha or x.like_num) and not x.is_stop
    }


def _names_whole(mine, whole) -> bool:
    """Does the sentence's plural noun speak of the whole set the passage takes a part of?
    Not when it takes a part itself ("certain roads" for "some of the roads") or narrows the
    noun by words the passage's noun lacks ("discoveries of the fossil plant" is another set
    than "the most important discoveries")."""
    if any(c.lower_ in _SOME for c in mine.children if c.dep_ in ("det", "amod")):
        return False
    kids = list(mine.children)
    if any(c.dep_ == "nummod" for c in kids) and not any(c.dep_ in ("det", "poss") for c in kids):
        return False  # "netted 19 yards" counts some; "the five largest banks" is the set
    return _restriction(mine) <= _restriction(whole)


def _describes(token) -> bool:
    """Does a word describe a noun ("the first carmaker", "the first since 2009")?"""
    return token.dep_ == "amod" or any(c.lower_ == "the" for c in token.children)


def _only_before(mark) -> bool:
    """ "only after", "only when", "only once": a condition, not a time."""
    return mark.lower_ in ("after", "when", "once", "until") and any(
        c.lower_ == "only" for c in mark.head.children
    )


def _all_moved(claim, pdocs) -> list[Finding]:
    """ "All business leaders agree" where the passage's "all" is about another noun ("all
    businesses' success", with 94 percent of the leaders)."""
    for tok in claim:
        if tok.lower_ not in _ALL_WORDS:
            continue
        mine = _scope_noun(tok)
        theirs = [_scope_noun(t) for d in pdocs for t in d if t.lower_ == tok.lower_]
        p_lemmas = set().union(*(_lemmas(d) for d in pdocs))
        if theirs and mine not in theirs and mine in p_lemmas:
            return [
                Finding(
                    "scope",
                    f"says '{tok.text}' of '{mine}', where the passage says it of '{theirs[0]}'",
                    False,
                )
            ]
    return []


def _scope_noun(tok) -> str:
    """The noun a scope word quantifies: its head, or "all of X" → X."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return _low(objs[0])
    return _low(tok.head)


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


# Verbs that report what someone said ("officials said", "critics argued", "the union warned").
_SAYING = {
    "say",
    "tell",
    "state",
    "add",
    "argue",
    "warn",
    "write",
    "note",
    "conclude",
    "caution",
    "complain",
    "accord",
    "according",
}
# Verbs that keep a judgement someone's ("officials called the plan unworkable").
_CALLING = {"call", "describe", "deem", "label", "brand", "dub", "view", "consider", "find"}
# Modal verbs that make a clause a judgement or a forecast, not a reported event ("would hurt",
# "should resign", "must be scrapped"); "may/might/could" are hedges already.
_JUDGING_MODALS = {"would", "should", "must", "ought", "will", "'ll", "wo"}
# Adjectives that state a fact about a state of things, not a judgement ("the road is closed").
_STATE_ADJECTIVES = {
    "open",
    "closed",
    "shut",
    "dead",
    "alive",
    "available",
    "unavailable",
    "free",
    "empty",
    "full",
    "due",
    "present",
    "absent",
    "able",
    "unable",
    "eligible",
    "ineligible",
    "married",
    "single",
    "pregnant",
    "injured",
    "missing",
    "unchanged",
    "aware",
    "unaware",
    "ready",
    "busy",
    "new",
    "old",
    "former",
    "final",
    "official",
    "public",
    "private",
    "local",
    "national",
    "international",
}
# Meaning groups whose "will …" is a forecast ("prices will rise", "the talks will fail"), not
# a plan the speaker announces ("the bridge will reopen on Monday").
_FORECAST_SENSES = {
    "rise",
    "fall",
    "worsen",
    "calm",
    "win",
    "lose",
    "lead",
    "trail",
    "progress",
    "founder",
    "quicken",
    "slow",
    "improve",
    "deteriorate",
    "meet",
    "miss",
    "help",
    "harm",
}


# Bodies that act and announce their acts ("the company will cut jobs, its chief said").
_AGENTS = {
    "company",
    "firm",
    "group",
    "government",
    "ministry",
    "department",
    "agency",
    "council",
    "city",
    "state",
    "board",
    "bank",
    "regulator",
    "authority",
    "administration",
    "court",
    "party",
    "union",
    "club",
    "team",
    "school",
    "university",
    "hospital",
    "police",
    "army",
    "operator",
    "airline",
    "retailer",
    "carmaker",
    "manufacturer",
    "maker",
    "lender",
    "insurer",
    "developer",
    "organisation",
    "organization",
    "committee",
    "parliament",
    "congress",
    "senate",
}


def _own_plan(clause, speaker) -> bool:
    """ "The company will cut 500 jobs, it said": the speaker announces its own act."""
    subj = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj:
        return False
    if subj[0].pos_ == "PRON" or subj[0].ent_type_ in ("ORG", "PERSON", "GPE", "NORP"):
        return True
    if _low(subj[0]) in _AGENTS:
        return True  # an organisation's own act, whoever speaks for it
    if speaker is None:
        return False
    said_by = {_low(t) for c in speaker.children if c.dep_ == "nsubj" for t in c.subtree}
    return _low(subj[0]) in said_by


def _judgement(clause, speaker=None) -> str:
    """What makes a reported clause a judgement or forecast rather than a reported event: an
    evaluative adjective after "be" ("is unworkable"), "would/should/must" ("would hurt small
    farms"), or "will" with a change no one announces ("prices will rise") — '' if none."""
    words = list(clause.subtree)
    if any(t.like_num or t.ent_type_ in ("MONEY", "PERCENT", "QUANTITY") for t in words):
        return ""  # a figure: a reported fact, however phrased
    for aux in clause.children:
        if aux.dep_ != "aux" or aux.tag_ != "MD" or aux.lower_ not in _JUDGING_MODALS:
            continue
        if any(c.dep_ == "neg" for c in clause.children) and aux.lower_ in ("will", "'ll", "wo"):
            continue
        # "will", and "would" after a past "said" (what was "will" when it was said)
        future = aux.lower_ in ("will", "'ll", "wo") or (
            aux.lower_ == "would" and speaker is not None and speaker.tag_ == "VBD"
        )
        if (
            future
            and _low(clause) != "be"  # "would be a waste": a judgement however it is dated
            and (not set(_senses(clause)) & _FORECAST_SENSES or _own_plan(clause, speaker))
        ):
            continue
        what = [c for c in clause.children if c.dep_ in ("attr", "acomp")]
        tail = f" {' '.join(t.text for t in what[0].subtree)}" if what else ""
        return f"{aux.text} {_shown(clause)}{tail}"
    if _low(clause) in ("be", "become", "remain", "seem", "look", "prove"):
        for c in clause.children:
            if (
                c.dep_ == "acomp"
                and c.pos_ == "ADJ"
                and c.tag_ in ("JJ",)
                and _low(c) not in _STATE_ADJECTIVES
                and not c.ent_type_  # "is Canadian": a nationality, not a judgement
                and not any(g.dep_ == "xcomp" for g in c.children)
            ):
                return f"{clause.text} {c.text}"
    return ""


def _reported_clauses(doc) -> list[tuple[object, object]]:
    """(the saying word, the clause it reports): "X said (that) …", "…, X said",
    "…, X warned", "according to X, …"."""
    out = []
    for t in doc:
        if _low(t) not in _SAYING and t.lower_ != "according":
            continue
        comp = [c for c in t.children if c.dep_ == "ccomp"]
        if comp and t.pos_ == "VERB":
            out.append((t, comp[0]))
        elif t.head != t and (
            (t.lower_ == "according" and t.dep_ in ("prep", "advcl")) or t.dep_ == "parataxis"
        ):
            out.append((t, t.head))
    return out


def _judgement_findings(claim, pdocs) -> list[Finding]:
    """The sentence states as fact a judgement or forecast the passage reports as someone's
    ("The plan is unworkable" for "The plan is unworkable, officials said"). A plain event a
    news report attributes ("the bridge will reopen on Monday, officials said") may be told
    without its source; an opinion may not."""
    if _hedges(claim) or any(
        (_low(t) in ATTRIBUTION | _CALLING and t.pos_ == "VERB") or t.lower_ == "according"
        for t in claim
    ):
        return []
    c_lemmas = _lemmas(claim)
    for d in pdocs:
        for marker, clause in _reported_clauses(d):
            said = [t for t in marker.subtree if t.i not in {x.i for x in clause.subtree}]
            if marker.head == clause:  # "…, officials said": the marker hangs on the clause
                said = [t for t in marker.subtree]
            what = _judgement(clause, marker)
            if not what:
                continue
            inside = {t.i for t in said}
            scope = {
                _low(t)
                for t in clause.subtree
                if t.i not in inside
                and (t.is_alpha or t.like_num)
                and not t.is_stop
                and t.pos_ not in ("AUX", "ADP", "DET")
            }
            key = {_low(w) for w in clause.children if w.dep_ == "acomp"} or {_low(clause)}
            if not key <= c_lemmas or len(scope & c_lemmas) < max(1, (len(scope) + 1) // 2):
                continue
            who = " ".join(t.text for t in said if not t.is_punct)
            why = f"states as fact a judgement the passage attributes ('{what}' — '{who}')"
            return [Finding("attribution", why, False)]
    return []


# Words that vouch for a statement ("will definitely run"): the sentence's own certainty.
_CERTAINTY = {
    "definitely",
    "certainly",
    "surely",
    "undoubtedly",
    "unquestionably",
    "undeniably",
    "indisputably",
    "assuredly",
    "guaranteed",
}


def _certainty_findings(claim, pdocs) -> list[Finding]:
    """The sentence vouches for what the passage only states or reports ("will definitely
    run" for "will run, the operator said"): a certainty the passage does not give."""
    p_words = {t.lower_ for d in pdocs for t in d}
    for t in claim:
        if t.lower_ in _CERTAINTY and t.lower_ not in p_words and not _negated(t.head):
            why = f"adds a certainty the passage does not give ('{t.text}')"
            return [Finding("hedge", why, False, (t.text,))]
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


# -- when the cited article appeared

# Verbs and nouns by which a sentence says what an article reported ("TechCrunch, on 6 November
# 2023, reported …", "in a November 6 article, the Verge …").
_REPORTING_VERBS = {
    "say", "state", "report", "write", "publish", "note", "claim", "suggest", "indicate",
    "reveal", "mention", "detail", "highlight", "argue", "explain", "announce", "describe",
    "discuss", "cover", "post", "add", "assert", "emphasize", "emphasise", "point",
}  # fmt: skip
_REPORT_NOUNS = {
    "article", "report", "piece", "story", "post", "column", "editorial", "feature",
    "coverage", "update", "reporting", "publication",
}  # fmt: skip


def source_label(sentence: str, outlets: list[str], published: list[str]) -> str:
    """``sentence`` without a leading label naming a cited article — "Fortune, 2023-10-18: …",
    "The Verge (2023-12-18): …", "TechCrunch: …", the heading under which the passages are
    laid out for the model — when the label's outlet is one of the cited passages' ``outlets``
    and its date (if it gives one) is the publication date (ISO) of one of them. Such a label
    says who reported the rest and when; the rest is what the passage must say. A label that
    names another outlet or another date stays, and is checked as words of the sentence."""
    m = _LABEL.match(sentence)
    if not m:
        return sentence
    named = {o.strip().lower() for o in outlets if o and o.strip()}
    dates = {p[:10] for p in published if p}
    if m["outlet"].strip().lower() not in named or (m["date"] and m["date"] not in dates):
        return sentence
    rest = m["rest"].strip()
    return rest[:1].upper() + rest[1:]


# "Outlet, 2023-10-18: …", "Outlet (2023-10-18): …", "Outlet: …"
_LABEL = re.compile(
    r"^\s*(?P<outlet>[^:\n]{2,80}?)\s*(?:,\s*|\(\s*)?(?P<date>\d{4}-\d{2}-\d{2})?\s*\)?\s*:\s+"
    r"(?P<rest>\S.*)$",
    re.S,
)


def report_dates(sentence: str, published: list[str], outlets: str = "") -> str:
    """``sentence`` without the dates it gives for when a cited article appeared, where each
    such date agrees with the publication date (ISO ``YYYY-MM-DD…``) of one of the cited
    articles. A passage's text does not carry its article's date — the metadata does — so
    "TechCrunch, on November 6, 2023, reported that …" is checked here against the article's
    date and the rest against the passage. The date must be attached to an article noun, or
    to a reporting verb whose subject is an article or one of the cited ``outlets`` (text
    naming them) — "the company said on 6 November" is not the article's date. A date that
    matches no cited article's date stays in the sentence and is checked as before."""
    dates = {p[:10] for p in published if re.match(r"\d{4}-\d{2}-\d{2}", p or "")}
    if not dates:
        return sentence
    doc = parse_many([sentence])[0]
    cuts: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "DATE" or not _reports(ent.root, outlets.lower()):
            continue
        if not any(_same_date(ent.text, d) for d in dates):
            continue
        start, end = ent.start_char, ent.end_char
        head = ent.root.head
        if head.dep_ == "prep" and head.i == ent.start - 1 and ent.root.dep_ == "pobj":
            start = head.idx  # "on November 6, 2023" goes as a whole
        cuts.append((start, end))
    if not cuts:
        return sentence
    text = sentence
    for start, end in sorted(cuts, reverse=True):
        text = text[:start] + text[end:]
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ,")


def _reports(token, outlets: str) -> bool:
    """Is this date about when an article reported: does it attach (through at most a
    preposition) to an article noun, to the outlet reporting, or to a reporting verb whose
    subject is one of those?"""
    head = token.head
    if head.dep_ == "prep" or head.pos_ == "ADP":
        head = head.head
    if head.pos_ in ("VERB", "AUX"):
        lemma = head.lemma_.lower()
        subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
        if lemma == "publish" and head.dep_ == "acl":  # "an article published on …"
            return _is_report(head.head, outlets)
        return (lemma in _REPORTING_VERBS or lemma == "publish") and any(
            _is_report(s, outlets) for s in subjects
        )
    return _is_report(head, outlets) and (
        head.lemma_.lower() in _REPORT_NOUNS
        or (head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_.lower() in _REPORTING_VERBS)
    )


def _is_report(token, outlets: str) -> bool:
    """An article noun, or a name of one of the cited outlets."""
    if token.lemma_.lower() in _REPORT_NOUNS:
        return True
    parts = [t for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"]
    name = " ".join(t.text for t in [*parts, token]).lower()
    return bool(name) and name in outlets


def _same_date(text: str, iso: str) -> bool:
    """Every part the date text names (year, month, day of month) agrees with ``iso``; it
    must name at least the month or the year."""
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    low = text.lower()
    years = [int(y) for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", low)]
    months = [_MONTHS.index(_MONTH_OF[w]) + 1 for w in re.findall(r"[a-z]+", low) if w in _MONTH_OF]
    rest = re.sub(r"\b(1[89]\d\d|20\d\d)\b", " ", low)
    days = [int(d) for d in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", rest)]
    if not years and not months:
        return False
    return (
        all(y == year for y in years)
        and all(m == month for m in months)
        and all(d == day for d in days)
    )


# -- who reported: an outlet is the teller of its passage, not a doer in it

# Verbs by which an outlet's article tells or judges something ("The Verge suggests …",
# "TechCrunch accuses Google of …", "Polygon recommends …" of a gift guide), beyond the plain
# reporting verbs — what a publication does with its text, not a stance in the debate it
# reports ("advocates", "urges", "calls for" are the people it quotes).
_TELLING = {
    "imply", "quote", "cite", "find", "conclude", "accuse", "criticise", "criticize",
    "recommend", "advise", "praise", "rate", "rank", "review", "predict", "consider", "list",
    "pick", "portray", "depict", "characterise", "characterize", "examine", "explore",
    "analyse", "analyze", "question",
}  # fmt: skip
_TELLER_VERBS = _REPORTING_VERBS | _TELLING | {"publish", "allege", "tell", "insist", "show"}


def _outlet_role_findings(claim, pdocs, outlets: tuple[str, ...]) -> list[Finding]:
    """A cited passage's outlet that the sentence names as doing what the passage tells
    ("Music Business Worldwide advocates for regulations" for a passage in which a trade body
    does): the outlet's name is allowed in a sentence only as the teller — the subject of a
    reporting verb, "according to …", "the … article", "reported by …" — unless the passages
    themselves name it."""
    p_text = " ".join(d.text for d in pdocs).lower()
    out: list[Finding] = []
    for outlet in dict.fromkeys(outlets):
        name = _bare_outlet(outlet)
        if len(name) < 2 or _mention(name).search(p_text):
            continue
        for span in _outlet_spans(claim, name):
            if _tells(span.root):
                continue
            head = span.root.head
            why = (
                f"says {outlet} itself {head.text} — the outlet only published the passage "
                f"(its report may be cited: '{outlet} reported that …')"
            )
            out.append(Finding("actor", why, False, tuple(name.split())))
            break
    return out


def _bare_outlet(outlet: str) -> str:
    """An outlet's name as a sentence may give it: lower case, without a leading "The"."""
    return re.sub(r"^the\s+", "", (outlet or "").strip(), flags=re.I).lower()


def _mention(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _outlet_spans(claim, name: str) -> Iterator:
    """The spans of ``claim`` that name the outlet ``name`` (as :func:`_bare_outlet` gives it)."""
    for m in _mention(name).finditer(claim.text.lower()):
        span = claim.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None:
            yield span


def _first_conjunct(token):
    """The first of names joined by "and" ("Polygon" in "Polygon and Engadget"): it holds
    their place in the sentence."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def _tells(token) -> bool:
    """Is this outlet mention the teller of a report: the subject of a reporting verb, after
    "according to", or attached to an article noun or to a reporting verb ("the TechCrunch
    article", "the article from The Verge", "reported by Fortune")? Names joined by "and"
    share their first's place ("Polygon and Engadget articles")."""
    node = _first_conjunct(token)
    head = node.head
    inverted = not any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children)
    if _low(head) in _TELLER_VERBS and (node.dep_ != "dobj" or inverted):
        return True  # its subject; also "…, reported the Gazette", parsed as its object
    if node.dep_ in ("nsubj", "nsubjpass"):
        return _low(head) in _REPORT_NOUNS
    if node.dep_ in ("compound", "poss", "nmod", "amod", "npadvmod"):
        return _low(head) in _REPORT_NOUNS or (
            head.dep_ in ("nsubj", "nsubjpass") and _low(head.head) in _TELLER_VERBS
        )
    if node.dep_ == "pobj" and head.dep_ in ("prep", "agent", "dative"):
        governor = head.head
        if head.lower_ == "to" and governor.lower_ == "according":
            return True
        return _low(governor) in _REPORT_NOUNS or _low(governor) in _TELLER_VERBS
    return False


def telling_words(claim, outlets: tuple[str, ...] = ()) -> set[int]:
    """Token indices of the words by which a sentence says who told it — a cited outlet named
    as the teller, "The Verge article", "the report from Fortune", "according to the
    article", and a plain reporting verb whose teller is a cited outlet or an article
    ("TechCrunch reported …", "the article describes …"): attribution, checked against the
    cited passages' outlets, not words the passage itself must contain. A verb that takes a
    side or judges ("accuses", "praises") is not plain telling and stays a word of the
    sentence."""
    tellers: list = []
    skip: set[int] = set()
    for outlet in dict.fromkeys(o for o in outlets if o):
        name = _bare_outlet(outlet)
        if len(name) < 2:
            continue
        for span in _outlet_spans(claim, name):
            if _tells(span.root):
                tellers.append(span.root)
                skip.update(t.i for t in span)
    for t in claim:
        if _low(t) not in _REPORT_NOUNS or t.pos_ != "NOUN":
            continue
        told = t.dep_ in ("nsubj", "nsubjpass") and _low(t.head) in _TELLER_VERBS
        told = told or any(t.i in (x.head.i, x.head.head.i) for x in tellers)
        prep = t.head if t.dep_ == "pobj" else None
        if prep is not None and prep.lower_ == "to" and prep.head.lower_ == "according":
            told = True  # "according to the article"
        elif prep is not None and prep.lower_ == "in" and prep.head.pos_ in ("VERB", "AUX"):
            told = True  # "in the article, …" — not "a rise in reports of crime"
        if told:
            skip.add(t.i)
            tellers.append(t)
    for t in tellers:
        node = _first_conjunct(t)
        verb = node.head
        if node.dep_ in ("nsubj", "nsubjpass") and _low(verb) in _REPORTING_VERBS | {"publish"}:
            skip.add(verb.i)
    return skip
