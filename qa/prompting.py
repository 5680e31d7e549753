"""Prompt files (``prompts/``) rendered with Jinja ``StrictUndefined``, and the output schemas.

Passages are wrapped in ``<<`` ``>>`` and any such marks inside an article are neutralised, so
an article cannot close its own quotation and pose as instructions.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from .records import Evidence

ABSTAIN_MESSAGE = "The archive does not contain an answer to this question."
UNSUPPORTED_MESSAGE = (
    "The archive holds related passages, but none of them answers this question in a way that "
    "could be checked."
)
EXTRACTIVE_MESSAGE = (
    "The model's answer could not be verified, so these are the most relevant passages, quoted."
)


@lru_cache(maxsize=16)
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` (package data, so an installed TwoSource finds it)."""
    try:
        return resources.files("prompts").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"prompt file prompts/{name} is missing") from None


def render(name: str, **values) -> str:
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    env = Environment(
        loader=FunctionLoader(load_prompt),  # {% include "passages.j2" %}
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    return env.from_string(load_prompt(name)).render(**values).strip()


def quote_safe(text: str) -> str:
    return " ".join(text.replace("<<", "‹‹").replace(">>", "››").split())


def answer_messages(
    question: str,
    passages: list[Evidence],
    max_sentences: int,
    verdict: bool = False,
    outlets: tuple[str, ...] = (),
    temporal: bool = False,
    asks_for: str = "",
    names_asked: int = 1,
) -> list[dict]:
    """The answer prompt. ``verdict``: a yes/no question — the model also gives a verdict
    (prompts/answer_verdict.j2; the passages come first in every prompt, so they share the
    cached prefix); ``outlets``: the outlets such a question names, one sentence each;
    ``temporal``: it compares dates, so each sentence gives its passage's date; ``asks_for``:
    a question asking for the name of a person, company, team … — the model names it first
    (prompts/answer_name.j2)."""
    safe = [{"eid": p.eid, "text": quote_safe(p.text)} for p in passages]
    values = {
        "passages": safe,
        "groups": passage_groups(passages),
        "question": " ".join(question.split()),
        "max_sentences": max_sentences,
    }
    if verdict:
        content = render("answer_verdict.j2", outlets=list(outlets), temporal=temporal, **values)
    elif asks_for:
        content = render("answer_name.j2", asks_for=asks_for, names_asked=names_asked, **values)
    else:
        content = render("answer.j2", **values)
    return [
        {"role": "system", "content": load_prompt("system.txt").strip()},
        {"role": "user", "content": content},
    ]


def passage_groups(passages: list[Evidence]) -> list[dict]:
    """Passages in their order, consecutive ones of one article under one heading (its outlet
    and date): a heading is ~20 tokens (a date alone is 10), and the passages of the best
    article usually come first, together — ~15 % of a typical prompt, evaluated before the
    first answer word."""
    groups: list[dict] = []
    last = None
    for p in passages:
        if not groups or p.doc_id != last:
            groups.append({"outlet": p.outlet, "published": p.published, "passages": []})
            last = p.doc_id
        groups[-1]["passages"].append({"eid": p.eid, "text": quote_safe(p.text)})
    return groups


def prefix_probe(max_sentences: int) -> list[dict]:
    """A prompt shaped like every answer prompt, to pre-compute their shared prefix: the
    system prompt and the answer instructions, which come before the passages
    (prompts/answer.j2) so that they are evaluated once, not with every question. Its one
    passage has id 1, the id of every prompt's first passage, which the instructions' example
    names."""
    blank = Evidence(1, "", "", "", "", 0, 0, "", 0.0, 0)
    return answer_messages("", [blank], max_sentences)


VERDICTS = ("yes", "no", "unclear")
NAME_MAX_CHARS = 80


def answer_schema(
    eids: list[int], max_sentences: int, verdict: bool = False, name: bool = False
) -> dict:
    """Sentences first (each names 1–3 evidence ids from the list: after its text in a plain
    answer, before it in a yes/no or name answer, whose sentences the ids anchor), then the
    model's own view on whether the passages answered the question. Writing sentences first
    keeps a small model from giving up before it has looked at the evidence. ``verdict``: a
    yes/no question — after its sentences the model says "yes", "no" or "unclear" (decided
    from the sentences it has just written; code shows it only if they pass the check).
    ``name``: a question asking for a name — the model writes it first ("name", a few words;
    code shows it only if the passages name it, see :mod:`qa.named`), then its sentences."""
    schema = _answer_schema(eids, max_sentences)
    if not (name or verdict):
        # a plain answer writes each sentence's text before its evidence ids: its first words
        # reach the reader ~10 decoding steps sooner (the ids are checked either way)
        item = schema["properties"]["sentences"]["items"]
        item["properties"] = {k: item["properties"][k] for k in ("text", "evidence")}
        item["required"] = ["text", "evidence"]
    if name:
        schema["properties"] = {
            "name": {"type": "string", "maxLength": NAME_MAX_CHARS},
            "sentences": schema["properties"]["sentences"],
        }
        schema["required"] = ["name", "sentences"]
    elif verdict:
        schema["properties"]["verdict"] = {"enum": list(VERDICTS)}
        schema["required"] = ["sentences", "verdict"]
        schema["properties"] = {k: schema["properties"][k] for k in ("sentences", "verdict")}
    return schema


def _answer_schema(eids: list[int], max_sentences: int) -> dict:
    return {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "maxItems": max_sentences,
                "items": {
                    "type": "object",
                    "properties": {
                        "evidence": {
                            "type": "array",
                            "items": {"type": "integer", "enum": eids},
                            "minItems": 1,
                            "maxItems": 3,
                        },
                        "text": {"type": "string", "maxLength": 400},
                    },
                    "required": ["evidence", "text"],
                },
            },
            "answerable": {"type": "boolean"},
        },
        "required": ["sentences", "answerable"],
    }


