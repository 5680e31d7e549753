"""Read article files (txt, md, html, pdf) into plain text plus any explicit metadata.

Each loader returns a :class:`LoadedFile`; every problem raises :class:`DocumentError` with the
file name and a reason, so one bad file never stops the others.
"""

from __future__ import annotations

import json
import os
import re
import stat
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


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def special_file_kind(path: Path) -> str | None:
    """What a FIFO, socket or device is (``"a FIFO (named pipe)"``…), or None for anything else.

    Uses ``stat`` only: a FIFO is never opened (opening one for reading blocks until a writer
    comes, which may be never).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return None


def special_file_reason(kind: str) -> str:
    return (
        f"{kind}, not a regular file — skipped without opening it; TwoSource reads only "
        "regular article files (copy the data into a .txt/.md/.html/.pdf file to ingest it)"
    )


def special_file_problem(path: Path, kind: str) -> str:
    return f"{path}: {special_file_reason(kind)}"


def _open_regular(path: Path) -> int:
    """Open ``path`` for reading without ever blocking, and only if it is a regular file.

    ``O_NONBLOCK`` makes opening a FIFO return at once; the type is checked on the opened
    descriptor, so a file swapped for a FIFO after a ``stat`` is refused too.
    """
    kind = special_file_kind(path)
    if kind is not None:
        raise DocumentError(special_file_problem(path, kind))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{path}: not a regular file (a folder)") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read the file ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((k for test, k in _SPECIAL_KINDS if test(mode)), None)
        if kind is not None:
            raise DocumentError(special_file_problem(path, kind))
        raise DocumentError(f"{path}: not a regular file")
    return fd


def file_sha256(path: Path) -> str:
    """Hex sha256 of an article or sidecar file; refuses FIFOs, sockets and devices unopened.

    Raises:
        DocumentError: missing, unreadable or not a regular file.
    """
    import hashlib

    fd = _open_regular(path)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read the file ({exc.strerror})") from None
    return digest.hexdigest()


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file after checking it exists, is a regular file, is not empty and is under the
    size limit.

    The size is checked with ``fstat`` first, so an oversized file is never read into memory;
    FIFOs, sockets and devices are refused without blocking.
    """
    if not path.exists() and not path.is_symlink():
        raise DocumentError(f"{path}: no such file")
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        if size == 0:
            raise DocumentError(f"{path}: the file is empty")
        if size > max_bytes:
            raise DocumentError(
                f"{path}: the file is {size / 1e6:.1f} MB, over the limit of "
                f"{max_bytes / 1e6:.1f} MB — split it, or raise ingest.max_file_mb "
                "(TWOSOURCE_INGEST__MAX_FILE_MB)"
            )
        try:
            return fh.read()
        except OSError as exc:
            raise DocumentError(f"{path}: cannot read the file ({exc.strerror})") from None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Text and encoding of UTF-16 without a byte-order mark, or None.

    Both byte orders are decoded strictly; a candidate must read as text (no control
    characters, almost all printable — random binary data fails this, if only on its lone
    surrogates), and the right byte order is the one with more ASCII characters: spaces, line
    breaks and digits come out as themselves only when the order is right (U+000A, not U+0A00).
    Short samples (under 400 bytes) must also have their NUL bytes mostly on one side (odd or
    even positions) and be mostly ASCII.
    """
    even = data[: len(data) // 2 * 2]
    nul_even, nul_odd = even[0::2].count(0), even[1::2].count(0)
    one_sided = max(nul_even, nul_odd) >= 2 * min(nul_even, nul_odd)
    if len(even) < 16 or (not one_sided and len(even) < 400):
        return None  # too short to tell text from binary by its characters alone
    best: tuple[int, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = even.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _reads_as_text(text):
            continue
        ascii_chars = sum(1 for ch in text[:20000] if ch < "\x80")
        if len(even) < 400 and ascii_chars < 0.5 * len(text):
            continue  # a few odd bytes are not enough to call them text
        if best is None or ascii_chars > best[0]:
            best = (ascii_chars, text, encoding)
    return (best[1], best[2]) if best else None


def _reads_as_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\n\r\t\f")
    return printable >= 0.97 * len(sample) and _control_ratio(sample) <= 0.01


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as text: UTF-8 (with or without BOM), else the detected legacy encoding.

    Raises:
        DocumentError: the bytes look binary (NUL bytes, or no plausible text encoding).
    """
    head = data[:65536]
    if b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        wide = _utf16_without_bom(data)
        if wide is not None:
            return wide
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


