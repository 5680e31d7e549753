"""Bad input files of every kind: each is refused or read with a clear reason, never hangs, and
the good files beside it still ingest."""

from __future__ import annotations

import io
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest

from index.errors import DocumentError
from index.ingest import ingest
from index.loaders import load_file
from index.settings import load_settings
from tests.conftest import EXAMPLES, seed_file
from tests.reliability.conftest import deadline, run_cli

ARTICLE = (
    "Harbour crane contract signed\n\n"
    "The port authority signed a contract for two new harbour cranes on Monday, its director "
    "said. The cranes will be delivered in the spring and double the terminal's capacity.\n\n"
    "Dock workers welcomed the decision but asked for training before the cranes arrive.\n"
)


def _load(path: Path):
    return load_file(path, 20_000_000)


# --- special files ------------------------------------------------------------------------


def test_named_fifo_is_refused_and_the_good_file_ingests(tmp_path, embedder):
    good = tmp_path / "good.txt"
    shutil.copy(seed_file("000"), good)
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with deadline(60):
        report = ingest([good, pipe], load_settings(tmp_path / "d"), embedder=embedder)
    assert report.added == [str(good.resolve())]
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert "FIFO" in reasons["pipe.txt"] and "not a regular file" in reasons["pipe.txt"]


def test_named_fifo_through_the_cli_exits_1_with_the_reason(tmp_path, capsys):
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    with deadline(60):
        code, _, err = run_cli(capsys, "--data", tmp_path / "d", "ingest", "-q", pipe)
    assert code == 1
    assert "pipe.md" in err and "FIFO" in err


def test_special_files_in_a_folder_are_reported_not_opened(tmp_path, embedder):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed_file("000"), folder / "good.txt")
    os.mkfifo(folder / "pipe.txt")
    with deadline(60):
        report = ingest([folder], load_settings(tmp_path / "d"), embedder=embedder)
    assert [Path(p).name for p in report.added] == ["good.txt"]
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert "FIFO" in reasons["pipe.txt"]


def test_named_socket_and_device_are_refused(tmp_path):
    from index.ingest import collect_files
    from index.records import IngestReport

    short = Path(tempfile.mkdtemp(dir="/tmp"))  # AF_UNIX paths are limited to ~100 bytes
    try:
        sock_path = short / "s.txt"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(sock_path))
        report = IngestReport()
        with deadline(30):
            found = collect_files([sock_path, "/dev/zero"], report)
        server.close()
    finally:
        shutil.rmtree(short, ignore_errors=True)
    assert found == []
    reasons = {p.path: p.reason for p in report.problems}
    assert "socket" in reasons[str(sock_path)]
    assert "device" in reasons["/dev/zero"]


def test_loader_never_blocks_on_a_fifo(tmp_path):
    pipe = tmp_path / "late.txt"
    os.mkfifo(pipe)
    with deadline(30), pytest.raises(DocumentError, match="FIFO"):
        _load(pipe)


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(tmp_path, encoding):
    path = tmp_path / "wide.txt"
    text = ARTICLE + "Café owners in Zürich said “yes”.\n"
    path.write_bytes(text.encode(encoding))
    loaded = _load(path)
    assert loaded.text.startswith("Harbour crane contract signed")
    assert "Café owners in Zürich said “yes”." in loaded.text
    assert loaded.encoding.replace("_", "-").lower() == encoding


def test_utf16_without_bom_cyrillic(tmp_path):
    path = tmp_path / "uk.txt"
    text = (
        "Міст закрито на ремонт\n\n" + "Міська рада повідомила, що міст закрито на три тижні.\n" * 6
    )
    path.write_bytes(text.encode("utf-16-le"))
    assert "Міська рада повідомила" in _load(path).text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_chinese_without_spaces(tmp_path, encoding):
    path = tmp_path / "zh.txt"
    text = "大桥将关闭三周进行维修。\n市政府周一表示，维修工程将于下月开始，交通将绕行。\n" * 10
    path.write_bytes(text.encode(encoding))
    assert "市政府周一表示" in _load(path).text


def test_binary_with_nul_bytes_is_still_refused(tmp_path):
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(DocumentError, match="binary data"):
        _load(path)


# --- HTML ---------------------------------------------------------------------------------


def test_html_nested_ten_thousand_levels_keeps_its_text(tmp_path):
    body = "".join(f"<p>{para}</p>" for para in ARTICLE.split("\n\n")[1:])
    html = (
        "<html><head><title>Harbour crane contract signed</title></head><body>"
        + "<div>" * 10_000
        + "<h1>Harbour crane contract signed</h1>"
        + body
        + "</div>" * 10_000
        + "</body></html>"
    )
    path = tmp_path / "deep.html"
    path.write_text(html)
    with deadline(60):
        loaded = _load(path)
    assert "signed a contract for two new harbour cranes" in loaded.text
    assert "asked for training before the cranes arrive" in loaded.text
    assert "<div>" not in loaded.text
    assert loaded.meta.get("title") == "Harbour crane contract signed"


