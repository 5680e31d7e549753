"""Prompt files (``prompts/``) rendered with Jinja ``StrictUndefined``, and the output schemas.

Passages are wrapped in ``<<`` ``>>`` and any such marks inside an article are neutralised, so
an article cannot close its own quotation and pose as instructions.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .records import Evidence

ABSTAIN_MESSAGE = "The archive does not contain an answer to this question."
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
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    return env.from_string(load_prompt(name)).render(**values).strip()


def quote_safe(text: str) -> str:
    return " ".join(text.replace("<<", "‹‹").replace(">>", "››").split())


def answer_messages(question: str, passages: list[Evidence], max_sentences: int) -> list[dict]:
    safe = [
        {"eid": p.eid, "outlet": p.outlet, "published": p.published, "text": quote_safe(p.text)}
        for p in passages
    ]
    return [
        {"role": "system", "content": load_prompt("system.txt").strip()},
        {
            "role": "user",
            "content": render(
                "answer.j2",
                passages=safe,
                question=" ".join(question.split()),
                max_sentences=max_sentences,
            ),
        },
    ]


def prefix_probe(max_sentences: int) -> list[dict]:
    """A prompt shaped like every answer prompt, to pre-compute their shared prefix."""
    blank = Evidence(0, "", "", "", "", 0, 0, "", 0.0, 0)
    return answer_messages("", [blank], max_sentences)


def answer_schema(eids: list[int], max_sentences: int) -> dict:
    """Sentences first (each names 1–3 evidence ids from the list, before its text), then the
    model's own view on whether the passages answered the question. Writing sentences first
    keeps a small model from giving up before it has looked at the evidence."""
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


def judge_messages(claim: str, passage: str) -> list[dict]:
    return [
        {"role": "system", "content": load_prompt("system.txt").strip()},
        {"role": "user", "content": render("judge.j2", claim=claim, passage=quote_safe(passage))},
    ]