# Longest value kept for each metadata field (longer ones are cut at a word boundary and marked
# with "…"): enough for any real headline or author list, and bounded whatever a file says.
MAX_META_CHARS = {"title": 1000, "outlet": 200, "author": 500, "published": 100, "url": 2000}
MAX_META_DEFAULT = 200
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024
MAX_FRONT_MATTER_EXPANSION = 100_000  # characters of scalars after every alias is expanded


def cap_meta_value(name: str, value: str) -> str:
    limit = MAX_META_CHARS.get(name, MAX_META_DEFAULT)
    value = value.strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def _bounded_str(value, limit: int) -> str:
    """``str`` of a scalar, or the ", "-joined scalars of nested lists/dicts, built without
    recursion and without ever holding more than about ``limit`` characters."""
    if not isinstance(value, (list, tuple, dict)):
        return str(value)[: limit + 1]
    parts: list[str] = []
    size = 0
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack and size <= limit:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, (list, tuple, dict)):
            stack.append(iter(item.values() if isinstance(item, dict) else item))
        elif item not in (None, ""):
            piece = str(item)[: limit + 1]
            parts.append(piece)
            size += len(piece) + 2
    return ", ".join(parts)[: limit + 1]


_END = object()


def _normalise_meta(raw: dict, source: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in raw.items():
        name = META_KEYS.get(str(key).lower()[:40])
        if name is None or value in (None, ""):
            continue
        limit = MAX_META_CHARS.get(name, MAX_META_DEFAULT)
        text = cap_meta_value(name, _bounded_str(value, limit))
        if text:
            meta[name] = text
    return meta


def read_sidecar(path: Path) -> dict[str, str]:
    data = read_bytes(path, MAX_SIDECAR_BYTES)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DocumentError(f"{path}: the metadata sidecar is not valid JSON ({detail})") from None
    if not isinstance(raw, dict):
        raise DocumentError(f"{path}: the metadata sidecar must hold a JSON object")
    return _normalise_meta(raw, path)


_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.DOTALL)


def _yaml_expanded_size(body: str, path: Path) -> None:
    """Refuse YAML whose aliases would expand beyond the budget ("billion laughs").

    The document is composed into its node graph (aliases point at shared nodes, nothing is
    expanded yet); each node's expanded size is then computed once, bottom-up, without recursion.
    """
    import yaml

    root = yaml.compose(body, Loader=yaml.SafeLoader)
    if root is None:
        return
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # nodes whose children are still being sized
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = len(node.value)
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 0) for c in children)
            if sizes[key] > MAX_FRONT_MATTER_EXPANSION:
                raise DocumentError(
                    f"{path}: the front matter uses YAML aliases (*name) that would expand to "
                    f"more than {MAX_FRONT_MATTER_EXPANSION:,} characters — refused (a "
                    '"billion laughs" file); write the values out without anchors and aliases'
                )
            continue
        if any(id(c) in open_nodes for c in children) or any(c is node for c in children):
            raise DocumentError(
                f"{path}: the front matter has a YAML alias that refers to itself — write the "
                "values out without anchors and aliases"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body.

    Parsed with a budget: at most ``MAX_FRONT_MATTER_BYTES`` of front matter, YAML aliases may
    not expand beyond ``MAX_FRONT_MATTER_EXPANSION`` characters, every field is capped.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    if match.end() > MAX_FRONT_MATTER_BYTES:
        raise DocumentError(
            f"{path}: the front matter is over {MAX_FRONT_MATTER_BYTES // 1024} KB — refused; "
            "keep only the metadata (title, outlet, author, date, url) between the fences"
        )
    fence, body = match.group(1), match.group(2)
    try:
        if fence == "+++":
            raw = tomllib.loads(body)
        else:
            import yaml

            _yaml_expanded_size(body, path)
            raw = yaml.safe_load(body) or {}
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError(
            f"{path}: the front matter is nested too deeply to read — keep only flat metadata "
            "fields (title, outlet, author, date, url)"
        ) from None
    except Exception as exc:
        raise DocumentError(f"{path}: the front matter cannot be parsed ({exc})") from None
    if not isinstance(raw, dict):
        return {}, text
    return _normalise_meta(raw, path), text[match.end() :]


# --- formats --------------------------------------------------------------------------------

# Each pattern stops at the next opening bracket or marker and at line ends, so a scan from
# one start never runs past the next start: linear time even on hostile input such as a
# megabyte of "[" or "*a " (the unbounded versions took minutes on 100 KB).
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]+)\]\([^()\n]*\)")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=[^\s*_])([^*_\n]+?)(?<=\S)\1(?!\w)")


