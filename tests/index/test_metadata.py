"""Metadata: inferred from the seed articles' text, read from sidecars and front matter."""

from __future__ import annotations

from index.clean import clean_text
from index.metadata import build_meta, canonical_outlet, parse_date
from tests.conftest import seed_file


def _meta(prefix: str):
    raw = seed_file(prefix).read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    return build_meta({}, raw, cleaned.text, cleaned.title_line)


def test_seed_outlets_titles_and_dates_are_inferred():
    espreso = _meta("001")
    assert espreso.outlet == "Espreso Global"
    assert espreso.published == "2024-02-27"
    assert espreso.title.startswith("Russians hesitate conducting mobilization")
    assert {"outlet", "published", "title"} <= set(espreso.inferred)

    isw = _meta("002")
    assert isw.outlet == "Institute for the Study of War"
    assert isw.title and isw.title != "Key Takeaways"

    repost = _meta("004")
    assert repost.outlet == "Amnon Free Press"
    assert (
        repost.title == "Putin’s fear of societal backlash prevents new mobilization wave, ISW says"
    )

    assert _meta("000").title == "Ukrainian Intelligence Confirms Russia’s Failed Mobilization"
    assert _meta("000").outlet == ""  # nothing in the text names the publisher
    assert _meta("003").title.startswith("Is Russia Losing the War?")


def test_explicit_metadata_wins_and_is_not_marked_inferred():
    raw = "Some headline here\n\nBody text of the article.\n"
    meta = build_meta(
        {"outlet": "WSJ", "published": "March 3, 2025", "title": "Given"}, raw, raw, None
    )
    assert meta.outlet == "The Wall Street Journal"
    assert meta.published == "2025-03-03"
    assert meta.title == "Given"
    assert "outlet" not in meta.inferred and "title" not in meta.inferred


def test_parse_date_formats():
    assert parse_date("27 February, 2024 Tuesday") == "2024-02-27"
    assert parse_date("Published Nov. 5, 2023") == "2023-11-05"
    assert parse_date("2025-02-20T09:00:00Z") == "2025-02-20"
    assert parse_date("31 February 2024") == ""


def test_canonical_outlet():
    assert canonical_outlet("ISW") == "Institute for the Study of War"
    assert canonical_outlet("Amnon Free Press®") == "Amnon Free Press"
