"""Ingestion end to end with the real embedder and a real FAISS index on disk."""

from __future__ import annotations

import shutil

import pytest

from index.errors import IndexMismatchError, NotAnIndexError
from index.ingest import ingest
from index.search import Index
from index.settings import load_settings
from index.store import StoreReader
from tests.conftest import seed_dir, seed_file


def _docs(settings):
    reader = StoreReader(settings.data_dir)
    try:
        return {d.path.rsplit("/", 1)[-1]: d for d in reader.documents()}
    finally:
        reader.close()


def test_five_million_query_finds_the_isw_passage(seed_index):
    index = Index(seed_index)
    hits = index.search("five million mobilization", k=3)
    top = hits[0]
    assert top.document.meta.outlet == "Institute for the Study of War"
    assert "five million" in top.quote
    assert top.document.cleaned_text[top.chunk.start : top.chunk.end] == top.chunk.text


def test_cleaned_seed_texts_have_no_ticker_or_donation_lines(seed_index):
    for doc in Index(seed_index).documents():
        text = doc.cleaned_text
        for banned in ("cup of coffee", "Become a Patron", "Leave a Reply", "More news", "16:50"):
            assert banned not in text, f"{doc.path}: {banned!r}"


def test_reingest_is_idempotent_and_loads_no_model(seed_index, tmp_path):
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    settings = load_settings(data)
    before = (data / "CURRENT").read_text()
    # No embedder passed and none may be loaded: nothing changed.
    report = ingest([seed_dir()], settings, embedder=_ExplodingEmbedder())
    assert len(report.unchanged) == 5 and not report.added and report.generation == 0
    assert (data / "CURRENT").read_text() == before


class _ExplodingEmbedder:
    name, dim, fingerprint = "x", 384, "x"

    def embed(self, texts):
        raise AssertionError("the embedder must not be used for unchanged files")


def test_edited_file_replaces_its_chunks_and_prune_removes(tmp_path, settings, embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    for prefix in ("000", "003"):
        shutil.copy(seed_file(prefix), folder / f"{prefix}.txt")
    ingest([folder], settings, embedder=embedder)
    old_id = _docs(settings)["000.txt"].doc_id

    edited = folder / "000.txt"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nA new closing paragraph about harbour cranes.\n",
        encoding="utf-8",
    )
    report = ingest([folder], settings, embedder=embedder)
    assert [p.rsplit("/", 1)[-1] for p in report.updated] == ["000.txt"]
    docs = _docs(settings)
    assert docs["000.txt"].doc_id != old_id
    assert "harbour cranes" in docs["000.txt"].cleaned_text
    index = Index(settings, embedder=embedder)
    assert index.reader.count("documents") == 2
    assert index.faiss_index_size() == index.reader.count("chunks")
    assert any("harbour cranes" in h.quote for h in index.search("harbour cranes", k=2))

    (folder / "003.txt").unlink()
    report = ingest([folder], settings, embedder=embedder)  # without --prune: kept
    assert "003.txt" in _docs(settings)
    report = ingest([folder], settings, prune=True, embedder=embedder)
    assert [p.rsplit("/", 1)[-1] for p in report.removed] == ["003.txt"]
    assert set(_docs(settings)) == {"000.txt"}


def test_syndicated_demo_copy_is_a_duplicate(demo_copy, settings, embedder):
    report = ingest([demo_copy], settings, embedder=embedder)
    assert report.ok, report.problems
    docs = _docs(settings)
    wire = docs["northwind-ferry-strike.txt"]
    copy = docs["meridian-ferry-strike-syndicated.txt"]
    assert copy.duplicate_of == wire.doc_id and wire.duplicate_of is None
    # Independent reports of the same event are not duplicates.
    assert docs["courier-bridge-closure.txt"].duplicate_of is None
    assert docs["courier-relays-ledger-budget.txt"].duplicate_of is None


def test_rewrapped_seed_copy_is_a_duplicate_and_survives_removal_of_original(
    tmp_path, settings, embedder
):
    folder = tmp_path / "a"
    folder.mkdir()
    original = seed_file("003").read_text(encoding="utf-8")
    shutil.copy(seed_file("003"), folder / "original.txt")
    ingest([folder], settings, embedder=embedder)
    body = original.split("\n", 1)[1]
    (folder / "copy.txt").write_text(
        "The Market Mirror\nSkip to content\n\nUkraine pushes into occupied regions\n\n"
        "By Staff\n\n" + body + "\nRead also:\n- Oil prices rise\n- Gold steady\n\n"
        "Support independent journalism for the price of a coffee. Become a supporter\n",
        encoding="utf-8",
    )
    report = ingest([folder], settings, embedder=embedder)
    assert len(report.duplicates) == 1
    docs = _docs(settings)
    assert docs["copy.txt"].duplicate_of == docs["original.txt"].doc_id

    (folder / "original.txt").unlink()
    ingest([folder], settings, prune=True, embedder=embedder)
    assert _docs(settings)["copy.txt"].duplicate_of is None


