"""Follow-up questions: a question that refers back ("Who said it would close?", "And the
Courier?") is rewritten into a standalone question from the conversation's previous turns.

Rules only, no model: pronouns and demonstratives (it, that, this, they, them, he, she, …)
are replaced by what they refer to — the previous question's main noun phrase (spaCy noun
chunks and entities), a person named in the previous answer for he/she, the outlets the
previous answer cites for "they said/reported"; an elliptical question without a verb ("And
the Courier?", "What about February 2025?") re-asks the previous question with the new outlet,
date or subject in place. :class:`Conversation` keeps the turns for you.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .question import match_outlets
from .records import Answer, StreamEvent

if TYPE_CHECKING:  # pragma: no cover
    from .api import Assistant

_NEUTER = {"it", "its", "that", "this"}
_PLURAL = {"they", "them", "their", "these", "those"}
_PERSONAL = {"he", "she", "him", "her", "his", "hers"}
_POSSESSIVE = {"its", "their", "his"}
_WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
_SAYING = {
    "say",
    "report",
    "tell",
    "announce",
    "write",
    "claim",
    "state",
    "note",
    "confirm",
    "publish",
    "cover",
    "add",
    "mention",
}
_EVENT_VERBS = {"happen", "occur", "start", "begin", "end", "finish", "last", "take"}
# Verb → the noun that names its event ("the bridge closes" → "the bridge closure").
_NOMINAL = {
    "close": "closure",
    "shut": "closure",
    "announce": "announcement",
    "decide": "decision",
    "approve": "approval",
    "repair": "repairs",
    "cut": "cut",
    "strike": "strike",
    "raise": "increase",
    "rise": "rise",
    "increase": "increase",
    "walk": "walkout",
    "open": "opening",
    "reopen": "reopening",
    "divert": "diversion",
    "propose": "proposal",
}
_LEADING = re.compile(r"^\s*(?:and|also|so|but|ok(?:ay)?|then)\b[\s,]*", re.IGNORECASE)
_ELLIPSIS_HEAD = re.compile(r"^\s*(?:and|also|what about|how about)\b[\s,]*", re.IGNORECASE)

History = Iterable["tuple[str, Answer | None] | Answer | str"]


@dataclass(frozen=True)
class Rewrite:
    """A follow-up and its standalone form; ``resolved`` lists (what was said, what it means)."""

    question: str
    standalone: str
    resolved: tuple[tuple[str, str], ...] = ()
    rule: str = ""  # "pronoun" | "ellipsis" | "model" | "" (unchanged)
    unresolved: tuple[str, ...] = ()  # words that refer back but that no rule could resolve

    @property
    def changed(self) -> bool:
        return self.standalone != self.question


def previous_turns(history) -> list[tuple[str, Answer | None]]:
    """History as ``(standalone question, answer or None)`` pairs, oldest first. Accepts a
    :class:`Conversation`, ``(question, Answer)`` pairs, answers or plain questions."""
    if history is None:
        return []
    if isinstance(history, Conversation):
        history = history.turns
    out: list[tuple[str, Answer | None]] = []
    for item in history:
        if isinstance(item, Answer):
            question, answer = item.question, item
        elif isinstance(item, str):
            question, answer = item, None
        else:
            question, answer = item[0], item[1]
        if answer is not None and getattr(answer, "rewritten_question", ""):
            question = answer.rewritten_question
        if question and question.strip():
            out.append((" ".join(question.split()), answer))
    return out


def rewrite_followup(question: str, history, outlets: Iterable[str] = ()) -> Rewrite:
    """The standalone form of ``question`` given the conversation so far (unchanged when it
    does not refer back, or when there is nothing to refer to)."""
    from .nlp import parse

    q = " ".join((question or "").split())
    turns = previous_turns(history)
    if not q or not turns:
        return Rewrite(q, q)
    outlets = list(outlets)
    prev_q, prev_answer = turns[-1]
    doc = parse(q)
    if _elliptical(doc):
        return _ellipsis(q, prev_q, outlets)
    edits: list[tuple[int, int, str]] = []
    resolved: list[tuple[str, str]] = []
    unresolved: list[str] = []
    own = _own_antecedents(doc, outlets)
    for tok in doc:
        low = tok.lower_
        if low not in _NEUTER | _PLURAL | _PERSONAL or tok.dep_ == "expl":
            continue
        demonstrative = tok.pos_ == "DET" and low in ("that", "this", "these", "those")
        if tok.pos_ != "PRON" and not demonstrative and tok.tag_ != "PRP$":
            continue
        clause = tok.dep_ == "mark" or (tok.head.i < tok.i and tok.head.pos_ == "NOUN")
        if low in ("that", "this") and tok.pos_ == "PRON" and clause:
            continue  # "that" introducing a clause, or a relative pronoun
        head = tok.head
        if (
            low == "it"
            and head.lemma_ == "be"
            and any(c.dep_ in ("ccomp", "xcomp", "csubj") for c in head.children)
        ):
            continue  # "Is it true that …": "it" stands for the clause, not for a thing
        if any(i < tok.i for i in own.get(_class(low), [])):
            continue  # the question names its own antecedent before the pronoun
        target = _antecedent(tok, prev_q, prev_answer, outlets)
        if not target:
            unresolved.append(tok.text)
            continue
        if demonstrative:  # "that closure" → "the Alder River Bridge closure"
            head = tok.head
            if head.i <= tok.i or head.pos_ not in ("NOUN", "PROPN"):
                continue
            phrase = target if head.lemma_.lower() in target.lower() else f"{target} {head.text}"
            edits.append((tok.idx, head.idx + len(head.text), phrase))
            resolved.append((doc[tok.i : head.i + 1].text, phrase))
            continue
        text = f"{target}'s" if low in _POSSESSIVE or tok.tag_ == "PRP$" else target
        edits.append((tok.idx, tok.idx + len(tok.text), text))
        resolved.append((tok.text, text))
    if not edits:
        return Rewrite(q, q, unresolved=tuple(unresolved))
    out = q
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    out = _capitalise(_LEADING.sub("", out))
    return Rewrite(q, out, tuple(resolved), "pronoun", tuple(unresolved))


# -- what a pronoun refers to
def _class(low: str) -> str:
    return "person" if low in _PERSONAL else "plural" if low in _PLURAL else "neuter"


def _own_antecedents(doc, outlets: list[str]) -> dict[str, list[int]]:
    """Token positions in the question itself that a pronoun after them could refer to."""
    spans = [(s, e) for _, s, e in match_outlets(doc.text, outlets)]
    found: dict[str, list[int]] = {"person": [], "neuter": [], "plural": []}
    for ent in doc.ents:
        if any(s < ent.end_char and ent.start_char < e for s, e in spans):
            continue
        if ent.label_ == "PERSON":
            found["person"].append(ent.start)
        elif ent.label_ not in ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY"):
            found["neuter"].append(ent.start)
    for chunk in doc.noun_chunks:
        root = chunk.root
        if any(s < chunk.end_char and chunk.start_char < e for s, e in spans):
            continue
        if root.pos_ == "PROPN" and root.ent_type_ not in ("DATE", "PERSON"):
            found["neuter"].append(chunk.start)
        if root.tag_ in ("NNS", "NNPS"):
            found["plural"].append(chunk.start)
    return found


def _antecedent(tok, prev_q: str, prev_answer: Answer | None, outlets: list[str]) -> str:
    low = tok.lower_
    if low in _PERSONAL:
        texts = [s.text for s in prev_answer.sentences] if prev_answer is not None else []
        return _first_person([*texts, prev_q])
    verb = tok.head if tok.dep_ in ("nsubj", "nsubjpass") else None
    if low in _PLURAL and verb is not None and verb.lemma_.lower() in _SAYING:
        who = _sayers(prev_q, prev_answer, outlets)
        if who:
            return who
    event_verb = verb is not None and verb.lemma_.lower() in _EVENT_VERBS
    if event_verb and low in _NEUTER:  # "When does it start?": the event the question named
        event = _event_phrase(prev_q)
        if event:
            return event
    number = True if low in _PLURAL else None
    phrase = _main_phrase(prev_q, outlets, plural=number)
    if not phrase and prev_answer is not None and prev_answer.sentences:
        phrase = _main_phrase(prev_answer.sentences[0].text, outlets, plural=number)
    reported = tok.dep_ == "dobj" and tok.head.lemma_.lower() in _SAYING
    if phrase and (event_verb or reported):
        event = _event_noun(prev_q)
        if event and event.lower() not in phrase.lower():
            phrase = f"{phrase} {event}"
    return phrase


def _first_person(texts: list[str]) -> str:
    from .nlp import parse_many

    for doc in parse_many([t for t in texts if t]):
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                return ent.text
    return ""


def _sayers(prev_q: str, prev_answer: Answer | None, outlets: list[str]) -> str:
    """Who "they" said or reported: the outlets the previous question names, else those the
    previous answer cites."""
    names = [o for o, _, _ in match_outlets(prev_q, outlets)]
    if not names and prev_answer is not None:
        names = [c.outlet for c in prev_answer.citations() if c.outlet]
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    shown = [n if n.lower().startswith("the ") else f"the {n}" for n in names[:3]]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _main_phrase(text: str, outlets: list[str], plural: bool | None = None) -> str:
    """The noun phrase a question is about: its subject or object, else a named thing, else the
    first noun phrase — never a wh-word, a pronoun, an outlet or a date; one of the pronoun's
    number first (``plural`` True for "they"/"them", False for "it", None for either)."""
    from .nlp import parse

    doc = parse(text)
    spans = [(s, e) for _, s, e in match_outlets(text, outlets)]
    chunks = []
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.lower_ in _WH or root.pos_ == "PRON" or root.ent_type_ in ("DATE", "TIME"):
            continue
        words = [root]  # the root and its nominal modifiers to the left, no wh-word or verb
        for t in reversed(chunk[: root.i - chunk.start]):
            nominal = t.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM", "PART")
            if t.lower_ in _WH or t.lower_ in ("many", "much", "few"):
                break
            if not (nominal or t.dep_ in ("compound", "amod", "poss")):
                break
            words.insert(0, t)
        if any(s < chunk.end_char and chunk.start_char < e for s, e in spans):
            # keep what is left once the outlet's own words are removed ("the Ledger report")
            words = [
                t for t in words if not any(s <= t.idx < e for s, e in spans) and t.pos_ != "DET"
            ]
            if not words or words[-1].i != root.i or root.pos_ == "PROPN":
                continue
            if root.lemma_.lower() in _SAYING:
                continue  # "the Ledger report" is the outlet's report, not the topic
        phrase = doc[words[0].i : words[-1].i + 1].text
        named = any(t.pos_ == "PROPN" or t.ent_type_ for t in words)
        core = root.dep_ in ("nsubj", "nsubjpass", "dobj")  # subject or object, not a modifier
        singular = root.tag_ not in ("NNS", "NNPS")
        mismatch = plural is not None and plural == singular
        chunks.append((mismatch, not core, not named, chunk.start, phrase))
    if not chunks:
        return ""
    return min(chunks)[-1]


def _event_phrase(text: str) -> str:
    """A noun phrase of ``text`` that names an event ("the strike", "the closure")."""
    from .nlp import parse

    events = set(_NOMINAL.values())
    for chunk in parse(text).noun_chunks:
        if chunk.root.lemma_.lower() in events:
            words = [t for t in chunk if t.lower_ not in _WH]
            if not words:
                continue
            phrase = chunk.doc[words[0].i : chunk.end].text
            return phrase if words[0].pos_ in ("DET", "PRON") else f"the {phrase}"
    return ""


def _event_noun(text: str) -> str:
    from .nlp import parse

    doc = parse(text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    verbs = [t for t in doc if t.pos_ == "VERB"] + ([root] if root is not None else [])
    for v in verbs:
        noun = _NOMINAL.get(v.lemma_.lower())
        if noun:
            return noun
    return ""


# -- elliptical follow-ups
def _elliptical(doc) -> bool:
    """A short question without a verb of its own ("And the Courier?", "What about 2024?")."""
    words = [t for t in doc if not t.is_punct]
    if not words or len(words) > 8:
        return False
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in words)
    headed = _ELLIPSIS_HEAD.match(doc.text) is not None
    return headed and not has_verb


def _ellipsis(q: str, prev_q: str, outlets: list[str]) -> Rewrite:
    from .nlp import parse

    fragment = _ELLIPSIS_HEAD.sub("", q).strip(" ?.!")
    if not fragment:
        return Rewrite(q, q, unresolved=(q,))
    new_outlets = match_outlets(fragment, outlets)
    base = prev_q.rstrip(" ?.!")
    if new_outlets:
        name = new_outlets[0][0]
        old = match_outlets(base, outlets)
        if old:
            out = base
            for _, s, e in reversed(old[:1]):
                out = out[:s] + re.sub(r"^the\s+", "", name, flags=re.IGNORECASE) + out[e:]
        else:
            shown = name if name.lower().startswith("the ") else f"the {name}"
            first = parse(base)[0]
            rest = base if first.pos_ == "PROPN" else base[:1].lower() + base[1:]
            out = f"According to {shown}, {rest}"
        return Rewrite(q, _capitalise(out) + "?", ((fragment, name),), "ellipsis")
    frag_doc = parse(fragment)
    frag_dates = [e.text for e in frag_doc.ents if e.label_ == "DATE"]
    if frag_dates:
        prev_dates = [e for e in parse(base).ents if e.label_ == "DATE"]
        if prev_dates:
            ent = prev_dates[0]
            out = base[: ent.start_char] + frag_dates[0] + base[ent.end_char :]
        else:
            out = f"{base} in {frag_dates[0]}"
        return Rewrite(q, _capitalise(out) + "?", ((fragment, frag_dates[0]),), "ellipsis")
    phrase = _main_phrase(base, outlets)
    if not phrase or phrase not in base:
        return Rewrite(q, q, unresolved=(fragment,))
    out = base.replace(phrase, fragment, 1)
    return Rewrite(q, _capitalise(out) + "?", ((fragment, phrase),), "ellipsis")


def rewrite_with_model(question: str, history, generator, rules: Rewrite | None = None) -> Rewrite:
    """The model's standalone form of a follow-up the rules could not resolve
    (prompts/rewrite.j2, a JSON schema with one field). Kept only if it differs from the
    follow-up and no longer contains the words the rules left unresolved; otherwise the
    follow-up is returned unchanged. ``generator``: any :class:`qa.llm.Generator`."""
    from .prompting import REWRITE_SCHEMA, rewrite_messages

    q = " ".join((question or "").split())
    turns = previous_turns(history)[-3:]
    if not q or not turns:
        return Rewrite(q, q)
    pairs = [(tq, a.text if a is not None and a.status == "answered" else "") for tq, a in turns]
    raw = "".join(generator.stream(rewrite_messages(q, pairs), REWRITE_SCHEMA, 120, 0.0))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return Rewrite(q, q)
    text = " ".join(str(data.get("question", "")).split()) if isinstance(data, dict) else ""
    left = rules.unresolved if rules is not None else ()
    still = [w for w in left if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]
    if not text or text.lower() == q.lower() or still:
        return Rewrite(q, q, unresolved=left)
    if not text.endswith(("?", ".")):
        text += "?"
    return Rewrite(q, _capitalise(text), rule="model")


def _capitalise(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


class Conversation:
    """A conversation with an :class:`Assistant` that remembers its turns, so follow-up
    questions are understood: ``Conversation(assistant).ask("And who else reported it?")``.

    Args:
        assistant: the assistant that answers.
        max_turns: how many past turns are kept (the newest).
    """

    def __init__(self, assistant: Assistant, max_turns: int = 10):
        self.assistant = assistant
        self.max_turns = max_turns
        self.turns: list[tuple[str, Answer]] = []

    def rewrite(self, question: str) -> Rewrite:
        """How the rules would understand ``question`` now (nothing is asked; the model's
        rewrite, used when the rules leave a reference unresolved, is in the answer)."""
        return rewrite_followup(question, self.turns, self.assistant.engine.known_outlets())

    def ask(self, question: str, **kwargs) -> Answer:
        answer = self.assistant.ask(question, history=self.turns, **kwargs)
        self._remember(question, answer)
        return answer

    def stream(self, question: str, **kwargs) -> Iterator[StreamEvent]:
        for event in self.assistant.stream(question, history=self.turns, **kwargs):
            if event.kind == "answer" and event.answer is not None:
                self._remember(question, event.answer)
            yield event

    def _remember(self, question: str, answer: Answer) -> None:
        self.turns.append((question, answer))
        del self.turns[: -self.max_turns]

    def clear(self) -> None:
        self.turns.clear()


__all__ = ["Conversation", "Rewrite", "previous_turns", "rewrite_followup", "rewrite_with_model"]
