#!/usr/bin/env python3
"""Build the fictional demo PDF used in examples/articles/.

Writes examples/articles/institute-transport-report.pdf: a short, entirely fictional
brief by the "Port Alder Policy Institute". The PDF 1.4 file is assembled by hand using
only the Python standard library (no third-party packages): the standard Helvetica fonts,
one content stream per page, an /Info dictionary and a classic xref table with exact byte
offsets. The output is deterministic, so re-running the script gives an identical file.

Usage (from the repository root):

    python3 scripts/make_demo_pdf.py [output-path]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "examples" / "articles" / "institute-transport-report.pdf"

TITLE = "Traffic after the bridge closure"
AUTHOR = "Saskia Vendel and Arvo Lindtmann, Port Alder Policy Institute"
SUBJECT = "Policy brief 2025/03: estimated traffic impact of the Alder River Bridge closure"
CREATION_DATE = "D:20250225093000+00'00'"

# A4 portrait, in points.
PAGE_W, PAGE_H = 595, 842
MARGIN_L, MARGIN_R, MARGIN_TOP, MARGIN_BOTTOM = 72, 72, 80, 90
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R

# Advance widths (1/1000 em) of the standard Helvetica font for printable ASCII 32..126,
# with WinAnsiEncoding (0x27 = quotesingle, 0x60 = grave).
_HELVETICA_WIDTHS = [
    278,
    278,
    355,
    556,
    556,
    889,
    667,
    191,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,  # 32-47
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    278,
    278,
    584,
    584,
    584,
    556,  # 48-63
    1015,
    667,
    667,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    500,
    667,
    556,
    833,
    722,
    778,  # 64-79
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,
    278,
    278,
    278,
    469,
    556,  # 80-95
    333,
    556,
    556,
    500,
    556,
    556,
    278,
    556,
    556,
    222,
    222,
    500,
    222,
    833,
    556,
    556,  # 96-111
    556,
    556,
    333,
    500,
    278,
    556,
    500,
    722,
    500,
    500,
    500,
    334,
    260,
    334,
    584,  # 112-126
]
# Helvetica-Bold is somewhat wider; a uniform factor is a safe over-estimate for wrapping.
_BOLD_FACTOR = 1.12

# The brief. Blocks are (style, text); "break" forces a new page.
BLOCKS: list[tuple[str, str]] = [
    ("small", "PORT ALDER POLICY INSTITUTE  |  POLICY BRIEF 2025/03  |  25 FEBRUARY 2025"),
    ("title", TITLE),
    (
        "subtitle",
        "How many journeys the Alder River Bridge works will disrupt, and what the "
        "city can do about it",
    ),
    ("small", "Saskia Vendel and Arvo Lindtmann"),
    ("heading", "Summary"),
    (
        "body",
        "The city of Port Alder has announced that the Alder River Bridge will close to "
        "traffic for 14 weeks from 3 March 2025 for structural repairs. Using our own "
        "traffic counts, we estimate that about 11,000 vehicle crossings a day will be "
        "affected by the closure. Most of these journeys will move to the signed detour "
        "via Quarry Road, a route that was not designed for that volume. We expect "
        "serious congestion at peak times unless demand is spread more evenly across "
        "the day.",
    ),
    ("heading", "1. How we estimated the number of affected crossings"),
    (
        "body",
        "Between 13 and 26 January 2025 the Institute placed automatic counters on both "
        "approaches to the bridge and on Quarry Road. The counters recorded an average of "
        "about 11,000 vehicle crossings of the bridge on weekdays, with lower figures at "
        "weekends. This figure is our own and has not been supplied by the city or by the "
        "regional transport department. January traffic is usually lighter than spring "
        "traffic, so the true number during the closure may be slightly higher.",
    ),
    (
        "body",
        "Roughly two in five of the crossings we counted took place in the two morning "
        "and evening peak hours combined. Buses and goods vehicles made up a small share "
        "of the total, but they matter more than their numbers suggest, because they are "
        "the hardest vehicles to move onto narrow residential streets.",
    ),
    ("break", ""),
    ("heading", "2. What happens on Quarry Road"),
    (
        "body",
        "On the same weekdays, Quarry Road carried far less traffic than the bridge. If "
        "even half of the displaced crossings move onto it, peak-hour traffic on the "
        "weir crossing would more than double. Our simple junction model suggests that "
        "queues on the eastern approach could stretch back past the Ferrier Street "
        "roundabout during the morning peak in the first weeks of the closure, before "
        "drivers adjust their habits.",
    ),
    ("heading", "3. Recommendations"),
    (
        "body",
        "First, the city and large employers should encourage staggered working hours "
        "for the full 14 weeks, not only for the first fortnight. Second, a temporary "
        "bus lane on the approach to Quarry Road would protect the reliability of the "
        "services that many valley commuters depend on. Third, the proposed park-and-ride "
        "at the former Westerby rail yard deserves serious and early consideration. "
        "Finally, the city should publish its own traffic counts during the closure, so "
        "that residents and researchers can check how the detour is performing.",
    ),
    ("heading", "About this brief"),
    (
        "body",
        "The Port Alder Policy Institute is an independent research organisation. It has "
        "no role in the bridge repairs and received no funding for this analysis. The "
        "closure dates are taken from the city's public announcement; all traffic "
        "figures are the Institute's own estimates.",
    ),
]

STYLES: dict[str, tuple[str, float, float, float]] = {
    # style: (font resource, size, leading, space before)
    "title": ("F2", 20, 26, 10),
    "subtitle": ("F1", 12.5, 17, 2),
    "heading": ("F2", 12.5, 17, 14),
    "body": ("F1", 11, 15.5, 6),
    "small": ("F1", 8.5, 12, 4),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    total = 0
    for ch in text:
        code = ord(ch)
        total += _HELVETICA_WIDTHS[code - 32] if 32 <= code <= 126 else 556
    width = total * size / 1000
    return width * _BOLD_FACTOR if bold else width


def wrap(text: str, size: float, bold: bool, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def pdf_string(text: str) -> bytes:
    """Encode text as a PDF literal string, escaping \\, ( and ) (and non-ASCII bytes)."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in (0x5C, 0x28, 0x29):  # \ ( )
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode("ascii")
        else:
            out.append(byte)
    out += b")"
    return bytes(out)


