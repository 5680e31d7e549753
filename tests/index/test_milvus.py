"""The Milvus backend (index/milvus.py) on a real Milvus Lite file with the real embedder:
ingest the seed articles with ``TWOSOURCE_INDEX__BACKEND=milvus``, answer through it, and get
what the FAISS backend gives; re-ingest changes nothing; a document whose chunks were written
but not published is never seen; filters agree with FAISS."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.backend import SearchFilters
from index.ingest import ingest
from index.search import Index
from index.settings import load_settings
from qa.api import Assistant
from tests.conftest import EXAMPLES, FakeGenerator, assert_quotes_exact, passages_in, seed_dir

pytestmark = pytest.mark.slow

FIVE_MILLION = "Does Russia need to mobilize five million people to win the war?"
DEMO_QUESTIONS = (
    "How long will the Alder River Bridge be closed?",
    "Why is the Alder River Bridge closing?",
    "Who leads the union branch at the Kestrel Line?",
)


@pytest.fixture(scope="module")
def milvus_index(tmp_path_factory, embedder):
    """The seed articles ingested into a Milvus Lite file, the backend chosen by environment."""
    data = tmp_path_factory.mktemp("milvus-index")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TWOSOURCE_INDEX__BACKEND", "milvus")
        settings = load_settings(data)
    assert settings.index.backend == "milvus"
    report = ingest([seed_dir()], settings, embedder=embedder)
    assert report.ok and len(report.added) == 5
    assert (data / "milvus.db").exists() and not (data / "CURRENT").exists()
    return settings


def _respond(messages):
    """A model that quotes the 'five million' passage and adds an invented number."""
    eid, text = next((i, t) for i, t in passages_in(messages).items() if "five million" in t)
    return json.dumps(
        {
            "answerable": True,
            "sentences": [
                {"evidence": [eid], "text": text.split("[")[0].strip()},
                {
                    "evidence": [eid],
                    "text": "Russian leadership may need to mobilize seven million personnel "
                    "to win the war in Ukraine.",
                },
            ],
        }
    )


def _answer(settings, embedder):
    assistant = Assistant(settings=settings, generator=FakeGenerator(_respond))
    assistant.index._embedder = embedder
    answer = assistant.ask(FIVE_MILLION)
    assert_quotes_exact(answer, assistant.index)
    out = answer.to_dict()
    for key in ("timings", "model"):
        out.pop(key, None)
    assistant.index.close()
    return answer, out


def test_answer_through_milvus_is_the_answer_through_faiss(milvus_index, seed_index, embedder):
    answer, through_milvus = _answer(milvus_index, embedder)
    _, through_faiss = _answer(seed_index, embedder)
    assert answer.status == "answered" and answer.sentences and answer.removed
    assert answer.sentences[0].citations[0].outlet == "Institute for the Study of War"
    assert through_milvus == through_faiss  # citations, offsets, flags, corroboration, evidence


def _quote_first(messages):
    """A model that answers with the first passage it was shown."""
    passages = passages_in(messages)
    eid = min(passages)
    return json.dumps(
        {"answerable": True, "sentences": [{"evidence": [eid], "text": passages[eid]}]}
    )


def test_demo_corpus_answers_through_milvus_are_those_through_faiss(tmp_path, embedder):
    """The demo corpus has syndicated copies, relays and several outlets per story: the
    corroboration (supporting passages, their order, flags) must not depend on the backend."""
    answers = {}
    for backend in ("faiss", "milvus"):
        settings = load_settings(tmp_path / backend, index={"backend": backend})
        assert ingest([EXAMPLES], settings, embedder=embedder).ok
        assistant = Assistant(settings=settings, generator=FakeGenerator(_quote_first))
        assistant.index._embedder = embedder
        answers[backend] = []
        for question in DEMO_QUESTIONS:
            answer = assistant.ask(question).to_dict()
            answer.pop("timings"), answer.pop("model")
            answers[backend].append(answer)
        assistant.index.close()
    assert [a["status"] for a in answers["faiss"]] == ["answered"] * len(DEMO_QUESTIONS)
    supporting = [
        s["corroboration"]["supporting"] for a in answers["faiss"] for s in a["sentences"]
    ]
    assert any(len(passages) > 1 for passages in supporting)  # more than one outlet to order
    assert answers["milvus"] == answers["faiss"]


def test_search_and_documents_agree_with_faiss(milvus_index, seed_index, embedder):
    milvus, faiss = Index(milvus_index, embedder=embedder), Index(seed_index, embedder=embedder)
    try:
        assert milvus.count("documents") == faiss.count("documents") == 5
        assert milvus.count("chunks") == faiss.count("chunks")
        assert [d.doc_id for d in milvus.documents()] == [d.doc_id for d in faiss.documents()]
        for doc in faiss.documents():
            other = milvus.document(doc.doc_id)
            assert other == doc  # cleaned text, metadata, duplicate link
            assert milvus.removed_lines(doc.doc_id) == faiss.removed_lines(doc.doc_id)
        qvec = embedder.embed([FIVE_MILLION])[0]
        dense_m, dense_f = milvus.dense(qvec, 10), faiss.dense(qvec, 10)
        assert [c for c, _ in dense_m] == [c for c, _ in dense_f]
        assert np.allclose([s for _, s in dense_m], [s for _, s in dense_f], atol=1e-5)
        ids = [c for c, _ in dense_f]
        assert milvus.chunks(ids) == faiss.chunks(ids)
        vm, vf = milvus.vectors(ids), faiss.vectors(ids)
        assert all(np.allclose(vm[i], vf[i], atol=1e-6) for i in ids)
    finally:
        milvus.close()
        faiss.close()


def test_filters_select_the_same_chunks_as_faiss(milvus_index, seed_index, embedder):
    milvus, faiss = Index(milvus_index, embedder=embedder), Index(seed_index, embedder=embedder)
    try:
        docs = faiss.documents()
        dated = next(d for d in docs if d.meta.published)
        outlet = next(d.meta.outlet for d in docs if d.meta.outlet)
        qvec = embedder.embed(["war and mobilisation"])[0]
        cases = [
            SearchFilters(outlet=outlet[2:8].upper()),
            SearchFilters(since=dated.meta.published),
            SearchFilters(until=dated.meta.published),
            SearchFilters(doc_ids=(docs[1].doc_id, docs[3].doc_id)),
            SearchFilters(exclude_duplicates=True),
            SearchFilters(outlet="no such outlet"),
        ]
        for filters in cases:
            got_m, got_f = milvus.dense(qvec, 8, filters), faiss.dense(qvec, 8, filters)
            assert [c for c, _ in got_m] == [c for c, _ in got_f], filters
            chunks = milvus.chunks([c for c, _ in got_m])
            assert all(filters.allows(milvus.document(ch.doc_id)) for ch in chunks.values())
        assert milvus.dense(qvec, 8, SearchFilters(outlet="no such outlet")) == []
        only = milvus.dense(qvec, 50, SearchFilters(doc_ids=(docs[1].doc_id,)))
        assert only and {milvus.chunks([c])[c].doc_id for c, _ in only} == {docs[1].doc_id}
    finally:
        milvus.close()
        faiss.close()


def test_reingest_is_idempotent(milvus_index, embedder):
    index = Index(milvus_index, embedder=embedder)
    before = (index.count("documents"), index.count("chunks"), index.count("files"))
    index.close()
    report = ingest([seed_dir()], milvus_index, embedder=embedder)
    assert report.ok and not report.added and len(report.unchanged) == 5
    # publishing a document again (a retried commit) replaces its chunks, never adds copies
    from index.milvus import MilvusWriter

    writer = MilvusWriter(milvus_index)
    doc_id = writer.signatures()[0][0]
    doc = writer.document(doc_id)
    chunks = Index(milvus_index, embedder=embedder)
    old = sorted((c for c in chunks.all_chunks() if c.doc_id == doc_id), key=lambda c: c.seq)
    vectors = chunks.vectors([c.chunk_id for c in old])
    chunks.close()
    writer.remove_document(doc_id)
    writer.add_document(
        doc,
        "utf-8",
        [],
        bytes.fromhex("00" * 8),
        [(c.start, c.end, c.text) for c in old],
        np.stack([vectors[c.chunk_id] for c in old]),
    )
    writer.commit(writer.manifest["embedder"], writer.manifest["chunking"])
    index = Index(milvus_index, embedder=embedder)
    try:
        assert (index.count("documents"), index.count("chunks"), index.count("files")) == before
        assert index.document(doc_id).cleaned_text == doc.cleaned_text
    finally:
        index.close()


def test_unpublished_document_is_invisible_and_swept(milvus_index, embedder):
    from index.milvus import MilvusWriter

    writer = MilvusWriter(milvus_index)
    dim = int(writer.manifest["embedder"]["dim"])
    probe = np.zeros(dim, dtype=np.float32)
    probe[0] = 1.0
    ghost = "ghost00000000000"
    rows = [
        {
            "chunk_id": 10_000_000 + i,
            "doc_id": ghost,
            "seq": i,
            "start": 0,
            "stop": 20,
            "text": "zanzibarite quokka ledger entry",
            "vector": probe.tolist(),
            "outlet": "",
            "published": "",
            "duplicate_of": "",
        }
        for i in range(3)
    ]
    # what a writer killed after its chunks and before the document row leaves behind
    writer._db.set_meta(f"pending:{ghost}", "")
    writer._upsert(writer.names.chunks, rows)
    writer.abort()

    index = Index(milvus_index, embedder=embedder)
    try:
        ids = [r["chunk_id"] for r in rows]
        assert not {c for c, _ in index.dense(probe, 50)} & set(ids)
        assert index.chunks(ids) == {}
        assert not [c for c in index.all_chunks() if c.doc_id == ghost]
        assert index.document(ghost) is None
        assert not {c for c, _ in index.store.lexical_search("zanzibarite quokka", 10)} & set(ids)
        assert index.lexical("zanzibarite quokka", 10) == []
    finally:
        index.close()

    MilvusWriter(milvus_index).abort()  # the next writer removes the leftovers
    index = Index(milvus_index, embedder=embedder)
    try:
        assert index.store.vectors(ids) == {}
    finally:
        index.close()


def test_milvus_full_text_search_as_lexical_search(milvus_index, embedder):
    settings = milvus_index.model_copy(
        update={"index": milvus_index.index.model_copy(update={"lexical": "store"})}
    )
    index = Index(settings, embedder=embedder)
    try:
        hits = index.lexical("mobilize million", 5)
        assert hits and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
        texts = [c.text.lower() for c in index.chunks([c for c, _ in hits]).values()]
        assert all("mobiliz" in t or "million" in t for t in texts)
        assert index.idf("zzzunseen") > index.idf("the") > 0
    finally:
        index.close()


def test_an_index_reopened_after_a_restart_is_loaded_again(milvus_index, embedder):
    """Milvus holds collections released after a restart; opening the index loads them."""
    from pymilvus import MilvusClient

    from index.milvus import milvus_uri

    client = MilvusClient(milvus_uri(milvus_index))
    for name in client.list_collections():
        client.release_collection(name)
    client.close()
    index = Index(milvus_index, embedder=embedder)
    try:
        assert index.count("documents") == 5
        assert index.dense(FIVE_MILLION, 3) and index.documents()
    finally:
        index.close()


def test_changed_metadata_and_duplicate_links_reach_the_chunks(milvus_index, embedder):
    """A sidecar edit (new metadata) or a new original rewrites the document row and the
    filter fields of its chunks, so filtered searches follow."""
    from dataclasses import replace

    from index.milvus import MilvusWriter

    index = Index(milvus_index, embedder=embedder)
    first, second = (d.doc_id for d in index.documents()[:2])
    old_meta = index.document(first).meta
    index.close()
    writer = MilvusWriter(milvus_index)
    writer.update_meta(first, replace(old_meta, outlet="Harbour Gazette", published="2031-05-01"))
    writer.set_duplicate(second, first)
    writer.commit(writer.manifest["embedder"], writer.manifest["chunking"])
    index = Index(milvus_index, embedder=embedder)
    try:
        assert index.document(first).meta.outlet == "Harbour Gazette"
        assert index.document(second).duplicate_of == first
        qvec = embedder.embed(["war"])[0]
        by_outlet = index.dense(qvec, 50, SearchFilters(outlet="harbour"))
        assert {index.chunks([c])[c].doc_id for c, _ in by_outlet} == {first}
        after = index.dense(qvec, 50, SearchFilters(since="2031-01-01"))
        assert {index.chunks([c])[c].doc_id for c, _ in after} == {first}
        originals = index.dense(qvec, 50, SearchFilters(exclude_duplicates=True))
        assert second not in {index.chunks([c])[c].doc_id for c, _ in originals}
    finally:
        index.close()
    writer = MilvusWriter(milvus_index)  # put the shared index back as it was
    writer.update_meta(first, old_meta)
    writer.set_duplicate(second, None)
    writer.commit(writer.manifest["embedder"], writer.manifest["chunking"])


def test_a_commit_that_dies_before_publishing_leaves_nothing_visible(milvus_index, embedder):
    """Chunks written, then the writer dies before the document row: the document is never
    seen, the next writer removes its chunks, and its chunk ids are never handed out again."""
    from index.milvus import MilvusWriter
    from index.records import Document, DocumentMeta

    text = "Quokkas were counted on Zanzibarite island. The count doubled in a year."
    doc = Document("crash00000000000", "/nowhere/crash.txt", "txt", text, DocumentMeta())
    writer = MilvusWriter(milvus_index)
    first_id = writer._next_id
    writer.add_document(doc, "utf-8", [], bytes(8), [(0, len(text), text)], embedder.embed([text]))
    real_upsert = writer._upsert

    def dies_at_the_document_row(collection, rows):
        if collection == writer.names.documents:
            raise KeyboardInterrupt("killed")
        real_upsert(collection, rows)

    writer._upsert = dies_at_the_document_row
    with pytest.raises(KeyboardInterrupt):
        writer.commit(writer.manifest["embedder"], writer.manifest["chunking"])
    writer.abort()
    index = Index(milvus_index, embedder=embedder)
    try:
        assert index.store.vectors([first_id])  # the chunk is there …
        assert index.chunks([first_id]) == {} and index.document(doc.doc_id) is None  # … unseen
        assert first_id not in {c for c, _ in index.dense(text, 50)}
    finally:
        index.close()
    writer = MilvusWriter(milvus_index)  # sweeps the leftovers
    assert writer._next_id > first_id
    writer.abort()
    index = Index(milvus_index, embedder=embedder)
    try:
        assert index.store.vectors([first_id]) == {}
        assert index.count("documents") == 5
    finally:
        index.close()
