"""Damaged index files, with and without a manifest that agrees with the damage: every command
that opens the index says which file is damaged and what to do (exit 3), never a traceback and
never different answers."""

from __future__ import annotations

import json

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