def test_same_bytes_under_two_names_is_one_document(tmp_path, settings, embedder):
    folder = tmp_path / "a"
    folder.mkdir()
    shutil.copy(seed_file("000"), folder / "one.txt")
    shutil.copy(seed_file("000"), folder / "two.txt")
    ingest([folder], settings, embedder=embedder)
    reader = StoreReader(settings.data_dir)
    assert reader.count("documents") == 1 and reader.count("files") == 2


def test_sidecar_change_updates_metadata_only(demo_copy, settings, embedder):
    ingest([demo_copy], settings, embedder=embedder)
    sidecar = demo_copy / "courier-bridge-closure.txt.meta.json"
    sidecar.write_text(
        sidecar.read_text().replace("Valley Courier", "The Valley Courier"), encoding="utf-8"
    )
    report = ingest([demo_copy], settings, embedder=_ExplodingEmbedder())
    assert [p.rsplit("/", 1)[-1] for p in report.updated] == ["courier-bridge-closure.txt"]
    assert _docs(settings)["courier-bridge-closure.txt"].meta.outlet == "The Valley Courier"


def test_refuses_a_folder_that_is_not_an_index(tmp_path, embedder):
    data = tmp_path / "my-documents"
    data.mkdir()
    (data / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(NotAnIndexError, match="not empty and is not a TwoSource index"):
        ingest([seed_file("000")], load_settings(data), embedder=embedder)
    assert (data / "thesis.docx").read_bytes() == b"precious"


def test_refuses_another_embedder(seed_index, tmp_path, embedder):
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    other = tmp_path / "other-model"
    shutil.copytree(embedder.path, other)
    settings = load_settings(data, embedding={"model": str(other)})
    with pytest.raises(IndexMismatchError, match="built with the embedder 'default'"):
        ingest([seed_file("000")], settings)
    with pytest.raises(IndexMismatchError, match="embedder"):
        Index(settings)


def test_refuses_other_chunking(seed_index, tmp_path, embedder):
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    settings = load_settings(data, chunking={"size": 500, "overlap": 50})
    with pytest.raises(IndexMismatchError, match="chunking"):
        ingest([seed_file("000")], settings, embedder=embedder)


def _contents(settings):
    reader = StoreReader(settings.data_dir)
    try:
        docs = sorted(
            (d.doc_id, d.path, d.cleaned_text, d.meta, d.duplicate_of) for d in reader.documents()
        )
        chunks = [
            (c.chunk_id, c.doc_id, c.seq, c.start, c.end, c.text) for c in reader.all_chunks()
        ]
        ids = [c[0] for c in chunks]
        vectors = reader.vectors(ids)
        return docs, chunks, [vectors[i].tolist() for i in ids]
    finally:
        reader.close()


def test_the_order_results_arrive_in_does_not_change_the_index(tmp_path, demo_copy, fake_embedder):
    """Parallel workers finish in any order; the one writer commits the same index anyway."""
    from index.prepare import SerialExecutor

    arrived: list[str] = []

    def backwards(tasks, settings, **kwargs):
        results = list(SerialExecutor(fake_embedder)(tasks, settings, **kwargs))[::-1]
        arrived.extend(r.task.path for r in results)
        return iter(results)

    # A twin that ties with its original on date and length: only the run's file order
    # (the twin's name sorts first) decides which of the two is the original.
    wire = demo_copy / "northwind-ferry-strike.txt"
    twin = demo_copy / "a-ferry-strike-twin.txt"
    twin.write_text(wire.read_text(encoding="utf-8").replace("Monday", "Sunday"), "utf-8")
    shutil.copy(demo_copy / "northwind-ferry-strike.txt.meta.json", f"{twin}.meta.json")
    serial, shuffled = load_settings(tmp_path / "a"), load_settings(tmp_path / "b")
    want = ingest([demo_copy], serial, embedder=fake_embedder)
    got = ingest([demo_copy], shuffled, executor=backwards)
    assert len(arrived) > 2 and arrived != sorted(arrived)
    assert (got.added, got.duplicates) == (want.added, want.duplicates)
    assert dict(want.duplicates)[str(wire)] == _docs(serial)["a-ferry-strike-twin.txt"].doc_id
    assert _contents(shuffled) == _contents(serial)