def output_field(raw: str, key: str) -> str:
    """A string field of the model's JSON answer ("verdict", "name"); "" when it is missing,
    not a string, or the output is not JSON."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return ""
    value = data.get(key, "") if isinstance(data, dict) else ""
    return value if isinstance(value, str) else ""


def sentences_done(raw: str) -> str | None:
    """A partial answer (JSON as the model writes it, in ``answer_schema``'s key order) that has
    closed its "sentences" array and begun the next key, closed there as a whole JSON object;
    None before that point.

    Without a verdict only "answerable" comes next, which decides nothing: sentences that
    pass the check are the answer whatever it says, and without sentences there is none
    either way. Stopping here saves its ~7 decoding steps; what the model wrote up to here is
    what it would have written anyway (same prompt, same grammar)."""
    head = raw.rstrip()
    if not head.endswith(","):
        return None
    closed = head[:-1] + "}"
    try:
        data = json.loads(closed)
    except ValueError:
        return None
    return closed if isinstance(data, dict) and isinstance(data.get("sentences"), list) else None


JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"enum": ["entailed", "contradicted", "not_enough_info"]}},
    "required": ["verdict"],
}


def judge_many_schema(n: int) -> dict:
    """Verdicts for ``n`` claim–passage pairs, in order."""
    verdict = {
        "type": "object",
        "properties": {"verdict": {"enum": ["entailed", "contradicted", "not_enough_info"]}},
        "required": ["verdict"],
    }
    return {
        "type": "object",
        "properties": {
            "verdicts": {"type": "array", "items": verdict, "minItems": n, "maxItems": n}
        },
        "required": ["verdicts"],
    }


def judge_many_messages(items: list[tuple[str, str]]) -> list[dict]:
    """One request that asks for a verdict on each (claim, passage) pair."""
    pairs = [{"claim": c, "passage": quote_safe(p)} for c, p in items]
    return [
        {"role": "system", "content": load_prompt("system.txt").strip()},
        {"role": "user", "content": render("judge_many.j2", items=pairs)},
    ]


REWRITE_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string", "maxLength": 400}},
    "required": ["question"],
}


def rewrite_messages(question: str, turns: list[tuple[str, str]]) -> list[dict]:
    """Ask the model for the standalone form of a follow-up (prompts/rewrite.j2); ``turns``
    are the previous (question, answer text) pairs, oldest first."""
    shown = [{"question": q, "answer": " ".join(a.split())[:600]} for q, a in turns]
    return [
        {
            "role": "system",
            "content": "You rewrite follow-up questions of a conversation into standalone "
            "questions. You never answer them.",
        },
        {
            "role": "user",
            "content": render("rewrite.j2", turns=shown, question=" ".join(question.split())),
        },
    ]


def judge_messages(claim: str, passage: str) -> list[dict]:
    return [
        {"role": "system", "content": load_prompt("system.txt").strip()},
        {"role": "user", "content": render("judge.j2", claim=claim, passage=quote_safe(passage))},
    ]
