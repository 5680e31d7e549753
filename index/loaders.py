"""Read article files (txt, md, html, pdf) into plain text plus any explicit metadata.

Each loader returns a :class:`LoadedFile`; every problem raises :class:`DocumentError` with the
file name and a reason, so one bad file never stops the others.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_SUFFIXES = {".html": "html", ".htm": "html"}
PDF_SUFFIXES = {".pdf": "pdf"}
SUPPORTED = {**TEXT_SUFFIXES, **HTML_SUFFIXES, **PDF_SUFFIXES}
SIDECAR_SUFFIX = ".meta.json"
META_KEYS = {
    "title": "title",
    "headline": "title",
    "outlet": "outlet",
    "publisher": "outlet",
    "source": "outlet",
    "site": "outlet",
    "site_name": "outlet",
    "sitename": "outlet",
    "author": "author",
    "authors": "author",
    "byline": "author",
    "published": "published",
    "date": "published",
    "published_at": "published",
    "url": "url",
    "link": "url",
    "language": "language",
    "lang": "language",
}


@dataclass
class LoadedFile:
    path: Path
    format: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)  # explicit metadata only
    hints: dict[str, str] = field(default_factory=dict)  # guesses from the file's structure
    encoding: str = "utf-8"
    sidecar: Path | None = None


def supported_format(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX)


def find_sidecar(path: Path) -> Path | None:
    """``article.txt.meta.json`` or ``article.meta.json`` beside the file."""
    for candidate in (
        path.with_name(path.name + SIDECAR_SUFFIX),
        path.with_name(path.stem + SIDECAR_SUFFIX),
    ):
        if candidate.is_file():
            return candidate
    return None


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file after checking it exists, is not empty and is under the size limit.

    The size is checked with ``stat`` first, so an oversized file is never read into memory.
    """
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(f"{path}: the file is empty")
    if size > max_bytes:
        raise DocumentError(
            f"{path}: the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB "
            "— split it, or raise ingest.max_file_mb (TWOSOURCE_INGEST__MAX_FILE_MB)"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read the file ({exc.strerror})") from None


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as text: UTF-8 (with or without BOM), else the detected legacy encoding.

    Raises:
        DocumentError: the bytes look binary (NUL bytes, or no plausible text encoding).
    """
    head = data[:65536]
    if b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        raise DocumentError(f"{path}: binary data, not text (is it really a {path.suffix} file?)")
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(head))
    encoding = matches[0].encoding if matches else "cp1252"
    # Ties are common on short Western text; prefer the most widespread legacy encoding then.
    if any(
        m.encoding in ("cp1252", "latin_1", "iso8859_15") and m.chaos <= matches[0].chaos + 0.01
        for m in matches
    ):
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding = "latin-1"  # decodes any byte sequence
        text = data.decode(encoding)
    if _control_ratio(text) > 0.05:
        raise DocumentError(f"{path}: binary data, not text (is it really a {path.suffix} file?)")
    return text, encoding


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


# --- sidecars and front matter -------------------------------------------------------------


def _normalise_meta(raw: dict, source: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in raw.items():
        name = META_KEYS.get(str(key).lower())
        if name is None or value in (None, ""):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        meta[name] = str(value).strip()
    return meta


def read_sidecar(path: Path) -> dict[str, str]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: the metadata sidecar is not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise DocumentError(f"{path}: the metadata sidecar must hold a JSON object")
    return _normalise_meta(raw, path)


_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fence, body = match.group(1), match.group(2)
    try:
        if fence == "+++":
            raw = tomllib.loads(body)
        else:
            import yaml

            raw = yaml.safe_load(body) or {}
    except Exception as exc:
        raise DocumentError(f"{path}: the front matter cannot be parsed ({exc})") from None
    if not isinstance(raw, dict):
        return {}, text
    return _normalise_meta(raw, path), text[match.end() :]


# --- formats --------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")


def markdown_to_text(text: str) -> str:
    """Drop Markdown syntax that is not prose (headings marks, links, images, bold)."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def load_html(data: bytes, path: Path) -> tuple[str, dict[str, str]]:
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DocumentError(
            f"{path}: HTML needs the 'trafilatura' and 'lxml_html_clean' packages ({exc})"
        ) from None
    html, _ = decode_text(data, path)
    result = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise DocumentError(f"{path}: no article text found in the HTML")
    meta: dict[str, str] = {}
    for attr, name in (
        ("title", "title"),
        ("sitename", "outlet"),
        ("author", "author"),
        ("date", "published"),
        ("url", "url"),
        ("language", "language"),
    ):
        value = getattr(result, attr, None)
        if value:
            meta[name] = str(value).strip()
    return text, meta


_PAGE_NO = re.compile(r"^(page\s+)?\d+(\s*(of|/)\s*\d+)?$", re.IGNORECASE)


def _page_furniture(pages: list[list[str]]) -> set[str]:
    """Running headers/footers: lines at a page's top or bottom that recur on other pages."""
    if len(pages) < 2:
        return set()
    seen: dict[str, int] = {}
    for lines in pages:
        edge = {re.sub(r"\d+", "#", ln.strip()) for ln in lines[:3] + lines[-3:] if ln.strip()}
        for key in edge:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, n in seen.items() if n >= 2}


