"""The name a "who …?" or "which company …?" question asks for, and its check.

The model writes the name first (``answer_schema(name=True)``); it leads the answer
("Sam Bankman-Fried — …") only when

- it is a short name, not a refusal, and not a name the question itself gives;
- passages the model was given name it — every word of it in one passage, or for a person
  or team of several words its last word, capitalised, as news text repeats a name after
  the first mention ("Bankman-Fried", "the Vikings"); or the headline of a passage's article
  gives it in full ("Britney Spears and Kevin Federline: a timeline" for a passage that says
  "Kevin commends Britney …"), as an article names once whom it is about;
- and, when the question names outlets, passages of two of them name it (of the one, when
  it names one): "Who …, as reported by The Verge and TechCrunch?" is answered by a name both
  of their passages give, not by one article's.

Several names ("Which two public figures …?") must each be named so. The name shown is the
fullest form the passages give as an entity ("Altman" → "Sam Altman"). A name that fails
stays unsaid (``Named.name == ""``), with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .prompting import NAME_MAX_CHARS, output_field
from .question import QuestionAnalysis
from .records import Citation, Evidence, Named

_MAX_WORDS = 8
_JOINERS = re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+|\s*&\s*)")
_LOWER_OK = {"of", "the", "de", "van", "von", "da", "la", "le", "du", "del", "and", "for", "al"}
_REFUSALS = {"unknown", "none", "n/a", "na", "not stated", "not given", "no one", "nobody"}


def parse_name(raw: str) -> str:
    """The model's "name" from its JSON answer ("" when it gave none)."""
    return " ".join(output_field(raw, "name").split())[:NAME_MAX_CHARS]


def split_names(said: str) -> list[str]:
    """ "Taylor Swift and Travis Kelce" → both; a single name stays whole."""
    parts = [p.strip(" .;:'\"") for p in _JOINERS.split(said) if p.strip(" .;:'\"")]
    return parts or ([said] if said else [])


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[\w’'.-]+", name) if re.search(r"\w", w)]


def is_name(text: str) -> bool:
    """A name as a news text writes one: a few words, each capitalised or a digit-bearing
    token ("iPhone 15", "X"), apart from joining words ("Bank of America")."""
    words = _words(text)
    if not words or len(words) > _MAX_WORDS or text.lower() in _REFUSALS:
        return False
    content = [w for w in words if w.lower() not in _LOWER_OK]
    return bool(content) and all(
        w[:1].isupper() or w[1:2].isupper() or any(ch.isdigit() for ch in w) for w in content
    )


def mentions(name: str, text: str, surname: bool = True) -> bool:
    """Every word of ``name`` in ``text``; or (``surname``) a several-word name's last word,
    capitalised."""
    words = [w.strip("’'.") for w in _words(name) if w.lower() not in _LOWER_OK]
    words = [w for w in words if w]
    if not words:
        return False
    if all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE) for w in words):
        return True
    last = words[-1]
    return (
        surname
        and len(words) > 1
        and len(last) > 3
        and last[:1].isupper()
        and re.search(rf"(?<!\w){re.escape(last)}(?!\w)", text) is not None
    )


def _in_question(name: str, question: str) -> bool:
    words = [w.strip("’'.").lower() for w in _words(name) if w.lower() not in _LOWER_OK]
    q = question.lower()
    return bool(words) and all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", q) for w in words)


def _forms(texts: list[str], last: str):
    """Entities of the texts (persons, bodies, named things) of at most three words that end
    with the word ``last``, cleaned of "the" and a possessive: the longer forms of a name."""
    from .nlp import parse_many

    for doc in parse_many(texts):
        for ent in doc.ents:
            if ent.label_ not in _ENTITY_LABELS:
                continue
            text = re.sub(r"^the\s+", "", ent.text, flags=re.IGNORECASE)
            text = re.sub(r"['’]s$", "", text).strip()
            if (
                text.lower().endswith(" " + last.lower())
                and is_name(text)
                and len(_words(text)) <= 3
                and not re.search(r"['’]s\b", text)
                and not _joined(text)
            ):
                yield text


def _joined(text: str) -> bool:
    """Two names a headline joins with a hyphen ("Taylor Swift-Travis Kelce"): a hyphen
    before a capital inside a word that is neither the first nor the last."""
    words = _words(text)
    return any(re.search(r"-[A-Z]", w) for w in words[1:-1])


def bearers(name: str, texts: list[str]) -> set[str]:
    """The full names of several words the texts give as entities ending with ``name``'s last
    word ("Sam Altman", "Mark Altman" for "Altman")."""
    words = [w.strip("’'.") for w in _words(name) if w.lower() not in _LOWER_OK]
    if not words:
        return set()
    out = set(_forms(texts, words[-1]))
    # "CEO Sam Altman" and "Sam Altman" are one bearer: keep the forms no other one ends with
    return {b for b in out if not any(o != b and b.lower().endswith(" " + o.lower()) for o in out)}


def _other_bearers(name: str, passages: list[str]) -> bool:
    """Whether the passages give another full name with the same last word ("Travis Kelce"
    for "Jason Kelce"): then a bare "Kelce" may be the other one, and does not count."""
    words = [w.strip("’'.") for w in _words(name) if w.lower() not in _LOWER_OK]
    if len(words) < 2:
        return False
    full = " ".join(words).lower()
    return any(not full.endswith(b.lower()) for b in bearers(name, passages))


_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "FAC"}


