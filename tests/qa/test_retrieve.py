"""Retrieval logic with the deterministic FakeEmbedder (fast tier): reciprocal-rank fusion, the
per-document cap, near-duplicates giving way, and evidence selection. The same paths run with
the real embedder in test_answer.py, test_corroborate.py and tests/qa/eval/."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from index.ingest import ingest
from index.lexical import reciprocal_rank_fusion
from index.records import Chunk, Document, DocumentMeta
from index.search import Index
from index.settings import RetrievalSettings, load_settings
from qa.retrieve import Candidate, Retriever, select_evidence, select_evidence_covering

BRIDGE = (
    "The Alder River Bridge closure begins on Monday, the transport office said. "
    "Drivers crossing the bridge will be diverted while engineers repair the deck. "
)


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank():
    dense = [(1, 0.9), (2, 0.8), (3, 0.1)]
    lexical = [(3, 12.0), (1, 3.0)]
    fused = reciprocal_rank_fusion((dense, lexical), k=60)
    assert fused == pytest.approx({1: 1 / 61 + 1 / 62, 3: 1 / 63 + 1 / 61, 2: 1 / 62})
    assert list(fused) == [1, 3, 2]  # in both rankings beats one; best first
    # Only ranks count, not the rankers' own scores; ties keep first-seen order.
    assert list(reciprocal_rank_fusion(([(7, 0.0)], [(8, 99.0)]), k=60)) == [7, 8]
    # A smaller k weighs the top ranks more: 2 (first once) overtakes 1 (second twice).
    assert list(reciprocal_rank_fusion(([(2, 0), (1, 0)], [(1, 0)], [(3, 0), (2, 0)]), 1)) == [
        2,
        1,
        3,
    ]


def _write(folder, name, text, outlet):
    (folder / name).write_text(text, encoding="utf-8")
    (folder / f"{name}.meta.json").write_text(json.dumps({"outlet": outlet, "title": name}))


@pytest.fixture
def fake_index(tmp_path, fake_embedder):
    """A small archive: a long article about the bridge (several chunks), a short one, its
    syndicated copy, and an unrelated one — ingested with the fake embedder."""
    docs = tmp_path / "docs"
    docs.mkdir()
    long_text = "\n\n".join(
        f"Part {i}. {BRIDGE}Residents of district {i} asked about the closure schedule. " * 2
        for i in range(6)
    )
    _write(docs, "long.txt", long_text, "Harbour Ledger")
    short = (
        "Bridge works. The Alder River Bridge closure begins on Monday. The mayor expects the "
        "bridge closure to last six weeks, and a ferry will run every hour during the works.\n"
    )
    _write(docs, "short.txt", short, "Valley Courier")
    _write(docs, "copy.txt", short + "\n(Northwind Wire)\n", "Northwind Wire")
    football = "The football club signed a new striker before the derby on Saturday.\n"
    _write(docs, "football.txt", football, "Sports Desk")
    settings = load_settings(tmp_path / "data")
    report = ingest([docs], settings, embedder=fake_embedder)
    assert len(report.added) == 4 and report.duplicates  # the copy is recognised as one
    index = Index(settings, embedder=fake_embedder)
    yield index
    index.close()


def _docs(cands):
    return Counter(c.document.meta.title for c in cands)


def test_at_most_per_doc_chunks_from_one_document(fake_index):
    assert fake_index.document(_id(fake_index, "long.txt")).n_chunks >= 3  # room to exceed
    got = Retriever(fake_index).retrieve("bridge closure schedule", k=6)
    assert _docs(got)["long.txt"] == 2  # the default cap (retrieval.per_doc)
    one = Retriever(fake_index, RetrievalSettings(per_doc=1)).retrieve("bridge closure", k=6)
    assert _docs(one)["long.txt"] == 1
    assert _docs(Retriever(fake_index).retrieve("bridge closure", k=6, per_doc=3))["long.txt"] == 3


def test_a_syndicated_copy_gives_way_to_its_original(fake_index):
    got = _docs(Retriever(fake_index).retrieve("mayor expects bridge closure six weeks", k=6))
    assert got["short.txt"] == 1 and "copy.txt" not in got


def test_unrelated_document_ranks_below_related_ones(fake_index):
    got = Retriever(fake_index).retrieve("bridge closure", k=6)
    titles = [c.document.meta.title for c in got]
    assert titles[0] != "football.txt"
    assert all(c.score >= got[-1].score for c in got)  # sorted best first


def _id(index, name):
    return next(d.doc_id for d in index.documents() if d.meta.title == name)


# -- evidence selection on hand-made candidates (no index at all)


def _cand(doc_id: str, text: str, scores: list[float]) -> Candidate:
    """A candidate whose sentences are the '. '-separated parts of ``text``, scored in order."""
    doc = Document(doc_id, f"{doc_id}.txt", "txt", text, DocumentMeta(title=doc_id))
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S[^.]*\.", text)]
    sentences = [(s, e, sc) for (s, e), sc in zip(spans, scores, strict=True)]
    return Candidate(Chunk(1, doc_id, 0, 0, len(text), text), doc, sentences=sentences)


LONG = "x" * 70


def test_evidence_is_capped_per_document_and_numbered_with_exact_text():
    a = _cand("a", ". ".join(f"{LONG} a{i}" for i in range(5)) + ".", [0.9, 0.8, 0.7, 0.6, 0.4])
    b = _cand("b", f"{LONG} b0. {LONG} b1.", [0.55, 0.4])
    ev = select_evidence([a, b], n=6)
    assert [e.eid for e in ev] == list(range(1, len(ev) + 1))
    assert Counter(e.doc_id for e in ev) == {"a": 3, "b": 1}  # b1 is under half the best
    assert [e.score for e in ev] == [0.9, 0.8, 0.7, 0.55]
    for e, cand in zip(ev, [a, a, a, b], strict=True):
        assert cand.document.cleaned_text[e.start : e.end] == e.text
    more = select_evidence([a, b], n=6, config=RetrievalSettings(evidence_per_doc=5))
    assert Counter(e.doc_id for e in more) == {"a": 4, "b": 1}  # 0.4 < 0.9 / 2 is cut


def test_evidence_floor_keeps_only_the_best_when_everything_is_weak():
    weak = _cand("w", f"{LONG} one. {LONG} two.", [0.2, 0.1])
    ev = select_evidence([weak], n=6)
    assert [e.score for e in ev] == [0.2]  # under the floor, but the best is always kept
    assert select_evidence([weak], n=6, config=RetrievalSettings(evidence_floor=0.05))[1:]


def test_a_short_sentence_takes_the_next_one_along():
    c = _cand("s", f"Short one. {LONG} follows.", [0.9, 0.3])
    (ev,) = select_evidence([c], n=6)
    assert ev.text == c.document.cleaned_text  # "Short one." alone would be a fragment
    (alone,) = select_evidence([c], n=6, config=RetrievalSettings(evidence_min_chars=5))
    assert alone.text == "Short one."


def test_a_part_about_one_article_takes_the_article_that_matches_it_best():
    # part 1: "the Verge article …" — the best article and one about as good stay, a third
    # that matches it clearly less is another article; part 2 names no single article
    best = _cand("v1", f"{LONG} v1a. {LONG} v1b.", [0.70, 0.66])
    close = _cand("v2", f"{LONG} v2a.", [0.67])
    other = _cand("v3", f"{LONG} v3a.", [0.60])
    t1, t2 = _cand("t1", f"{LONG} t1a.", [0.6]), _cand("t2", f"{LONG} t2a.", [0.5])
    groups = [[best, close, other], [t1, t2]]
    plain = select_evidence_covering(groups, n=8)
    assert {e.doc_id for e in plain} == {"v1", "v2", "v3", "t1", "t2"}
    ev = select_evidence_covering(groups, n=8, one_article=[True, False])
    assert {e.doc_id for e in ev} == {"v1", "v2", "t1", "t2"}  # 0.60 < 0.70 - 0.05
    narrow = RetrievalSettings(one_article_margin=0.01)
    ev = select_evidence_covering(groups, n=8, config=narrow, one_article=[True, True])
    assert {e.doc_id for e in ev} == {"v1", "t1"}
