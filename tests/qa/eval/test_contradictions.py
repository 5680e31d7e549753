"""The contradiction suite (eval/contradictions.jsonl) is well-formed, keeps no seed text, and
its report computes the right rates. No model is loaded: the checker here is a fake."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.eval.contradictions import (
    DEFAULT_SUITE,
    HELDOUT_SUITE,
    KINDS,
    PERTURBATIONS,
    SuiteError,
    SuitePair,
    evaluate_suite,
    load_suite,
    suite_markdown,
)

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"
SEED_DIR = Path(os.environ.get("TWOSOURCE_SEED_DIR") or SHARED / "corpus" / "seed-articles")
needs_seed = pytest.mark.skipif(not SEED_DIR.is_dir(), reason=f"no seed articles at {SEED_DIR}")
needs_eval = pytest.mark.skipif(not EVAL.is_dir(), reason=f"no external evaluation data at {EVAL}")

# The minimum number of items per kind the suite promises (hedges are rarer in news text).
MINIMUM = {
    "paraphrase": 60,
    "hedge_dropped": 15,
    **{k: 25 for k in PERTURBATIONS if k != "hedge_dropped"},
}


def records() -> list[dict]:
    return [json.loads(x) for x in DEFAULT_SUITE.read_text(encoding="utf-8").splitlines() if x]


def test_every_kind_present_with_its_minimum_and_labels_match_kinds():
    recs = records()
    counts = Counter(r["kind"] for r in recs)
    assert set(counts) == set(KINDS)
    for kind, minimum in MINIMUM.items():
        assert counts[kind] >= minimum, (kind, counts[kind])
    for r in recs:
        expected = "supported" if r["kind"] == "paraphrase" else "not_supported"
        assert r["label"] == expected, r["id"]
        assert r.get("note"), r["id"]


def test_ids_unique_and_sources_named():
    recs = records()
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))
    sets = Counter(r["source"]["set"] for r in recs)
    assert set(sets) == {"wice", "multihop_rag", "seed", "own"}
    for r in recs:
        src = r["source"]
        if src["set"] == "own":  # news-style pairs written for the suite
            assert set(src) == {"set", "topic"} and src["topic"], r["id"]
            assert r["passage"] and r["claim"] != r["passage"] and "edits" not in r, r["id"]
        elif src["set"] == "seed":
            assert set(src) == {"set", "file", "start", "end"}, r["id"]
            assert "passage" not in r and "claim" not in r and r["edits"], r["id"]
        else:
            assert src["file"] and r["passage"] and r["claim"] != r["passage"], r["id"]
            assert "edits" not in r, r["id"]
            if src["set"] == "wice":
                assert isinstance(src["line"], int) and isinstance(src["sentence"], int)
            else:
                assert src["query"] and isinstance(src["evidence"], int) and src["url"]


@needs_eval
def test_public_passages_are_quoted_verbatim_from_their_source():
    wice = (EVAL / "wice" / "claim_dev.jsonl").read_text(encoding="utf-8").splitlines()
    truth = json.loads((EVAL / "multihop_rag" / "ground_truth.json").read_text(encoding="utf-8"))
    for r in records():
        src = r["source"]
        if src["set"] == "wice":
            evidence = json.loads(wice[src["line"] - 1])["evidence"]
            assert evidence[src["sentence"]] == r["passage"], r["id"]
        elif src["set"] == "multihop_rag":
            fact = truth[src["query"]]["evidence_list"][src["evidence"]]
            assert fact["fact"] == r["passage"] and fact["url"] == src["url"], r["id"]


@needs_seed
def test_seed_items_resolve_and_every_edit_applies_once():
    pairs = load_suite(seed_dir=SEED_DIR)
    assert not pairs.skipped
    assert len(pairs) == len(records())
    seed = [p for p in pairs if p.set == "seed"]
    assert len({p.passage for p in seed}) >= 10
    for p in seed:
        # A sentence: one line, starts with a capital or digit, ends a sentence.
        assert "\n" not in p.passage and (p.passage[0].isupper() or p.passage[0].isdigit()), p.id
        assert p.passage[-1] in '.!?"”', p.id
        assert p.claim != p.passage, p.id


@needs_seed
def test_no_seed_sentence_text_in_the_suite_file():
    suite_text = DEFAULT_SUITE.read_text(encoding="utf-8")
    checked = 0
    for path in sorted(SEED_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for sentence in re.split(r"(?<=[.!?…])\s+|\n+", text):
            sentence = sentence.strip()
            if len(sentence) >= 40:
                checked += 1
                assert sentence not in suite_text, (path.name, sentence[:60])
    assert checked > 50


def test_seed_items_are_skipped_and_reported_without_the_seed_folder(tmp_path):
    with pytest.warns(UserWarning, match="seed items skipped"):
        pairs = load_suite(seed_dir=tmp_path / "absent")
    n_seed = sum(r["source"]["set"] == "seed" for r in records())
    assert len(pairs.skipped) == n_seed > 0
    assert all(p.set != "seed" for p in pairs)
    report = evaluate_suite(lambda claim, passages: True, pairs)
    assert report["skipped"] == pairs.skipped
    assert "skipped" in suite_markdown(report)


def _write(tmp_path: Path, *items: dict) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


SEED_TEXT = "Title\nPrices rose by 5% in March 2024.\n"
SENTENCE = "Prices rose by 5% in March 2024."
START = SEED_TEXT.index(SENTENCE)


def _seed_item(**over) -> dict:
    item = {
        "id": "s1",
        "kind": "antonym",
        "label": "not_supported",
        "source": {"set": "seed", "file": "a.txt", "start": START, "end": START + len(SENTENCE)},
        "edits": [["rose", "fell"]],
        "note": "rose -> fell",
    }
    return {**item, **over}


def test_seed_edits_are_applied_and_must_match_exactly_once(tmp_path):
    seeds = tmp_path / "seed"
    seeds.mkdir()
    (seeds / "a.txt").write_text(SEED_TEXT, encoding="utf-8")
    pairs = load_suite(_write(tmp_path, _seed_item()), seed_dir=seeds)
    assert pairs[0].passage == SENTENCE
    assert pairs[0].claim == "Prices fell by 5% in March 2024."
    assert pairs[0].source == f"seed article a.txt [{START}:{START + len(SENTENCE)}]"
    for edits in ([["risen", "fell"]], [["r", "x"]]):
        with pytest.raises(SuiteError, match="exactly once"):
            load_suite(_write(tmp_path, _seed_item(edits=edits)), seed_dir=seeds)
    bad_span = _seed_item(source={"set": "seed", "file": "a.txt", "start": 4, "end": 20})
    with pytest.raises(SuiteError, match="sentence-like"):
        load_suite(_write(tmp_path, bad_span), seed_dir=seeds)
    with pytest.raises(SuiteError, match="must be labelled not_supported"):
        load_suite(_write(tmp_path, _seed_item(label="supported")), seed_dir=seeds)
    with pytest.raises(SuiteError, match="duplicate id"):
        load_suite(_write(tmp_path, _seed_item(), _seed_item()), seed_dir=seeds)
    with pytest.raises(SuiteError, match="never seed text"):
        load_suite(_write(tmp_path, _seed_item(claim="x")), seed_dir=seeds)


def _pairs() -> list[SuitePair]:
    def pair(i, kind):
        label = "supported" if kind == "paraphrase" else "not_supported"
        return SuitePair(
            f"{kind}-{i}", kind, label, f"passage {i}", f"claim {kind} {i}", "test", "wice"
        )

    return [pair(i, k) for k in KINDS for i in range(4)]


def test_accept_everything_checker_gets_paraphrases_right_and_every_perturbation_wrong():
    report = evaluate_suite(
        lambda claim, passages: SimpleNamespace(supported=True, reasons=[]), _pairs()
    )
    assert report["kinds"]["paraphrase"]["rate"] == 1.0
    assert report["kinds"]["paraphrase"]["meets_target"] is True
    for kind in PERTURBATIONS:
        v = report["kinds"][kind]
        assert (v["n"], v["accepted"], v["rejected"], v["rate"]) == (4, 4, 0, 0.0)
        assert v["meets_target"] is False
    assert report["overall"]["paraphrase_accepted"] == 1.0
    assert report["overall"]["perturbations_rejected"] == 0.0
    assert report["overall"]["all_targets_met"] is False
    assert len(report["misses"]) == 4 * len(PERTURBATIONS)
    assert report["pairs"] == 4 * len(KINDS) and report["seconds_per_pair"] >= 0


def test_rates_reasons_and_markdown_for_a_partial_checker():
    # Rejects every claim whose number is even, with a reason; accepts the others.
    def check(claim, passages):
        assert passages and isinstance(passages, list)
        even = int(claim.split()[-1]) % 2 == 0
        return SimpleNamespace(supported=not even, reasons=["even"] if even else [])

    report = evaluate_suite(check, _pairs())
    assert report["kinds"]["paraphrase"]["rate"] == 0.5
    assert report["kinds"]["negation"]["rate"] == 0.5
    assert report["overall"]["accuracy"] == 0.5
    missed = {m["id"]: m for m in report["misses"]}
    assert missed["paraphrase-0"]["reasons"] == ["even"]
    assert missed["negation-1"]["reasons"] == [] and missed["negation-1"]["got"] == "supported"
    md = suite_markdown(report)
    assert md.splitlines()[0] == "| kind | pairs | target | rate |"
    assert "| paraphrase | 4 | ≥ 85% accepted | 50.0% (2/4 accepted) ✗ |" in md
    assert "| negation | 4 | ≥ 95% rejected | 50.0% (2/4 rejected) ✗ |" in md
    assert "`paraphrase-0`" in md and "even" in md


def test_a_rate_just_under_target_is_shown_as_a_miss():
    pairs = [p for p in _pairs() if p.kind == "number_swap"] * 5  # 20 pairs
    calls = iter(range(len(pairs)))
    report = evaluate_suite(lambda claim, passages: next(calls) == 0, pairs)  # 19/20 rejected
    assert report["kinds"]["number_swap"]["meets_target"] is True
    calls = iter(range(len(pairs) * 2))
    report = evaluate_suite(lambda claim, passages: next(calls) < 2, pairs * 2)  # 38/40
    assert report["kinds"]["number_swap"]["meets_target"] is True
    calls = iter(range(39))
    report = evaluate_suite(lambda claim, passages: next(calls) < 2, (pairs * 2)[:39])  # 37/39
    assert report["kinds"]["number_swap"]["meets_target"] is False
    assert "94.9% (37/39 rejected) ✗" in suite_markdown(report)


def test_a_plain_bool_verdict_is_accepted():
    report = evaluate_suite(lambda claim, passages: False, _pairs())
    assert report["kinds"]["paraphrase"]["rate"] == 0.0
    assert all(report["kinds"][k]["rate"] == 1.0 for k in PERTURBATIONS)


# Floors a little under the rates measured when the meaning checks landed (README, "How good
# and how fast"): a change that makes the real checker worse at any kind fails here.
FLOORS = {
    "paraphrase": 0.95,
    "negation": 0.95,
    "antonym": 0.93,
    "role_swap": 0.92,
    "number_swap": 0.95,
    "date_swap": 0.95,
    "entity_swap": 0.95,
    "hedge_dropped": 0.95,
    "scope_changed": 0.95,
}


@pytest.mark.slow
@needs_seed
def test_the_real_checker_keeps_its_rates_on_the_whole_suite(embedder):
    from qa.verify import SupportChecker

    checker = SupportChecker(embedder.embed, threshold=0.5)
    report = evaluate_suite(checker.check, load_suite(seed_dir=SEED_DIR))
    rates = {kind: row["rate"] for kind, row in report["kinds"].items()}
    assert set(FLOORS) <= set(rates)
    below = {k: round(rates[k], 3) for k, floor in FLOORS.items() if rates[k] < floor}
    assert not below, below


def test_the_held_out_pairs_are_well_formed_and_apart_from_the_suite():
    """eval/contradictions_heldout.jsonl: our own news-style pairs, every kind present,
    labels matching kinds, ids and sentences not shared with the main suite."""
    pairs = load_suite(HELDOUT_SUITE)
    counts = Counter(p.kind for p in pairs)
    assert set(counts) == set(KINDS), counts
    assert counts["paraphrase"] >= 30 and sum(counts.values()) >= 100, counts
    assert all(p.set == "own" and p.note for p in pairs)
    main = records()
    assert not {p.id for p in pairs} & {r["id"] for r in main}
    main_text = {r.get("passage") for r in main} | {r.get("claim") for r in main}
    assert not {p.passage for p in pairs} & main_text
    assert not {p.claim for p in pairs} & main_text


# Floors a little under the rates measured on the held-out pairs (batch 1 written before the
# rule changes of the second meaning-check session, batch 2 after them): the held-out figures
# show how far the suite's rates carry to sentences nobody tuned on.
HELDOUT_FLOORS = {
    "paraphrase": 0.93,
    "negation": 0.95,
    "antonym": 0.75,
    "role_swap": 0.85,
    "number_swap": 0.95,
    "date_swap": 0.8,
    "entity_swap": 0.95,
    "hedge_dropped": 0.6,
    "scope_changed": 0.8,
}


@pytest.mark.slow
def test_the_real_checker_keeps_its_rates_on_the_held_out_pairs(embedder):
    from qa.verify import SupportChecker

    checker = SupportChecker(embedder.embed, threshold=0.5)
    report = evaluate_suite(checker.check, load_suite(HELDOUT_SUITE))
    rates = {kind: row["rate"] for kind, row in report["kinds"].items()}
    below = {k: round(rates[k], 3) for k, floor in HELDOUT_FLOORS.items() if rates[k] < floor}
    assert not below, below
