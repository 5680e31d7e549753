"""Boilerplate removal on the real seed articles: what goes, and that the body stays whole."""

from __future__ import annotations

import re

import pytest

from index.clean import clean_text, line_reason
from tests.conftest import seed_file, seed_paths

# Lines of site furniture in the seed articles that must not survive cleaning.
REMOVED = {
    "001": [
        "Espreso. Global",
        "client/title.list_title",
        "Tags:",
        "Read also:",
        "Ukraine frees 150 defenders from Russian captivity",
        "Russian conscription fails to offset battlefield losses — ISW",
        "More news",
        "2025, Wednesday",
        "16:50",
    ],
    "002": ["See the full report here.", "You can also highlight the text and press Ctrl + Enter"],
    "003": ["Leave a Reply"],
    "004": [
        'Press "Enter" to skip to content',
        "A devastating Russian missile strike on a university and hospital in Poltava",
        "putin's fear societal backlash prevents new mobilization wave isw says",
        "Related:",
        "You could close this page.",
        "cup of coffee",
        "Become a Patron!",
        "Be First to Comment",
        "Discover more from Amnon Free Press",
        "Subscribe now to keep reading",
        "Continue reading",
    ],
}

# Body sentences that must be kept verbatim (one per paragraph kind: lede, quote, list, ending).
KEPT = {
    "000": [
        "Ukrainian Intelligence Confirms Russia’s Failed Mobilization",
        "Specifically, Chernyak stated that the Russian army was unable to conduct a strategic "
        "offensive operation.",
        "both on and off the battlefield.",
    ],
    "001": [
        "Russians hesitate conducting mobilization in occupied Ukrainian territories, says "
        "military expert Kovalenko",
        "He shared this opinion on Espreso TV.",
        "Entrusting weapons to those who hate you is a bad idea for them.",
        "On February 21, Ivan Fedorov, the head of the Zaporizhzhia regional military "
        "administration, detailed how occupiers were registering Ukrainians",
    ],
    "002": [
        "Russian military leadership may be circulating a document stating that Russia needs to "
        "mobilize five million personnel to win the war in Ukraine, which Russia cannot do.",
        "ISW has been unable to obtain any corroboration or independent reporting about the "
        "document.",
    ],
    "003": [
        "Information for this briefing was found via the WSJ and the sources mentioned.",
        "as cited by the Wall Street Journal",
    ],
    "004": [
        "Putin’s fear of societal backlash prevents new mobilization wave, ISW says",
        "According to ISW,",
        "Russian opposition outlet Meduza reported that sources close to the Russian government "
        "claimed the Kremlin considered mobilization immediately after Ukraine’s incursion.",
        "claiming these forces are sufficient for Russia’s operations in Ukraine.",
    ],
}

DONATION_LINES_004 = ("You could close", "We keep our reporting", "A little bit goes")


def _clean(prefix: str) -> tuple[str, str]:
    raw = seed_file(prefix).read_text(encoding="utf-8")
    return raw, clean_text(raw).text


@pytest.mark.parametrize("prefix", sorted(REMOVED))
def test_boilerplate_is_removed(prefix):
    _, cleaned = _clean(prefix)
    for fragment in REMOVED[prefix]:
        assert fragment not in cleaned, f"{prefix}: {fragment!r} survived cleaning"


@pytest.mark.parametrize("prefix", sorted(KEPT))
def test_body_sentences_are_kept(prefix):
    _, cleaned = _clean(prefix)
    for sentence in KEPT[prefix]:
        assert sentence in cleaned, f"{prefix}: lost {sentence!r}"


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name[:3])
def test_every_body_paragraph_survives(path):
    """Every long prose line (a body paragraph) is kept whole, except donation appeals."""
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_text(raw).text
    for line in raw.splitlines():
        s = " ".join(line.split())
        if len(s) < 150 or s.startswith(DONATION_LINES_004) or "Poltava" in s:
            continue
        assert s in cleaned, f"{path.name}: body paragraph lost: {s[:80]!r}"


def test_no_ticker_timestamps_left():
    for path in seed_paths() or [seed_file("000")]:  # skips without the seed articles
        cleaned = clean_text(path.read_text(encoding="utf-8")).text
        stamps = [ln for ln in cleaned.splitlines() if re.fullmatch(r"\d{1,2}:\d{2}", ln.strip())]
        assert not stamps, f"{path.name}: ticker timestamps left: {stamps[:3]}"


def test_removals_are_reported_with_reasons():
    raw = seed_file("004").read_text(encoding="utf-8")
    result = clean_text(raw)
    reasons = {why for _, why in result.removed}
    assert {
        "donation appeal",
        "comment prompt",
        "subscription prompt",
        "skip-to-content",
    } <= reasons


def test_article_about_donations_is_not_mistaken_for_an_appeal():
    text = (
        "Charity figures rise\n\n"
        "The city's food bank said donations rose by 30 percent in December, according to its "
        "annual report, which was published on Tuesday and covers all twelve branches of the "
        "charity across the region, including the two that opened in the spring.\n"
    )
    assert "donations rose by 30 percent" in clean_text(text).text


def test_single_timestamp_in_body_is_not_a_ticker():
    text = (
        "Council vote\n\nThe council met on Tuesday.\n\nThe vote was held at\n19:30\n"
        "and passed by seven votes to two.\n"
    )
    result = clean_text(text)
    assert result.title_line == "Council vote"
    assert result.text == text.strip()


def test_line_reason_examples():
    assert line_reason("Leave a Reply") == "comment prompt"
    assert line_reason("We use cookies to improve your experience. Accept all") == "cookie notice"
    assert line_reason("The council will meet on Tuesday.") is None