def layout(blocks: list[tuple[str, str]]) -> list[list[tuple[str, float, float, float, str]]]:
    """Return pages; each page is a list of (font, size, x, y, text) lines."""
    pages: list[list[tuple[str, float, float, float, str]]] = [[]]
    y = PAGE_H - MARGIN_TOP
    for style, text in blocks:
        if style == "break":
            pages.append([])
            y = PAGE_H - MARGIN_TOP
            continue
        font, size, leading, before = STYLES[style]
        bold = font == "F2"
        if pages[-1]:
            y -= before
        for line in wrap(text, size, bold, TEXT_W):
            if y - leading < MARGIN_BOTTOM:
                pages.append([])
                y = PAGE_H - MARGIN_TOP
            y -= leading
            pages[-1].append((font, size, MARGIN_L, y, line))
    return pages


def content_stream(
    lines: list[tuple[str, float, float, float, str]], page_no: int, page_count: int
) -> bytes:
    ops: list[bytes] = []
    # Thin rule under the running header and above the footer.
    ops.append(b"0.6 G 0.5 w")
    ops.append(f"{MARGIN_L} {PAGE_H - 60} m {PAGE_W - MARGIN_R} {PAGE_H - 60} l S".encode())
    ops.append(f"{MARGIN_L} 62 m {PAGE_W - MARGIN_R} 62 l S".encode())
    ops.append(b"0 g")
    header = "Port Alder Policy Institute - Traffic after the bridge closure"
    ops.append(
        b"BT /F1 8 Tf 1 0 0 1 %d %d Tm " % (MARGIN_L, PAGE_H - 54) + pdf_string(header) + b" Tj ET"
    )
    footer = f"Policy brief 2025/03  |  Page {page_no} of {page_count}"
    ops.append(b"BT /F1 8 Tf 1 0 0 1 %d 48 Tm " % MARGIN_L + pdf_string(footer) + b" Tj ET")
    for font, size, x, y, text in lines:
        ops.append(
            f"BT /{font} {size:g} Tf 1 0 0 1 {x:g} {y:.2f} Tm ".encode()
            + pdf_string(text)
            + b" Tj ET"
        )
    return b"\n".join(ops) + b"\n"


def build_pdf(blocks: list[tuple[str, str]]) -> bytes:
    pages = layout(blocks)
    n_pages = len(pages)

    # Object numbering: 1 catalog, 2 pages tree, 3 Helvetica, 4 Helvetica-Bold, 5 info,
    # then (page, contents) pairs starting at 6.
    first_page_obj = 6
    page_ids = [first_page_obj + 2 * i for i in range(n_pages)]
    objects: dict[int, bytes] = {}
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % pid for pid in page_ids)
    objects[2] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n_pages
    objects[3] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    objects[4] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    objects[5] = (
        b"<< /Title "
        + pdf_string(TITLE)
        + b" /Author "
        + pdf_string(AUTHOR)
        + b" /Subject "
        + pdf_string(SUBJECT)
        + b" /Creator "
        + pdf_string("Port Alder Policy Institute")
        + b" /Producer "
        + pdf_string("make_demo_pdf.py (TwoSource demo corpus)")
        + b" /CreationDate "
        + pdf_string(CREATION_DATE)
        + b" /ModDate "
        + pdf_string(CREATION_DATE)
        + b" >>"
    )
    for i, lines in enumerate(pages):
        page_id, contents_id = page_ids[i], page_ids[i] + 1
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (PAGE_W, PAGE_H)
            + b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            + b"/Contents %d 0 R >>" % contents_id
        )
        stream = content_stream(lines, i + 1, n_pages)
        objects[contents_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"

    size = max(objects) + 1
    xref_offset = len(out)
    out += b"xref\n0 %d\n" % size
    out += b"0000000000 65535 f \n"
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\n" % size
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def main(argv: list[str]) -> int:
    out_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    data = build_pdf(BLOCKS)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(data)
    words = sum(len(text.split()) for style, text in BLOCKS if style != "break")
    print(f"wrote {out_path} ({len(data)} bytes, {len(layout(BLOCKS))} pages, ~{words} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