def test_html_fallback_drops_scripts_and_styles(tmp_path):
    html = (
        "<div>" * 5000
        + "<script>var secret = 1;</script><style>p{color:red}</style>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
        + "</div>" * 5000
    )
    path = tmp_path / "deep2.htm"
    path.write_text(html)
    text = _load(path).text
    assert "secret" not in text and "color:red" not in text
    assert "double the terminal's capacity" in text


# --- PDF ----------------------------------------------------------------------------------


def _encrypted_pdf(tmp_path, user_password: str, algorithm: str = "RC4-128") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(EXAMPLES / "institute-transport-report.pdf"))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    path = tmp_path / ("locked.pdf" if user_password else "owner-only.pdf")
    path.write_bytes(buf.getvalue())
    return path


def test_password_protected_pdf_is_named_encrypted(tmp_path):
    path = _encrypted_pdf(tmp_path, "secret")
    with pytest.raises(DocumentError) as exc:
        _load(path)
    message = str(exc.value)
    assert "locked.pdf" in message and "password" in message and "encrypted" in message
    assert "damaged" not in message


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_encrypted_with_an_empty_password_is_opened(tmp_path, algorithm):
    plain = _load(EXAMPLES / "institute-transport-report.pdf")
    loaded = _load(_encrypted_pdf(tmp_path, "", algorithm))
    assert loaded.text == plain.text


@pytest.mark.parametrize(
    "body", ["*a " * 100_000, "[" * 300_000, "![a](" * 60_000, "_a " * 100_000]
)
def test_hostile_markdown_is_read_in_linear_time(tmp_path, body):
    path = tmp_path / "hostile.md"
    path.write_text(ARTICLE + body)
    started = time.monotonic()
    with deadline(60):
        loaded = _load(path)
    assert time.monotonic() - started < 5
    assert "harbour cranes" in loaded.text


def test_markdown_syntax_is_still_removed(tmp_path):
    path = tmp_path / "syntax.md"
    path.write_text(
        "# Cranes\n\nA **bold** and *italic* and _under_ word, my_var_name, "
        "[a link](http://x.y/a) and ![a picture](i.png). 5 * 3 = 15.\n"
    )
    assert _load(path).text == (
        "Cranes\n\nA bold and italic and under word, my_var_name, a link and . 5 * 3 = 15.\n"
    )


# --- front matter -------------------------------------------------------------------------


def _alias_bomb(levels: int = 6) -> str:
    lines = ["---", 'a0: &a0 "lol lol lol lol lol lol lol lol lol lol"']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"title: *a{levels}")
    lines += ["---", "", ARTICLE]
    return "\n".join(lines)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    path = tmp_path / "laughs.md"
    path.write_text(_alias_bomb())
    assert path.stat().st_size < 2500
    started = time.monotonic()
    with pytest.raises(DocumentError) as exc:
        _load(path)
    assert time.monotonic() - started < 1.0
    message = str(exc.value)
    assert "laughs.md" in message and "front matter" in message and "alias" in message


def test_yaml_alias_bomb_in_an_ingest_is_a_problem_not_a_title(tmp_path, embedder):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "laughs.md").write_text(_alias_bomb())
    shutil.copy(seed_file("000"), folder / "good.txt")
    report = ingest([folder], load_settings(tmp_path / "d"), embedder=embedder)
    assert [Path(p).name for p in report.added] == ["good.txt"]
    assert "alias" in report.problems[0].reason


def test_a_harmless_alias_still_works(tmp_path):
    path = tmp_path / "ok.md"
    path.write_text("---\noutlet: &o Harbour Ledger\nsource: *o\ntitle: Cranes\n---\n\n" + ARTICLE)
    assert _load(path).meta["outlet"] == "Harbour Ledger"


def test_oversized_metadata_fields_are_capped(tmp_path):
    path = tmp_path / "long.md"
    path.write_text(f"---\ntitle: {'Cranes ' * 2_000}\nauthor: Ann Lee\n---\n\n{ARTICLE}")
    loaded = _load(path)
    assert len(loaded.meta["title"]) <= 1000
    assert loaded.meta["author"] == "Ann Lee"


def test_huge_front_matter_is_refused(tmp_path):
    path = tmp_path / "big.md"
    filler = "\n".join(f"k{i}: {'x' * 60}" for i in range(5000))
    path.write_text(f"---\ntitle: Cranes\n{filler}\n---\n\n{ARTICLE}")
    with pytest.raises(DocumentError, match="front matter"):
        _load(path)


def test_toml_front_matter_nested_deeply_is_a_clear_problem(tmp_path):
    path = tmp_path / "deep.md"
    path.write_text("+++\ntitle = " + "[" * 5000 + "]" * 5000 + "\n+++\n\n" + ARTICLE)
    with pytest.raises(DocumentError, match="front matter"):
        _load(path)


def test_garbage_settings_file_is_named_with_the_fix(tmp_path):
    from index.errors import ConfigError
    from index.settings import load_settings

    (tmp_path / "twosource.toml").write_bytes(b"\xff\xfe garbage = [")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    message = str(exc.value)
    assert "twosource.toml" in message and "move it away" in message
