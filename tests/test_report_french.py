"""The report in French (`--lang fr`, or `defaults.lang: fr`): its words, month names and
numbers in every format, the CSV a French spreadsheet opens (`;`, a decimal comma), and
the HTML in a real browser."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from browser import Web, needs_browser, seen
from crosspost.report import Cell, Column, Report, Row, Table
from crosspost.report.labels import CATALOGUES, STATES, format_number
from crosspost.report.render import _data, render

# `brands` is the fixture: the two-brand ledger and its channels.yaml.
from test_report_brands import BRANDS_CONFIG, GINGER_TITLE, report

LANG_FR = BRANDS_CONFIG.replace("Europe/Paris\n", "Europe/Paris\n  lang: fr\n")


def test_both_catalogues_hold_the_same_words() -> None:
    assert CATALOGUES["en"].keys() == CATALOGUES["fr"].keys()
    assert all(CATALOGUES["fr"].values())


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_french_words_month_names_and_numbers(brands: Path, fmt: str) -> None:
    result = report(brands, "--lang", "fr", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Présence sociale : novembre 2026" in text
    for heading in ("Canaux", "Publications", "Notes", "Publiés", "À la main", "Échoués"):
        assert heading in text
    assert "campus-news" in text and "Relayés" in text and "envoyé" in text
    assert "Social presence" not in text and "November" not in text and "By hand" not in text
    assert "produit le 2026-12-15 10:30" in text


def test_defaults_lang_chooses_french_and_lang_overrides_it(brands: Path, tmp_path: Path) -> None:
    config = tmp_path / "fr.yaml"
    config.write_text(LANG_FR, encoding="utf-8")
    assert "novembre 2026" in report(config, "-f", "md").stdout
    assert "November 2026" in report(config, "-f", "md", "--lang", "en").stdout
    assert "November 2026" in report(brands, "-f", "md").stdout  # no defaults.lang: English


def test_numbers_as_each_language_writes_them() -> None:
    assert format_number(1234567, "fr") == "1\u202f234\u202f567"
    assert format_number(1234.5, "fr") == "1\u202f234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(1234.5, "fr", grouped=False) == "1234,5"
    assert format_number(12, "fr") == "12"


def test_french_csv_separator_headings_and_decimal_comma(brands: Path) -> None:
    result = report(brands, "--lang", "fr", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header.startswith("section;Mois;Canal;Réseau;Publiés;Envoyés;")
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))
    channels = {r["Canal"]: r for r in rows if r["section"] == "canal" and r["Mois"] == "2026-11"}
    assert channels["ginger-fb"]["Échoués"] == "1" and channels["ebs-x"]["Envoyés"] == "2"
    states = {r["État"] for r in rows if r["section"] == "publication"}
    assert {"envoyé", "échoué", "à publier à la main"} <= states
    # A fractional figure (a cost, say) gets the decimal comma, ungrouped.
    table = Table("t", (Column("cost", "Cost"),), (Row((Cell("1 234,5", data=1234.5),)),))
    assert _data(table, table.rows[0], "fr") == {"cost": "1234,5"}
    assert _data(table, table.rows[0], "en") == {"cost": "1234.5"}


def test_csv_sep_overrides_and_quotes_what_holds_it(brands: Path) -> None:
    result = report(brands, "--lang", "fr", "-f", "csv", "--csv-sep", ",")
    assert result.stdout.splitlines()[0].startswith("section,Mois,Canal,")
    tab = report(brands, "-f", "csv", "--csv-sep", "\t")
    rows = list(csv.DictReader(io.StringIO(tab.stdout), delimiter="\t"))
    assert any(r["post_title"] == GINGER_TITLE for r in rows)
    english = report(brands, "-f", "csv")
    assert english.stdout.splitlines()[0].startswith("section,month,channel,network,posted,")
    assert report(brands, "-f", "csv", "--csv-sep", ";;").exit_code == 2


def test_a_title_holding_the_separator_is_quoted() -> None:
    from crosspost.report import Copy, Month, MonthFigures, PostLine
    from crosspost.states import DeliveryState, Route

    month = Month(2026, 11)
    copy = Copy("x", "twitter", DeliveryState.PENDING, Route.DIRECT, None, None, None)
    from datetime import UTC, datetime

    base = Report(
        month=month,
        timezone="UTC",
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        figures=MonthFigures(month=month, channels=(), active=True),
        posts=(PostLine(key="k", title='a;b "c"', url=None, copies=(copy,)),),
        notes=(),
        history=(),
    )
    text = render(replace(base, lang="fr"), "csv")
    assert "janvier" not in text  # ISO months in the CSV: a spreadsheet sorts them
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "section" and rows[1][rows[0].index("titre")] == 'a;b "c"'
    assert '"a;b ""c"""' in text  # quoted, as the csv module does
    assert STATES["fr"]["sent"] == "envoyé"


def test_unknown_language_is_exit_2_naming_those_there_are(brands: Path) -> None:
    result = report(brands, "--lang", "de")
    assert result.exit_code == 2
    assert "--lang de" in result.stderr and "en or fr" in result.stderr


@needs_browser
def test_the_french_html_report_in_a_browser(brands: Path, tmp_path: Path, web: Web) -> None:
    out = tmp_path / "novembre.html"
    result = report(brands, "--lang", "fr", "--audience", "ginger", "--out", out)
    assert result.exit_code == 0, result.stderr
    dom = web.check(out.as_uri(), name="rapport-ginger", expect=["main", "table", "svg"]).dom
    page = seen(dom)
    assert '<html lang="fr">' in dom
    assert "Présence sociale : novembre 2026 · ginger" in page.text
    for heading in ("Canaux", "Au fil des mois", "Publications", "Notes"):
        assert heading in page.text
    assert page.tags.count("table") >= 3 and "svg" in page.tags
    assert "Échoués" in page.text and "Publiés" in page.text and "échoué" in page.text
    assert "campus-news (toutes marques)" in page.text and GINGER_TITLE in page.text
    assert not any("EBS" in t or "Open day" in t for t in page.text)


@needs_browser
def test_the_report_does_not_scroll_sideways_on_a_phone(
    brands: Path, tmp_path: Path, web: Web
) -> None:
    out = tmp_path / "rapport.html"
    assert report(brands, "--lang", "fr", "--out", out).exit_code == 0
    # Its wide tables scroll inside their own box; the page itself fits 400 px (and 1280).
    opened = web.check(out.as_uri(), name="rapport", expect=["main table", "svg"])
    # The summary (the first table, the channels') is all there at 1280 px.
    assert opened.page.locator("main table").first.is_visible()
