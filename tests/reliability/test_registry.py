"""Hostile values for the source registry: refused with a clear message before anything is
written; quoting that survives a round trip; atomic writes that never leave a broken file."""

from __future__ import annotations

import tomllib

import pytest

from index.errors import ConfigError
from qa.sources import SourceRegistry
from tests.reliability.conftest import run_cli


@pytest.mark.parametrize(
    "name",
    ["Evil\x01Wire", "Line\nBreak", "Tab\tOutlet", "Nul\x00Wire", "Esc\x1b[31mRed", "Del\x7f"],
)
def test_control_characters_in_an_outlet_are_refused(tmp_path, capsys, name):
    data = tmp_path / "d"
    code, out, err = run_cli(capsys, "--data", data, "outlets", "set", "Harbour Ledger", "verified")
    assert code == 0
    before = (data / "sources.toml").read_bytes()
    code, out, err = run_cli(capsys, "--data", data, "outlets", "set", name, "verified")
    assert code == 2
    assert "control character" in err and "outlet" in err
    assert (data / "sources.toml").read_bytes() == before
    code, out, err = run_cli(capsys, "--data", data, "outlets", "list")
    assert code == 0 and "Harbour Ledger" in out


def test_control_characters_in_a_note_are_refused(tmp_path):
    registry = SourceRegistry(tmp_path)
    with pytest.raises(ConfigError, match="note"):
        registry.set("Harbour Ledger", "verified", note="ok\x07")
    assert not (tmp_path / "sources.toml").exists()


@pytest.mark.parametrize(
    "name",
    [
        'The "Quoted" Times',
        "Back\\slash News",
        "Ünïcödé Zeitung — 新闻",
        "]] [outlets.fake] x = '",
        "O'Reilly Wire",
        '"""triple"""',
    ],
)
def test_awkward_names_round_trip(tmp_path, name):
    registry = SourceRegistry(tmp_path)
    registry.set(name, "unreliable", note='said "no" \\ twice')
    raw = tomllib.loads((tmp_path / "sources.toml").read_text(encoding="utf-8"))
    assert list(raw["outlets"]) == [name]
    fresh = SourceRegistry(tmp_path)
    assert fresh.status(name) == "unreliable"
    assert fresh.entries[name.lower()].note == 'said "no" \\ twice'


def test_overlong_outlet_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="long"):
        SourceRegistry(tmp_path).set("W" * 5000, "verified")


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    registry = SourceRegistry(tmp_path)
    registry.set("Harbour Ledger", "verified")
    before = (tmp_path / "sources.toml").read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qa.sources._fsync", broken)
    with pytest.raises(ConfigError, match="sources.toml"):
        registry.set("Valley Courier", "unreliable")
    assert (tmp_path / "sources.toml").read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_a_broken_registry_file_names_itself_and_the_fix(tmp_path, capsys):
    (tmp_path / "sources.toml").write_bytes(b'[outlets."Evil\x01Wire"]\nstatus = "verified"\n')
    code, _out, err = run_cli(capsys, "--data", tmp_path, "outlets", "list")
    assert code == 2
    assert "sources.toml" in err and ("fix" in err or "delete" in err)
