"""The aligned-substitution judge (qa/substitution.py): which phrase pairs it asks about, what
it does with the answers, and its caches — with a fake model; and, marked slow, with the
packaged model."""

from __future__ import annotations

import json

import pytest

from qa.nlp import parse_many
from qa.substitution import (
    AlignConfig,
    Substitution,
    SubstitutionJudge,
    VerdictCache,
    aligned_substitutions,
    llm_relation,
)
from tests.conftest import FakeGenerator

PASSAGE = (
    "Negotiations between the nurses' union and the hospital group resumed on Friday, "
    "a spokeswoman for the union said."
)
SWAPPED = (
    "Negotiations between the nurses' union and the hospital group stalled on Friday, "
    "a spokeswoman for the union said."
)


def _subs(sentence: str, passage: str, **cfg):
    claim, *pdocs = parse_many([sentence, passage])
    return aligned_substitutions(claim, pdocs, AlignConfig(**cfg) if cfg else None)


class Recorder:
    """A fake ``ask``: answers from a table of (sentence phrase, passage phrase), counts calls."""

    def __init__(self, table: dict[tuple[str, str], str], default: str = "same"):
        self.table = table
        self.default = default
        self.asked: list[Substitution] = []

    def __call__(self, sub: Substitution) -> str:
        self.asked.append(sub)
        return self.table.get((sub.claim, sub.passage), self.default)


def test_an_aligned_sentence_gives_its_one_changed_slot_with_context_and_heads():
    subs = _subs(SWAPPED, PASSAGE)
    assert [(s.claim, s.passage) for s in subs] == [("stalled", "resumed")]
    assert "___ on Friday" in subs[0].context and "stalled" not in subs[0].context
    assert "negotiation" in subs[0].heads


@pytest.mark.parametrize(
    "sentence",
    [
        # a free paraphrase: nothing lines up word for word
        "The union's talks with the hospital group started again on Friday, the union said.",
        # the same words: nothing substituted
        "Negotiations between the nurses' union and the hospital group resumed on Friday.",
        # a number and a name differ: the rules of qa.meaning compare those
        "Negotiations between the nurses' union and the hospital group resumed on Monday, "
        "a spokeswoman for the union said.",
        # only function words differ
        "Negotiations between the nurses' union and a hospital group resumed on Friday, "
        "a spokeswoman for the union said.",
    ],
)
def test_no_slot_to_ask_about(sentence):
    assert _subs(sentence, PASSAGE) == []


def test_a_word_moved_elsewhere_is_not_a_substitution():
    # "union" and "group" trade places: a role question for the role checks, not a synonym one
    sentence = (
        "Negotiations between the hospital group and the nurses' union resumed on Friday, "
        "a spokeswoman for the union said."
    )
    assert _subs(sentence, PASSAGE) == []


def test_long_slots_are_left_alone():
    sentence = (
        "Negotiations between the nurses' union and the hospital group were put on ice "
        "indefinitely on Friday, a spokeswoman for the union said."
    )
    assert _subs(sentence, PASSAGE, max_words=2) == []
    assert _subs(sentence, PASSAGE, max_words=6)


def test_verdicts_become_findings():
    ask = Recorder({("stalled", "resumed"): "opposite", ("broke off", "resumed"): "different"})
    judge = SubstitutionJudge(ask)
    (opposite,) = judge.findings(SWAPPED, [PASSAGE])
    assert opposite.contradiction and "stalled" in opposite.reason and "resumed" in opposite.reason
    other = SWAPPED.replace("stalled", "broke off")
    (different,) = judge.findings(other, [PASSAGE])
    assert not different.contradiction and different.kind == "substitution"
    same = SWAPPED.replace("stalled", "were revived")
    assert judge.findings(same, [PASSAGE]) == []  # the default answer is "same"
    assert len(ask.asked) == 3


def test_an_unusable_answer_rejects_nothing_and_is_not_cached(tmp_path):
    ask = Recorder({}, default="banana")
    judge = SubstitutionJudge(ask, VerdictCache(tmp_path / "v.jsonl"))
    assert judge.findings(SWAPPED, [PASSAGE]) == []
    assert judge.findings(SWAPPED, [PASSAGE]) == []
    assert len(ask.asked) == 2
    assert not (tmp_path / "v.jsonl").exists()


def test_verdicts_are_cached_in_memory_and_on_disk_per_model(tmp_path):
    path = tmp_path / "data" / "verdicts.jsonl"
    ask = Recorder({("stalled", "resumed"): "opposite"})
    first = SubstitutionJudge(ask, VerdictCache(path), model="m1")
    assert first.findings(SWAPPED, [PASSAGE])
    assert first.findings(SWAPPED, [PASSAGE])
    assert len(ask.asked) == 1 and first.stats()["cache_hits"] == 1
    rec = json.loads(path.read_text().splitlines()[0])
    assert rec["relation"] == "opposite" and "stalled" in rec["key"]
    # a new process (a new judge) reads the file instead of asking
    again = SubstitutionJudge(ask, VerdictCache(path), model="m1")
    assert again.findings(SWAPPED, [PASSAGE])[0].contradiction
    assert len(ask.asked) == 1
    # another model's verdicts are its own
    other = SubstitutionJudge(Recorder({}, default="same"), VerdictCache(path), model="m2")
    assert other.findings(SWAPPED, [PASSAGE]) == []


