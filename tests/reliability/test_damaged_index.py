"""Damaged index files, with and without a manifest that agrees with the damage: every command
that opens the index says which file is damaged and what to do (exit 3), never a traceback and
never different answers."""

from __future__ import annotations

import json
import os

import pytest

from index.errors import IndexCorruptError
from index.search import Index
from index.settings import load_settings
from tests.reliability.conftest import (
    live_generation,
    overwrite_region,
    recompute_manifest,
    run_cli,
)


def _damage_sqlite(data, recompute: bool) -> None:
    gen = live_generation(data)
    db = gen / "store.sqlite"
    overwrite_region(db, (db.stat().st_size // 2) // 4096 * 4096 + 1000, 4096)
    if recompute:
        recompute_manifest(gen)


def _flip_faiss(data) -> None:
    gen = live_generation(data)
    path = gen / "vectors.faiss"
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    for i in range(64):
        raw[middle + i * 7] ^= 0x5A
    path.write_bytes(bytes(raw))
    recompute_manifest(gen)


def test_sources_checks_the_checksums(index_copy, capsys):
    _damage_sqlite(index_copy, recompute=False)
    code, out, err = run_cli(capsys, "--data", index_copy, "sources", "--json")
    assert code == 3 and out == ""
    assert "store.sqlite" in err and "checksum" in err


@pytest.mark.parametrize("command", [["sources", "--json"], ["outlets", "list"]])
def test_damaged_sqlite_with_recomputed_manifest_is_caught_on_open(index_copy, capsys, command):
    _damage_sqlite(index_copy, recompute=True)
    code, out, err = run_cli(capsys, "--data", index_copy, *command)
    assert code == 3, (out, err)
    assert "store.sqlite" in err and "damaged" in err
    assert "twosource" in err and "check" in err


def test_damaged_sqlite_with_recomputed_manifest_refuses_to_answer(index_copy, capsys):
    _damage_sqlite(index_copy, recompute=True)
    code, _out, err = run_cli(capsys, "--data", index_copy, "ask", "How long is the bridge closed?")
    assert code == 3
    assert "store.sqlite" in err and "damaged" in err
    with pytest.raises(IndexCorruptError, match="store.sqlite"):
        Index(load_settings(index_copy))


def test_zeroed_article_text_with_recomputed_manifest_is_caught(index_copy, capsys):
    """Damage inside the stored text keeps SQLite's structure intact (quick_check passes); the
    content checksum recorded inside SQLite still catches it."""
    import sqlite3

    gen = live_generation(index_copy)
    conn = sqlite3.connect(gen / "store.sqlite")
    text = conn.execute("SELECT cleaned_text FROM documents ORDER BY doc_id").fetchone()[0]
    conn.close()
    needle = text[len(text) // 2 : len(text) // 2 + 64].encode()
    db = gen / "store.sqlite"
    raw = bytearray(db.read_bytes())
    at = raw.find(needle)
    assert at > 0
    raw[at : at + len(needle)] = bytes(len(needle))
    db.write_bytes(bytes(raw))
    recompute_manifest(gen)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"  # invisible to SQLite
    conn.close()
    code, out, err = run_cli(capsys, "--data", index_copy, "sources", "--json")
    assert code == 3 and out == ""
    assert "store.sqlite" in err and "damaged" in err


@pytest.mark.parametrize("fill", ["zeros", "random"])
def test_every_damaged_page_is_caught(seed_index, tmp_path, fill):
    """Overwrite each 4 KiB page of store.sqlite in turn (manifest recomputed): opening the
    index fails with IndexCorruptError, or (a page nothing uses) gives exactly the same data —
    never a traceback, never other data."""
    import random
    import shutil

    from index.store import StoreReader

    def contents(data):
        reader = StoreReader(data)
        try:
            docs = [(d.doc_id, d.meta, d.cleaned_text) for d in reader.documents()]
            return docs, list(reader.all_chunks()), reader.vectors(list(range(1, 200)))
        finally:
            reader.close()

    def same(a, b):
        return (
            a[:2] == b[:2]
            and a[2].keys() == b[2].keys()
            and all((a[2][k] == b[2][k]).all() for k in a[2])
        )

    original = contents(seed_index.data_dir)
    rng = random.Random(3)
    gen_name = live_generation(seed_index.data_dir).name
    caught = 0
    size = (seed_index.data_dir / gen_name / "store.sqlite").stat().st_size
    for offset in range(0, size, 4096):
        data = tmp_path / f"p{offset}"
        shutil.copytree(seed_index.data_dir, data)
        db = data / gen_name / "store.sqlite"
        raw = bytearray(db.read_bytes())
        n = min(4096, len(raw) - offset)
        raw[offset : offset + n] = bytes(n) if fill == "zeros" else rng.randbytes(n)
        db.write_bytes(bytes(raw))
        recompute_manifest(data / gen_name)
        try:
            damaged = contents(data)
        except IndexCorruptError as exc:
            assert "store.sqlite" in str(exc)
            caught += 1
        else:
            assert same(damaged, original), f"page at {offset}: different data, no error"
        shutil.rmtree(data)
    assert caught >= size // 4096 // 2


def test_flipped_faiss_bytes_with_recomputed_manifest_are_caught(index_copy, capsys):
    _flip_faiss(index_copy)
    code, out, err = run_cli(capsys, "--data", index_copy, "search", "five million", "--json")
    assert code == 3 and out == ""
    assert "vectors.faiss" in err
    with pytest.raises(IndexCorruptError, match="vectors.faiss"):
        Index(load_settings(index_copy))


def test_flipped_faiss_bytes_caught_by_the_api_too(index_copy):
    from qa.api import Assistant

    _flip_faiss(index_copy)
    with pytest.raises(IndexCorruptError, match="vectors.faiss"):
        Assistant(index_copy)


@pytest.mark.slow
def test_serve_refuses_a_damaged_index_before_listening(index_copy, capsys):
    from tests.reliability.conftest import deadline

    _flip_faiss(index_copy)
    with deadline(180):  # a server that started would block here for ever
        code, _, err = run_cli(capsys, "--data", index_copy, "serve", "--port", "7999")
    assert code == 3 and "vectors.faiss" in err


@pytest.mark.parametrize("name", ["manifest.json", "CURRENT"])
def test_garbage_bytes_in_manifest_or_current(index_copy, capsys, name):
    target = index_copy / "CURRENT" if name == "CURRENT" else live_generation(index_copy) / name
    target.write_bytes(b"\x00\xff\xfe garbage \x81" * 5)
    for command in (["sources"], ["search", "bridge"]):
        code, _, err = run_cli(capsys, "--data", index_copy, *command)
        assert code == 3, err
        assert name in err and "utf-8" not in err
        assert "damaged" in err
        assert "restore" in err or "re-ingest" in err or "ingest" in err


@pytest.mark.parametrize(
    "manifest",
    [
        [],
        {"format_version": 1, "files": []},
        {"format_version": 1, "files": {"store.sqlite": "x"}},
        {"format_version": 1, "files": {}, "embedder": "MiniLM"},
        {"format_version": 1, "files": {}, "nprobe": "sixteen"},
        {"format_version": "1", "files": {}},
    ],
)
def test_well_formed_json_with_a_wrong_shape_in_the_manifest(index_copy, capsys, manifest):
    (live_generation(index_copy) / "manifest.json").write_text(json.dumps(manifest))
    for command in (["sources"], ["search", "bridge"], ["outlets", "list"]):
        code, _, err = run_cli(capsys, "--data", index_copy, *command)
        assert code == 3, err
        assert "manifest.json" in err and "damaged" in err


def test_garbage_current_is_not_swept_by_the_next_ingest(index_copy, capsys, embedder):
    """A writer must never take a damaged CURRENT as 'no index' and delete the generations."""
    from index.ingest import ingest
    from tests.conftest import EXAMPLES

    gens = sorted(p.name for p in index_copy.glob("gen-*"))
    (index_copy / "CURRENT").write_bytes(b"\xff\xfe")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        ingest([EXAMPLES], load_settings(index_copy), embedder=embedder)
    assert sorted(p.name for p in index_copy.glob("gen-*")) == gens
    (index_copy / "CURRENT").write_text("")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        ingest([EXAMPLES], load_settings(index_copy), embedder=embedder)
    assert sorted(p.name for p in index_copy.glob("gen-*")) == gens


# --- twosource check ----------------------------------------------------------------------


def test_check_on_a_healthy_index(index_copy, capsys):
    code, out, err = run_cli(capsys, "--data", index_copy, "check", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True
    names = {c["name"] for c in report["checks"]}
    assert {"checksums", "sqlite", "vector count", "stored vectors", "re-embedded sample"} <= names


def test_check_finds_flipped_faiss_bytes_and_advises(index_copy, capsys):
    _flip_faiss(index_copy)
    code, out, _err = run_cli(capsys, "--data", index_copy, "check")
    assert code == 3
    assert "vectors.faiss" in out
    assert "re-ingest" in out.lower() or "restore" in out.lower()


def test_check_finds_damaged_sqlite_and_advises(index_copy, capsys):
    _damage_sqlite(index_copy, recompute=True)
    code, out, _err = run_cli(capsys, "--data", index_copy, "check")
    assert code == 3
    assert "store.sqlite" in out
    assert "restore" in out.lower()


def test_check_catches_vectors_that_no_longer_match_their_chunks(index_copy, capsys):
    """A consistent but wrong index: the SQLite vectors and FAISS agree with each other, yet
    they do not embed the chunk text (e.g. a vector table copied from another index)."""
    import sqlite3

    gen = live_generation(index_copy)
    conn = sqlite3.connect(gen / "store.sqlite")
    rows = conn.execute("SELECT chunk_id, vector FROM chunks ORDER BY chunk_id").fetchall()
    vectors = [r[1] for r in rows]
    rotated = vectors[1:] + vectors[:1]
    conn.executemany(
        "UPDATE chunks SET vector=? WHERE chunk_id=?",
        [(v, r[0]) for v, r in zip(rotated, rows, strict=True)],
    )
    conn.commit()
    conn.close()
    code, out, _err = run_cli(capsys, "--data", index_copy, "check", "--json")
    assert code == 3
    report = json.loads(out)
    failed = {c["name"] for c in report["checks"] if not c["ok"]}
    assert "re-embedded sample" in failed or "stored vectors" in failed


# --- interrupted first ingest -------------------------------------------------------------


def test_interrupted_first_ingest_is_explained(tmp_path, capsys):
    data = tmp_path / "fresh"
    data.mkdir()
    (data / ".lock").touch()
    leftover = data / "gen-000001.tmp"
    leftover.mkdir()
    (leftover / "store.sqlite").write_bytes(b"partial")
    code, _, err = run_cli(capsys, "--data", data, "search", "bridge")
    assert code == 3
    assert "ingest into" in err and "was interrupted" in err and "again" in err
    assert "not a TwoSource index" not in err


def test_a_first_ingest_still_running_is_not_called_interrupted(tmp_path, capsys):
    from index.store import writer_lock

    data = tmp_path / "fresh"
    with writer_lock(data):
        (data / "gen-000001.tmp").mkdir()
        code, _, err = run_cli(capsys, "--data", data, "search", "bridge")
    assert code == 3
    assert "still running" in err and f"pid {os.getpid()}" in err and "was interrupted" not in err


def test_interrupted_first_ingest_after_the_rename(tmp_path, capsys):
    data = tmp_path / "fresh"
    (data / "gen-000001").mkdir(parents=True)
    (data / "CURRENT.tmp").write_text("gen-000001\n")
    code, _, err = run_cli(capsys, "--data", data, "sources")
    assert code == 3
    assert "was interrupted" in err and "again" in err


def test_registry_written_before_the_first_ingest_does_not_block_it(tmp_path, capsys, embedder):
    from index.ingest import ingest
    from tests.conftest import seed_file

    data = tmp_path / "fresh"
    code, _, err = run_cli(capsys, "--data", data, "outlets", "set", "Harbour Ledger", "verified")
    assert code == 0, err
    report = ingest([seed_file("000")], load_settings(data), embedder=embedder)
    assert len(report.added) == 1


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--since", "2024-13-45"),
        ("--until", "2024-02-30"),
        ("--since", "2024-00"),
        ("--until", "x"),
    ],
)
def test_invalid_dates_are_rejected_naming_the_option(tmp_path, capsys, option, value):
    code, _, err = run_cli(capsys, "--data", tmp_path / "none", "ask", "Bridge?", option, value)
    assert code == 2
    assert option in err and value in err


def test_since_after_until_is_rejected(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "--data", tmp_path / "none", "ask", "Bridge?", "--since", "2025", "--until", "2024"
    )
    assert code == 2 and "--since" in err


def test_valid_partial_dates_pass_validation(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "--data", tmp_path / "none", "ask", "q?", "--since", "2024-02", "--until", "2024"
    )
    assert code == 3 and "no index" in err  # got past date validation


def test_check_with_a_damaged_current_points_at_the_intact_generation(index_copy, capsys):
    gen = live_generation(index_copy).name
    (index_copy / "CURRENT").write_bytes(b"\xff\xfe\x00")
    code, out, _ = run_cli(capsys, "--data", index_copy, "check", "--no-embed")
    assert code == 3
    assert "CURRENT is damaged" in out and f"echo {gen} >" in out
    (index_copy / "CURRENT").write_text(gen + "\n")  # the advice, followed
    code, out, _ = run_cli(capsys, "--data", index_copy, "check", "--no-embed")
    assert code == 0 and "intact" in out


def test_check_without_an_index_says_to_ingest(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "--data", tmp_path / "none", "check")
    assert code == 3 and "twosource ingest" in out
