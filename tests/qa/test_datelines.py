"""Dates a passage tells relative to its report, resolved against the report's date
(qa/datelines.py), and the checker reading them so (real spaCy parse, real embedder)."""

from __future__ import annotations

from datetime import date

from qa.datelines import anchored, dateline, parse_date, report_date
from qa.verify import Sources


def test_full_dates_in_the_forms_news_pages_write_them():
    assert parse_date("By Travis Zimpfer on March 2, 2017") == date(2017, 3, 2)
    assert parse_date("Fri 15 Feb 19") == date(2019, 2, 15)
    assert parse_date("PUBLISHED DATETIME: 2016-08-25 00:00:00") == date(2016, 8, 25)
    assert parse_date("Updated Jan. 28, 2019") == date(2019, 1, 28)
    assert parse_date("in March 2017") is None and parse_date("February 30, 2019") is None


def test_a_dateline_is_a_short_line_that_says_nothing_but_a_date():
    assert dateline("By Travis Zimpfer on March 2, 2017") == date(2017, 3, 2)
    assert dateline("December 20, 2018 10:04AM PT") == date(2018, 12, 20)
    assert dateline("He was born on March 2, 1950.") is None
    assert report_date(["December 20, 2018", "March 2, 2017"]) is None  # two: no one date
    assert report_date(["Fri 15 Feb 19"], ["2023-10-18T10:00:00"]) == date(2023, 10, 18)
    assert report_date([], ["2023-10-18", "2023-10-19"]) is None


def test_relative_dates_are_glossed_with_the_date_they_stand_for():
    text = (
        "The vote will be held on Friday, and he said yesterday that the plan failed last "
        "month. On Wednesday, March 1, it rained. Every Monday he runs. The next year was hard."
    )
    (out,) = anchored([text], ["2023-10-18"])  # a Wednesday
    assert "Friday (20 October 2023)" in out
    assert "yesterday (17 October 2023)" in out
    assert "last month (September 2023)" in out
    (out2,) = anchored(["He resigned in March; the vote is planned for January."], ["2023-10-18"])
    assert "March (March 2023)" in out2 and "January (January 2024)" in out2
    # dated, recurring and anaphoric ones stay as they are
    assert "Wednesday, March 1, it" in out and "Monday he" in out and "next year was" in out
    (same,) = anchored(
        ["The vote on June 5 and in May 2024. Every April it rains."], ["2023-10-18"]
    )
    assert same == "The vote on June 5 and in May 2024. Every April it rains."
    passages = ["By Travis Zimpfer on March 2, 2017", "They chose three Wednesday evening."]
    assert anchored(passages)[1] == "They chose three Wednesday (1 March 2017) evening."
    assert anchored(["They chose three Wednesday evening."]) == [
        "They chose three Wednesday evening."
    ]  # no report date: nothing to resolve against


def test_the_checker_reads_a_weekday_as_the_date_of_the_report_s_week(checker):
    # WiCE dev (claim and evidence of the Missouri Supreme Court vacancy, 2017)
    passages = [
        "By Travis Zimpfer on March 2, 2017",
        "The seven-person Appellate Judicial Commission narrowed the list of applicants to "
        "take over the empty seat on the Missouri Supreme Court bench from 31 down to three "
        "Wednesday evening.",
    ]
    right = "On March 1, 2017, the commission narrowed the list of applicants to three."
    wrong = "On March 3, 2017, the commission narrowed the list of applicants to three."
    checks = checker.check_many([(right, passages), (wrong, passages)])
    assert checks[0].supported, checks[0].reasons
    assert not checks[1].supported
    assert any("March 3 where the passage says March 1" in r for r in checks[1].reasons)


def test_the_publication_date_anchors_this_year(checker):
    passage = ["The men's team took the National Student Cup this year."]
    src = Sources("BUCS news.", ["BUCS news"], ["2019-02-15"])
    ok = checker.check("The men's team won the National Student Cup in 2019.", passage, src)
    assert ok.supported, ok.reasons
    bad = checker.check("The men's team won the National Student Cup in 2018.", passage, src)
    assert not bad.supported


def test_each_passage_is_dated_by_its_own_article():
    passages = ["The council voted on Tuesday.", "The mayor resigned yesterday."]
    out = anchored(passages, ["2023-10-18", "2023-11-02"], ["2023-10-18", "2023-11-02"])
    assert out == [
        "The council voted on Tuesday (17 October 2023).",
        "The mayor resigned yesterday (1 November 2023).",
    ]
    # without the pairing, two dates leave the report's day unknown
    assert anchored(passages, ["2023-10-18", "2023-11-02"]) == passages
    assert Sources("", ["A", "B"], ["2023-10-18", ""]).each == ("2023-10-18", "")