def test_the_cache_file_is_kept_to_its_limit(tmp_path):
    path = tmp_path / "v.jsonl"
    cache = VerdictCache(path, limit=10)
    for n in range(25):
        cache.put(f"k{n}", "same")
    lines = path.read_text().splitlines()
    assert len(lines) <= 10
    assert VerdictCache(path).get("k24") == "same"
    assert VerdictCache(path).get("k0") is None


def test_the_call_budget_leaves_further_slots_unjudged():
    ask = Recorder({}, default="opposite")
    judge = SubstitutionJudge(ask, max_calls=1)
    pairs = [(SWAPPED, [PASSAGE]), (SWAPPED.replace("stalled", "collapsed"), [PASSAGE])]
    first, second = judge.findings_many(pairs)
    assert first and second == [] and len(ask.asked) == 1


def test_the_prompt_asks_one_schema_constrained_question_with_the_fixed_part_first():
    gen = FakeGenerator(lambda messages: '{"relation": "opposite"}')
    ask = llm_relation(gen)
    (sub,) = _subs(SWAPPED, PASSAGE)
    assert ask(sub) == "opposite"
    other = Substitution("rose", "fell", "Prices ___ in May.", ())
    ask(other)
    first, second = (m[-1]["content"] for m in gen.history)
    shared = 0
    while first[shared] == second[shared]:
        shared += 1
    assert "stalled" in first[shared:] and "resumed" in first[shared:]
    assert shared > len(first) // 2  # the instructions come before the pair
    assert gen.history[0][0]["role"] == "system"
    assert llm_relation(FakeGenerator(lambda m: "not json"))(sub) == "unknown"


def test_the_checker_rejects_a_pair_the_judge_calls_opposite(fake_embedder):
    from qa.verify import SupportChecker

    checker = SupportChecker(fake_embedder.embed, threshold=0.0)
    checker.config = checker.config.__class__(threshold=0.0, min_coverage=0.0)
    before = checker.check(SWAPPED, [PASSAGE])
    assert before.supported, before.reasons
    checker.substitution = SubstitutionJudge(Recorder({("stalled", "resumed"): "opposite"}))
    after = checker.check(SWAPPED, [PASSAGE])
    assert not after.supported and after.contradicted
    assert any("stalled" in r for r in after.reasons)
    checker.substitution = SubstitutionJudge(Recorder({}, default="same"))
    assert checker.check(SWAPPED, [PASSAGE]).supported


# -- the packaged model (slow): the judge's answers on pairs written for this test


@pytest.fixture(scope="module")
def model_judge():
    from index.settings import load_settings
    from qa.llm import make_generator
    from qa.models import resolve_llm

    settings = load_settings()
    try:
        resolve_llm(settings)
    except Exception as exc:  # the packaged model is not installed
        pytest.skip(f"no packaged model: {exc}")
    return llm_relation(make_generator(settings))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("context", "a", "b", "expected"),
    [
        ("The ferry operator ___ the winter timetable on Monday.", "scrapped", "introduced", "no"),
        (
            "Unemployment in the region ___ to its lowest level in a decade.",
            "climbed",
            "sank",
            "no",
        ),
        ("The striker ___ the club after six seasons.", "quit", "joined", "no"),
        pytest.param(
            "Kyiv said its forces had ___ the village from Russian troops.",
            "taken back",
            "regained",
            "same",
            marks=pytest.mark.xfail(
                reason="the packaged 1.5B model calls most synonym pairs 'opposite' (why "
                "verify.substitution_judge is off by default); a stronger model or server "
                "should pass this",
                strict=False,
            ),
        ),
    ],
)
def test_the_packaged_model_judges_substitutions(model_judge, context, a, b, expected):
    relation = model_judge(Substitution(a, b, context, ()))
    if expected == "same":
        assert relation == "same"
    else:
        assert relation in ("opposite", "different")


# -- the rules added beside the judge (qa/meaning.py): seasons, multiples, added certainty


@pytest.mark.parametrize(
    ("sentence", "passage", "kind", "contradiction"),
    [
        (
            "The new terminal will open in the summer, the airport said.",
            "The new terminal will open in the winter, the airport said.",
            "date",
            True,
        ),
        (
            "Ticket prices at the zoo have doubled since the renovation.",
            "Ticket prices at the zoo have tripled since the renovation.",
            "number",
            True,
        ),
        (
            "The ferry now crosses half as often as before the strike.",
            "The ferry now crosses three times as often as before the strike.",
            "number",
            True,
        ),
        (
            "The library will certainly reopen in March.",
            "The library will reopen in March, the city said.",
            "hedge",
            False,
        ),
    ],
)
def test_rules_for_seasons_multiples_and_certainty(sentence, passage, kind, contradiction):
    from qa.meaning import compare

    findings = [f for f in compare(sentence, [passage]) if f.kind == kind]
    assert findings and findings[0].contradiction is contradiction, compare(sentence, [passage])


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        ("The new terminal will open in the fall.", "The new terminal will open in the autumn."),
        (
            "After the fall of the old government, exports doubled.",
            "After the fall of the old government, exports doubled within a year.",
        ),
        ("The ferry crosses twice as often now.", "The ferry now crosses twice as often."),
        ("The library will certainly reopen.", "The library will certainly reopen in March."),
    ],
)
def test_the_new_rules_accept_the_same_season_factor_and_certainty(sentence, passage):
    from qa.meaning import compare

    kinds = {f.kind for f in compare(sentence, [passage])}
    assert not kinds & {"date", "number", "hedge"}, compare(sentence, [passage])
