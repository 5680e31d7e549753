"""Bad input gets a clear, specific error; good input of every format loads."""

from __future__ import annotations

import tracemalloc

import pytest

from index.errors import DocumentError
from index.ingest import ingest
from index.loaders import decode_text, load_file, reflow
from tests.conftest import EXAMPLES, seed_file

MB = 1_000_000


def _load(path, max_mb=20):
    return load_file(path, int(max_mb * MB))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(DocumentError, match="empty"):
        _load(path)


def test_binary_file_named_txt(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(DocumentError, match="binary data, not text"):
        _load(path)


def test_binary_file_named_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(DocumentError, match="not a PDF"):
        _load(path)


def test_truncated_pdf(tmp_path):
    data = (EXAMPLES / "institute-transport-report.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DocumentError, match=r"damaged or truncated|no extractable text"):
        _load(path)


def test_latin1_text_is_decoded(tmp_path):
    text = "Café owners in Málaga said the façade would reopen in señor Núñez's street.\n" * 3
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    loaded = _load(path)
    assert "Café owners in Málaga" in loaded.text
    assert "façade" in loaded.text and "Núñez" in loaded.text
    assert loaded.encoding.lower().replace("_", "-") in {
        "latin-1",
        "iso-8859-1",
        "cp1252",
        "windows-1252",
        "cp1250",
    }


def test_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("Headline here\n\nBody text.".encode("utf-8-sig"))
    assert _load(path).text.startswith("Headline here")


def test_decode_rejects_nul_bytes(tmp_path):
    with pytest.raises(DocumentError):
        decode_text(b"abc\x00\x00def", tmp_path / "x.txt")


def test_missing_path(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        _load(tmp_path / "nope.txt")


def test_unsupported_type(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="unsupported file type '.docx'"):
        _load(path)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    line = b"The council met again on Tuesday to discuss the harbour budget.\n"
    with path.open("wb") as fh:
        for _ in range(50 * MB // len(line) + 1):
            fh.write(line)
    tracemalloc.start()
    with pytest.raises(DocumentError, match=r"50\.0 MB, over the limit of 20\.0 MB"):
        _load(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * MB, f"refusing a 50 MB file used {peak / MB:.1f} MB"


def test_html_demo_page_metadata_and_text():
    loaded = _load(EXAMPLES / "ledger-library-budget.html")
    assert loaded.format == "html"
    assert loaded.meta["outlet"] == "Harbour Ledger"
    assert loaded.meta["published"].startswith("2025-02-20")
    assert "9 percent" in loaded.text
    assert "<script" not in loaded.text and "cookie" not in loaded.text.lower()


def test_pdf_demo_text_metadata_and_running_headers():
    loaded = _load(EXAMPLES / "institute-transport-report.pdf")
    assert loaded.meta["title"] == "Traffic after the bridge closure"
    assert loaded.meta["published"] == "2025-02-25"
    assert loaded.hints["outlet"] == "Port Alder Policy Institute"
    assert "Page 1 of 2" not in loaded.text
    # Hard-wrapped lines are joined back into sentences.
    assert "This figure is our own and has not been supplied by the city" in loaded.text


def test_reflow_keeps_headings_and_joins_wrapped_lines():
    lines = [
        "A heading",
        "",
        "This is a long line of running text that wraps at the page",
        "width and continues here.",
        "Short last line.",
    ]
    text = reflow(lines)
    assert "running text that wraps at the page width and continues here." in text
    assert text.startswith("A heading\n\n")


def test_markdown_front_matter_and_sidecar():
    md = _load(EXAMPLES / "ledger-bridge-closure.md")
    assert md.meta["outlet"] == "Harbour Ledger" and md.meta["title"]
    assert not md.text.lstrip().startswith("---")
    txt = _load(EXAMPLES / "courier-bridge-closure.txt")
    assert txt.sidecar is not None and txt.meta["outlet"] == "Valley Courier"


def test_bad_files_are_reported_and_the_rest_ingest(tmp_path, settings, embedder):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_file("000").read_text(encoding="utf-8"))
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (folder / "image.png").write_bytes(b"\x89PNG")
    report = ingest([folder, tmp_path / "missing-folder"], settings, embedder=embedder)
    assert [p.rsplit("/", 1)[-1] for p in report.added] == ["good.txt"]
    reasons = {p.path.rsplit("/", 1)[-1]: p.reason for p in report.problems}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert "unsupported" in reasons["image.png"]
    assert "no such file" in reasons["missing-folder"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет. Совет города собрался во вторник и обсудил бюджет.\n" * 3, "cp1251"),
        ("Zażółć gęślą jaźń, powiedział burmistrz miasta w czwartek.\n" * 3, "cp1250"),
    ],
)
def test_other_legacy_encodings(tmp_path, text, encoding):
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    assert _load(path).text == text