def markdown_to_text(text: str) -> str:
    """Drop Markdown syntax that is not prose (headings marks, links, images, bold)."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip


def html_to_plain_text(html: str) -> tuple[str, str]:
    """Text and ``<title>`` of any HTML, however deeply nested: a streaming tag stripper
    (``html.parser`` keeps no tree and never recurses). Used when trafilatura finds nothing."""
    from html.parser import HTMLParser

    class _Stripper(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.title: list[str] = []
            self.skip = 0
            self.in_title = False

        def handle_starttag(self, tag, attrs):
            if tag in _SKIP_TAGS:
                self.skip += 1
            elif tag == "title":
                self.in_title = True
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_startendtag(self, tag, attrs):
            if tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in _SKIP_TAGS:
                self.skip = max(0, self.skip - 1)
            elif tag == "title":
                self.in_title = False
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data):
            if self.in_title:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)

    stripper = _Stripper()
    stripper.feed(html)
    stripper.close()
    lines = [
        re.sub(r"[ \t\r\f\v\xa0]+", " ", ln).strip() for ln in "".join(stripper.parts).split("\n")
    ]
    paragraphs = [ln for ln in lines if ln]
    title = re.sub(r"\s+", " ", "".join(stripper.title)).strip()
    return "\n\n".join(paragraphs), title


def load_html(data: bytes, path: Path) -> tuple[str, dict[str, str]]:
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DocumentError(
            f"{path}: HTML needs the 'trafilatura' and 'lxml_html_clean' packages ({exc})"
        ) from None
    html, _ = decode_text(data, path)
    try:
        result = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception:  # any parser failure: fall back to plain text below
        result = None  # pathological markup (e.g. nested thousands of levels deep)
    text = getattr(result, "text", None) if result is not None else None
    meta: dict[str, str] = {}
    if not text or not text.strip():
        # trafilatura found no article (lxml gives up on very deep trees): fall back to plain
        # text extraction rather than lose the text; the cleaner then removes site furniture.
        text, title = html_to_plain_text(html)
        if len(text.split()) < 5:
            raise DocumentError(f"{path}: no article text found in the HTML")
        if title:
            meta["title"] = title
        return text, meta
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
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Only a real password opens it; an empty user password (owner-only protection,
            # common for "no copying" PDFs) was accepted above and the text is read as usual.
            raise FileNotDecryptedError("a password is needed")
        pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
        info = reader.metadata or {}
    except FileNotDecryptedError:
        raise DocumentError(
            f"{path}: the PDF is encrypted and needs a password to open — save an unprotected "
            "copy (e.g. `qpdf --decrypt --password=… in.pdf out.pdf`) and ingest that"
        ) from None
    except DependencyError as exc:
        raise DocumentError(
            f"{path}: the PDF is encrypted with AES, which needs the 'cryptography' package to "
            f"open ({exc}) — `pip install cryptography`, or save an unprotected copy"
        ) from None
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
    meta = {name: cap_meta_value(name, value) for name, value in meta.items()}
    sidecar = find_sidecar(path)
    if sidecar is not None:
        meta.update(read_sidecar(sidecar))  # the sidecar wins over embedded metadata
    return LoadedFile(
        path=path, format=fmt, text=text, meta=meta, hints=hints, encoding=encoding, sidecar=sidecar
    )
