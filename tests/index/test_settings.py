"""One settings tree: defaults, twosource.toml in the data dir, environment, arguments."""

from __future__ import annotations

import pytest

from index.errors import ConfigError
from index.settings import load_settings


def test_precedence(tmp_path, monkeypatch):
    (tmp_path / "twosource.toml").write_text("[chunking]\nsize = 700\noverlap = 100\n")
    assert load_settings(tmp_path).chunking.size == 700
    monkeypatch.setenv("TWOSOURCE_CHUNKING__SIZE", "800")
    assert load_settings(tmp_path).chunking.size == 800
    assert load_settings(tmp_path, chunking={"size": 600}).chunking.size == 600
    assert load_settings(tmp_path).chunking.overlap == 100


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TWOSOURCE_DATA_DIR", str(tmp_path / "env-data"))
    assert load_settings().data_dir == tmp_path / "env-data"


def test_unknown_setting_is_an_error(tmp_path):
    (tmp_path / "twosource.toml").write_text("[chunking]\nsise = 700\n")
    with pytest.raises(ConfigError, match="chunking.sise"):
        load_settings(tmp_path)


def test_malformed_toml(tmp_path):
    (tmp_path / "twosource.toml").write_text("[chunking\n")
    with pytest.raises(ConfigError, match="twosource.toml"):
        load_settings(tmp_path)