def reflow(lines: list[str]) -> str:
    """Join the hard-wrapped lines of a PDF page into paragraphs.

    A line continues the previous one unless the previous is short (a heading or a paragraph's
    last line) or ends a sentence and is noticeably shorter than the page's text width.
    """
    width = max((len(ln.strip()) for ln in lines), default=0)
    out: list[str] = []
    last_len = 0  # length of the previous physical line
    for line in lines:
        s = line.strip()
        if not s:
            if out and out[-1] != "":
                out.append("")
            last_len = 0
            continue
        prev = out[-1] if out else ""
        joins = bool(prev) and last_len >= 0.75 * width and not re.match(r"^(\d+\.|[-•*])\s", s)
        last_len = len(s)
        if joins and prev.endswith("-") and s[:1].islower():
            out[-1] = prev[:-1] + s
        elif joins:
            out[-1] = prev + " " + s
        else:
            if prev:
                out.append("")
            out.append(s)
    return "\n".join(out)


def load_pdf(data: bytes, path: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise DocumentError(f"{path}: not a PDF file (no %PDF header)")
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
        info = reader.metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise DocumentError(f"{path}: the PDF is damaged or truncated ({exc})") from None
    furniture = _page_furniture(pages)
    hints: dict[str, str] = {}
    kept_pages = []
    for lines in pages:
        body = []
        for ln in lines:
            key = re.sub(r"\d+", "#", ln.strip())
            if key in furniture or _PAGE_NO.match(ln.strip()):
                if key in furniture and "outlet" not in hints:
                    head = re.split(r"\s+[-–|]\s+", ln.strip())[0]
                    if 1 < len(head.split()) <= 6 and not _PAGE_NO.match(head):
                        hints["outlet"] = head
                continue
            body.append(ln)
        kept_pages.append(reflow(body))
    text = "\n\n".join(p.strip() for p in kept_pages if p.strip())
    if not text.strip():
        raise DocumentError(
            f"{path}: the PDF has no extractable text (a scanned PDF? run OCR on it first)"
        )
    meta: dict[str, str] = {}
    title = info.get("/Title") if hasattr(info, "get") else None
    author = info.get("/Author") if hasattr(info, "get") else None
    created = info.get("/CreationDate") if hasattr(info, "get") else None
    if title:
        meta["title"] = str(title).strip()
    if author:
        meta["author"] = str(author).strip()
    if created:
        match = re.match(r"D?:?(\d{4})(\d{2})(\d{2})", str(created))
        if match:
            meta["published"] = "-".join(match.groups())
    return text, meta, hints


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    """Load one article file.

    Raises:
        DocumentError: unsupported type, empty, too large, binary, undecodable or damaged file.
    """
    fmt = supported_format(path)
    if fmt is None:
        raise DocumentError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}' "
            f"(supported: {', '.join(sorted(SUPPORTED))})"
        )
    data = read_bytes(path, max_bytes)
    encoding = "utf-8"
    meta: dict[str, str] = {}
    hints: dict[str, str] = {}
    if fmt == "pdf":
        text, meta, hints = load_pdf(data, path)
    elif fmt == "html":
        text, meta = load_html(data, path)
    else:
        text, encoding = decode_text(data, path)
        text = normalise_newlines(text)
        if fmt == "md" or text.startswith(("---\n", "+++\n")):
            meta, text = split_front_matter(text, path)
        if fmt == "md":
            text = markdown_to_text(text)
    text = normalise_newlines(text)
    if not text.strip():
        raise DocumentError(f"{path}: no text left after reading the file")
    sidecar = find_sidecar(path)
    if sidecar is not None:
        meta.update(read_sidecar(sidecar))  # the sidecar wins over embedded metadata
    return LoadedFile(
        path=path, format=fmt, text=text, meta=meta, hints=hints, encoding=encoding, sidecar=sidecar
    )
