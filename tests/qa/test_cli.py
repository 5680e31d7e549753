"""The `twosource` CLI through its real entry point: output, JSON and exit codes."""

from __future__ import annotations

import json
import shutil

import pytest

from qa.cli import main
from tests.conftest import EXAMPLES, seed_dir, seed_file


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.mark.slow
def test_ingest_then_search_five_million(capsys, tmp_path):
    data = str(tmp_path / "data")
    code, out, _ = run(capsys, "--data", data, "ingest", "-q", str(seed_dir()))
    assert code == 0 and "5 added" in out
    code, out, _ = run(capsys, "--data", data, "search", "five million mobilization", "--json")
    assert code == 0
    hits = json.loads(out)
    top = hits[0]
    assert top["outlet"] == "Institute for the Study of War"
    assert "five million" in top["text"]
    code, out, _ = run(capsys, "--data", data, "sources", "--json")
    docs = {d["doc_id"]: d for d in json.loads(out)}
    text = _cleaned(tmp_path / "data", top["doc_id"])
    assert text[top["start"] : top["end"]] == top["text"]
    assert len(docs) == 5

    code, out, _ = run(capsys, "--data", data, "search", "five million mobilization", "--k", "1")
    assert code == 0
    assert "Institute for the Study of War" in out and f"[{top['start']}, {top['end']})" in out


def _cleaned(data, doc_id):
    from index.store import StoreReader

    reader = StoreReader(data)
    try:
        return reader.document(doc_id).cleaned_text
    finally:
        reader.close()


@pytest.mark.slow
def test_ingest_reports_bad_files_with_exit_code_1(capsys, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed_file("000"), folder / "good.txt")
    (folder / "empty.md").write_text("")
    code, out, err = run(capsys, "--data", str(tmp_path / "d"), "ingest", "-q", str(folder))
    assert code == 1
    assert "1 added" in out
    assert "empty.md: the file is empty" in err


@pytest.mark.slow
def test_sources_lists_duplicates(capsys, tmp_path):
    data = str(tmp_path / "d")
    run(capsys, "--data", data, "ingest", "-q", str(EXAMPLES))
    code, out, _ = run(capsys, "--data", data, "sources")
    assert code == 0
    line = next(ln for ln in out.splitlines() if "Meridian Daily" in ln)
    assert "duplicate of" in line
    assert "8 documents" in out


def test_search_without_index_exit_code_3(capsys, tmp_path):
    code, _, err = run(capsys, "--data", str(tmp_path / "none"), "search", "anything")
    assert code == 3
    assert "no index" in err and "twosource ingest" in err


def test_empty_query_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "--data", str(tmp_path / "none"), "search", "   ")
    assert code == 2 and "empty" in err


def test_bad_setting_is_reported(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TWOSOURCE_CHUNKING__SIZE", "not-a-number")
    code, _, err = run(capsys, "--data", str(tmp_path / "d"), "sources")
    assert code == 2 and "chunking.size" in err


def test_missing_embedder_folder_exit_code_4(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "--data",
        str(tmp_path / "d"),
        "--embedder",
        "sentence-transformers/all-mpnet-base-v2",
        "ingest",
        "-q",
        str(seed_file("000")),
    )
    assert code == 4
    assert "never downloads models" in err


def test_models_command_reports_packaged_defaults(capsys):
    code, out, _ = run(capsys, "models", "--json")
    info = json.loads(out)
    assert code == 0
    assert info["embedder"]["name"] == "all-MiniLM-L6-v2" and info["embedder"]["ok"]
    assert info["llm"]["ok"] and "Qwen2.5" in info["llm"]["name"]
    code, out, _ = run(capsys, "models", "--model", "/nope/model.gguf")
    assert code == 4 and "not found" in out


@pytest.fixture
def seed_data(capsys, tmp_path) -> str:
    data = str(tmp_path / "data")
    code, _, _ = run(capsys, "--data", data, "ingest", "-q", str(seed_dir()))
    assert code == 0
    return data


@pytest.mark.slow
def test_ask_json_with_a_real_small_model(capsys, seed_data):
    code, out, _ = run(
        capsys,
        "--data",
        seed_data,
        "ask",
        "--model",
        "smollm2",
        "--json",
        "Does Russia need to mobilize five million people to win the war?",
    )
    assert code == 0
    answer = json.loads(out)
    assert answer["status"] == "answered" and answer["sentences"]
    for sentence in answer["sentences"]:
        assert sentence["citations"]
        for c in sentence["citations"]:
            assert _cleaned(seed_data, c["doc_id"])[c["start"] : c["end"]] == c["quote"]


@pytest.mark.slow
def test_ask_abstains_with_exit_code_10(capsys, seed_data):
    code, out, _ = run(
        capsys, "--data", seed_data, "ask", "--no-stream", "Who won the football World Cup in 2022?"
    )
    assert code == 10
    assert "does not contain an answer" in out and "Closest passages" in out


@pytest.mark.slow
def test_ask_errors(capsys, seed_data, tmp_path):
    code, _, err = run(capsys, "--data", seed_data, "ask", "   ")
    assert code == 2 and "question is empty" in err
    code, _, err = run(
        capsys,
        "--data",
        seed_data,
        "ask",
        "--model",
        str(tmp_path / "no.gguf"),
        "Does Russia need to mobilize five million people?",
    )
    assert code == 4 and "no.gguf not found" in err
    code, _, err = run(capsys, "--data", seed_data, "ask", "--since", "last week", "Why?")
    assert code == 2 and "ISO date" in err
    code, _, err = run(capsys, "--data", str(tmp_path / "none"), "ask", "Anything here?")
    assert code == 3 and "twosource ingest" in err


@pytest.mark.parametrize("command", [["ask", "Why?"], ["chat"]])
def test_date_range_that_cannot_match_is_a_usage_error(capsys, tmp_path, command):
    # ask and chat share one check: checked before any index or model is opened.
    name, *rest = command
    args = ["--data", str(tmp_path), name, "--since", "2024-05", "--until", "2023-01", *rest]
    code, _, err = run(capsys, *args)
    assert code == 2 and "nothing could match" in err