def fullest_form(name: str, texts: list[str]) -> str:
    """The form of ``name`` the texts write most often as an entity with more words ending
    with it ("Altman" → "Sam Altman", as an article introduces a person before it shortens
    the name); ``name`` itself when none does."""
    counts: dict[str, int] = {}
    for text in _forms(texts, name):
        counts[text] = counts.get(text, 0) + 1
    if not counts:
        return name
    return max(counts, key=lambda t: (counts[t], len(t)))


def name_contexts(name: str, text: str, most: int = 6, width: int = 160) -> list[str]:
    """Short windows of a document's text around its mentions of ``name`` (every word of it,
    or its last word), where an article may give the name in full."""
    words = [w.strip("’'.") for w in _words(name) if w.lower() not in _LOWER_OK]
    if not words or not text:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(words[-1])}(?!\w)")
    out = []
    for m in pattern.finditer(text):
        out.append(text[max(0, m.start() - width) : m.end() + 8])
        if len(out) >= most:
            break
    return out


def _naming(name: str, e: Evidence, surname: bool) -> bool:
    """Whether the passage names ``name`` (:func:`mentions`), or its article's headline gives
    every word of it and the passage speaks of it: by a word of the name ("Kevin commends
    Britney", "Sam is one of …"), or naming no one else ("by the age of 16, she is …") — a
    round-up's headline ("Sam Altman backs teens' startup, Google unveils the Pixel 8") does
    not name what a passage about Bankman-Fried is about."""
    if mentions(name, e.text, surname):
        return True
    if not (e.title and mentions(name, e.title, False)):
        return False
    words = [w.strip("’'.") for w in _words(name) if w.lower() not in _LOWER_OK]
    if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", e.text) for w in words if w):
        return True
    from .nlp import parse_many

    return not any(t.pos_ == "PROPN" for t in parse_many([e.text])[0])


def decide_name(
    said: str,
    analysis: QuestionAnalysis,
    evidence: list[Evidence],
    cite: Callable[[Evidence], Citation],
    document_text: Callable[[str], str] | None = None,
    archive_texts: Callable[[str], list[str]] | None = None,
) -> Named:
    """The name to show for a question asking for one (see the module's rules);
    ``document_text`` (document id → its text) lets the fullest form come from the articles
    the naming passages belong to, not only from the passages; ``archive_texts`` (name → texts
    of the archive that mention it) is asked when those give no fuller form. A model's name
    whose first name no passage gives ("Mark Altman") stands for the one person of that
    surname the passages do name ("Sam Altman"), if there is exactly one."""
    out = Named(name="", said=said, asks_for=analysis.asks_for)
    if not said or not is_name(said):
        out.reason = "the model gave no name" if not said else f"“{said}” is not a name"
        return out
    names = split_names(said)
    if any(not is_name(n) for n in names):
        out.reason = f"“{said}” is not a name"
        return out
    given = [n for n in names if _in_question(n, analysis.question)]
    if given:
        out.reason = f"the question itself names {given[0]}"
        return out
    named_outlets = [o.lower() for o in analysis.outlets]
    need = min(2, len(named_outlets)) if named_outlets else 1
    cites: list[Evidence] = []
    outlets: set[str] = set()
    texts = [e.text for e in evidence]
    titled = texts + list(dict.fromkeys(e.title for e in evidence if e.title))
    grounded = []
    for name in names:
        if len(_words(name)) > 1 and not any(mentions(name, t, surname=False) for t in titled):
            others = bearers(name, titled)
            if len(others) == 1:
                name = next(iter(others))
        grounded.append(name)
    if grounded != names:
        out.reason = f"the model wrote {said}; the passages name {' and '.join(grounded)}. "
    names = grounded
    for name in names:
        surname = not _other_bearers(name, titled)
        naming = [e for e in sorted(evidence, key=lambda e: -e.score) if _naming(name, e, surname)]
        if not naming:
            out.reason += f"no passage names {name}"
            return out
        have = {e.outlet.lower() for e in naming if e.outlet}
        if named_outlets:
            hit = [o for o in named_outlets if o in have]
            if len(hit) < need:
                out.reason += (
                    f"{name} is named in passages of {len(hit)} of the outlets the question "
                    f"names ({need} needed)"
                )
                return out
            outlets.update(hit)
            firsts = [next(e for e in naming if e.outlet.lower() == o) for o in hit]
        else:
            firsts = naming[:1]
        cites += [e for e in firsts if e not in cites]
    full = []
    for n in names:
        sample = [e.text for e in evidence if mentions(n, e.text)]
        sample += [e.title for e in evidence if e.title and mentions(n, e.title)]
        if document_text is not None:
            for doc_id in dict.fromkeys(e.doc_id for e in evidence if mentions(n, e.text)):
                sample += name_contexts(n, document_text(doc_id))
        form = fullest_form(n, sample)
        if form == n and archive_texts is not None:
            form = fullest_form(n, archive_texts(n))
        full.append(form)
    out.name = " and ".join(full)
    out.citations = [cite(e) for e in cites]
    out.outlets = [e.outlet for e in cites if e.outlet and e.outlet.lower() in outlets] or [
        e.outlet for e in cites if e.outlet
    ]
    out.outlets = list(dict.fromkeys(out.outlets))
    where = " and ".join(out.outlets) if out.outlets else "the archive"
    headline = any(not any(mentions(n, e.text) for n in names) for e in cites)
    out.reason += f"passages of {where} name {out.name}" + (
        " (or their article's headline does)" if headline else ""
    )
    return out
