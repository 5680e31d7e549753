"""`twosource settings`: effective values, descriptions, and where each value came from."""

from __future__ import annotations

import json
import tomllib

from tests.qa.test_cli import run


def _data_with_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "twosource.toml").write_text("[retrieval]\nrrf_k = 50\n[answer]\nk = 7\n")
    return data


def test_sources_of_file_environment_command_line_and_default(capsys, tmp_path, monkeypatch):
    data = _data_with_file(tmp_path)
    monkeypatch.setenv("TWOSOURCE_ANSWER__K", "9")  # beats the file's k = 7
    code, out, _ = run(capsys, "--data", str(data), "--embedder", "/m", "settings", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["retrieval.rrf_k"]["value"] == 50
    assert report["retrieval.rrf_k"]["source"] == f"file {data / 'twosource.toml'}"
    assert report["answer.k"] == {
        "value": 9,
        "source": "environment TWOSOURCE_ANSWER__K",
        "description": "Passages (chunks) retrieved per question.",
    }
    assert report["embedding.model"]["value"] == "/m"
    assert report["embedding.model"]["source"] == "command line"
    assert report["data_dir"]["source"] == "command line"
    assert report["retrieval.per_doc"]["source"] == "default"
    assert report["models_dir"]["source"] == "environment TWOSOURCE_MODELS_DIR"  # conftest


def test_toml_output_is_valid_toml_with_descriptions_and_sources(capsys, tmp_path, monkeypatch):
    data = _data_with_file(tmp_path)
    monkeypatch.setenv("TWOSOURCE_DATA_DIR", str(data))
    code, out, _ = run(capsys, "settings")
    assert code == 0
    parsed = tomllib.loads(out)  # the output can be pasted into twosource.toml
    assert parsed["retrieval"]["rrf_k"] == 50 and parsed["answer"]["k"] == 7
    assert parsed["retrieval"]["sentence_cosine_weight"] == 0.65
    lines = out.splitlines()
    i = lines.index(f"rrf_k = 50  # file {data / 'twosource.toml'}")
    assert lines[i - 1].startswith("#")  # the description comes first
    assert f'data_dir = "{data}"  # environment TWOSOURCE_DATA_DIR' in lines
    assert "per_doc = 2  # default" in lines


def test_bad_settings_file_is_a_settings_error(capsys, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "twosource.toml").write_text("[retrieval]\nrrf_k = 0\n")
    code, _, err = run(capsys, "--data", str(data), "settings")
    assert code == 2 and "retrieval.rrf_k" in err
