"""`crosspost handbook` (issue 13, item 4): the hand-over document, in English and
French, Markdown and HTML, from channels.yaml, the ledger and the secret store;
never a secret's value.  Each manager is her own home directory."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from browser import Web, needs_browser, seen
from crosspost.handbook.labels import CATALOGUES
from crosspost.ledger import Ledger, default_ledger_path
from helpers import run
from report_story import SCRIPT_TITLE, Story

# One value a place, each long enough for the scrubber and unlike any other text.
ENV_VALUE = "env-VALUE-7f3a9c1e55"  # X_KEY, exported in the environment
ENV_FILE_VALUE = "homeenv-VALUE-2b8d4e6f"  # X_SECRET, in HOME/env
TEAM_VALUE = "team-VALUE-9e1c3a5b77"  # LI_TOKEN, in the team file
TEAM_VALUE_2 = "team-VALUE-4d6f8a0c22"  # FB_TOKEN, in the team file
VALUES = (ENV_VALUE, ENV_FILE_VALUE, TEAM_VALUE, TEAM_VALUE_2)
INSTRUCTIONS = "<script>alert(1)</script> | post in the Berlin group"
NOW = datetime(2026, 12, 15, 9, 30, tzinfo=UTC)


def config_text(lang: str | None) -> str:
    head = "defaults:\n  timezone: Europe/Paris\n" + (f"  lang: {lang}\n" if lang else "")
    return head + (
        "channels:\n"
        "  x:\n    network: twitter\n    audience: ebs\n    lang: [fr, en]\n"
        '    slots: ["09:00", "18:00"]\n    max_per_day: 3\n    min_interval: 90m\n'
        '    quiet_hours: ["22:00-07:00"]\n    days: mon-fri\n'
        "    credentials:\n      consumer_key: ${X_KEY}\n      consumer_secret: ${X_SECRET}\n"
        "      access_token: ${X_TOKEN}\n      access_token_secret: ${X_TOKEN_SECRET}\n"
        "  li:\n    network: linkedin\n    audience: ebs\n    author: urn:li:organization:42\n"
        "    relayed_by: x\n    credentials:\n      access_token: ${LI_TOKEN}\n"
        "  fb:\n    network: facebook\n    audience: ginger\n    page_id: '111'\n"
        "    relayed_by: x\n    relay: broken\n    credentials:\n      page_token: ${FB_TOKEN}\n"
        "  xing:\n    network: manual\n    audience: ebs\n    site: Xing\n"
        "    url: https://www.xing.com/pages/ebs\n"
        f"    instructions: '{INSTRUCTIONS}'\n"
    )


@pytest.fixture(autouse=True)
def environment() -> Iterator[None]:
    """HOME/env is read into os.environ itself (as in a real process): put it back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def write_config(shared: Path, lang: str | None = None) -> Path:
    path = shared / "channels.yaml"
    path.write_text(config_text(lang), encoding="utf-8")
    return path


def cli(home: Path, config: Path, *args: str | Path, input: str | None = None) -> Any:
    return run("--home", home, "-c", config, *args, input=input)


@pytest.fixture
def team(isolated_home: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ana's home: a value in each of the three places, an account recorded for X only,
    and a November with a post whose title is a script."""
    config = write_config(shared)
    monkeypatch.setenv("X_KEY", ENV_VALUE)
    with time_machine.travel(datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False):
        assert cli(isolated_home, config, "secrets", "init", "--name", "Ana").exit_code == 0
        for name, value, to in (
            ("X_SECRET", ENV_FILE_VALUE, "env"),
            ("LI_TOKEN", TEAM_VALUE, "team"),
        ):
            done = cli(
                isolated_home, config, "secrets", "set", name, "--to", to, "--stdin", input=value
            )
            assert done.exit_code == 0, done.stderr
    with time_machine.travel(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        done = cli(
            isolated_home, config, "secrets", "rotate", "LI_TOKEN", "--stdin", input=TEAM_VALUE
        )
        assert done.exit_code == 0, done.stderr
        done = cli(
            isolated_home, config, "secrets", "set", "FB_TOKEN", "--to", "team", "--stdin",
            input=TEAM_VALUE_2,
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
    with Ledger.open(default_ledger_path(isolated_home)) as ledger:
        with time_machine.travel(datetime(2026, 11, 3, 10, 0, tzinfo=UTC), tick=False):
            ledger.record_account("x", network="twitter", account="@ebs_school", by="Ana")
        story = Story(ledger)
        story.sent(
            "2026-11-04T08:00:00",
            story.delivery("2026-11-04T08:00:00", "a", "x", title=SCRIPT_TITLE, network="twitter"),
        )
        story.call(
            "2026-11-04T08:00:01",
            "mark_manual",
            story.delivery("2026-11-04T08:00:00", "a", "xing", title=SCRIPT_TITLE),
        )
        ledger.set_mark("run", datetime(2026, 12, 15, 8, 59, tzinfo=UTC))
    return config


def handbook(home: Path, config: Path, *args: str | Path, expect: int = 0) -> str:
    with time_machine.travel(NOW, tick=False):
        result = cli(home, config, "handbook", *args)
    assert result.exit_code == expect, result.stderr
    return str(result.stdout) if expect == 0 else str(result.stderr)


def section(text: str, heading: str) -> str:
    """The Markdown from `## heading` to the next `## `."""
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def row(text: str, first_cell: str) -> list[str]:
    """The cells of the Markdown table row whose first cell is `first_cell`."""
    for line in text.splitlines():
        if line.startswith(f"| {first_cell} |"):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError(f"no row {first_cell!r} in:\n{text}")


# -- English -------------------------------------------------------------------------------


def test_the_english_handbook_in_markdown(isolated_home: Path, team: Path) -> None:
    text = handbook(isolated_home, team)
    assert text.startswith("# Handbook: crosspost and the social networks\n")
    assert "Generated 15 December 2026, 10:30 (Europe/Paris)" in text
    assert "Last `crosspost run`: 15 December 2026, 09:59." in text

    channels = section(text, "Channels")
    assert (
        "| Channel | Network | Account | Audience | Language | Pacing | Relay | State |" in channels
    )
    assert row(channels, "x") == [
        "x",
        "twitter",
        "@ebs_school (signed in 3 November 2026 by Ana)",
        "ebs",
        "fr, en",
        "slots 09:00, 18:00; at most 3 a day; at least 1h30 apart; quiet 22:00-07:00; "
        "on Mon, Tue, Wed, Thu, Fri",
        "direct",
        "active",
    ]
    assert row(channels, "li")[2] == "not signed in with `crosspost auth` yet"
    assert row(channels, "li")[6] == "relayed by x"
    assert row(channels, "fb")[6] == "broken: x does not feed it, posted directly"
    assert row(channels, "xing")[7] == "active, by hand"
    # No API, so no sign-in to do: not a to-do for the successor.
    assert row(channels, "xing")[2] == "none: posted by hand, with the account's own login"

    chain = section(text, "The chain")
    assert "- **blog**\n  - **x** (twitter) · direct · audience: ebs\n" in chain
    assert "\n    - **li** (linkedin) · relayed by x · audience: ebs\n" in chain  # under x
    assert "\n  - **fb** (facebook) · broken: x does not feed it" in chain  # from the blog

    cron = section(text, "Cron")
    (line,) = re.findall(r"^\* \* \* \* \* .*$", cron, flags=re.MULTILINE)
    assert f"--config {team.resolve()} --home {isolated_home.resolve()} run" in line

    manual = section(text, "Networks posted by hand")
    assert row(manual, "xing")[1:4] == [
        "Xing",
        "[https://www.xing.com/pages/ebs](https://www.xing.com/pages/ebs)",
        "&lt;script&gt;alert(1)&lt;/script&gt; \\| post in the Berlin group",
    ]

    figures = section(text, "Last month: November 2026")
    assert row(figures, "x")[:4] == ["x", "twitter", "1", "1"]  # posted, sent
    assert row(figures, "xing")[9] == "1"  # waiting to be posted by hand
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in figures and "<script>" not in text
    assert "x: sent, xing: waiting to be posted by hand" in figures

    week = section(text, "A normal week")
    assert "- `crosspost queue --week --audience ebs`: the coming seven days" in week
    assert "- `crosspost tasks`: what waits to be posted by hand" in week


def test_where_each_secret_lives_and_when_it_last_changed(isolated_home: Path, team: Path) -> None:
    text = section(handbook(isolated_home, team), "Secrets: where they live")
    assert row(text, "X_KEY")[1:4] == ["the environment", "not recorded", "—"]
    assert row(text, "X_SECRET")[1:3] == ["HOME/env", "1 October 2026"]
    assert row(text, "LI_TOKEN")[1:5] == [
        "the team file",
        "20 November 2026",  # rotated, not the first set
        "Ana",
        "channel li: access_token",
    ]
    assert row(text, "X_TOKEN")[1] == "set nowhere"
    assert f"- Team file: {team.parent / 'secrets.age'}." in text
    assert re.search(r"- Held by: Ana \(age1[0-9a-z]+\)\.", text)
    assert "crosspost secrets remove-holder NAME" in text


# -- French --------------------------------------------------------------------------------


def test_the_french_handbook_follows_defaults_lang(
    isolated_home: Path, team: Path, shared: Path
) -> None:
    config = write_config(shared, lang="fr")
    text = handbook(isolated_home, config)
    assert text.startswith("# Manuel de passation : crosspost et les réseaux sociaux\n")
    assert "Généré le 15 décembre 2026 à 10:30 (Europe/Paris)" in text
    channels = section(text, "Canaux")
    assert "| Canal | Réseau | Compte | Public | Langue | Rythme | Relais | État |" in channels
    assert row(channels, "x")[2] == "@ebs_school (connecté le 3 novembre 2026 par Ana)"
    assert row(channels, "x")[5] == (
        "créneaux 09:00, 18:00; 3 par jour au plus; au moins 1h30 d'écart; silence "
        "22:00-07:00; les lun, mar, mer, jeu, ven"
    )
    assert row(channels, "li")[2] == "pas encore connecté avec `crosspost auth`"
    assert row(channels, "xing")[7] == "actif, à la main"
    assert "    - **li** (linkedin) · relayé par x · public : ebs" in section(text, "La chaîne")
    assert "Les lignes que la crontab" in section(text, "La tâche cron")
    secrets = section(text, "Secrets : où ils sont rangés")
    assert row(secrets, "LI_TOKEN")[1:3] == ["le fichier d'équipe", "20 novembre 2026"]
    assert row(secrets, "X_KEY")[1:3] == ["l'environnement", "non consigné"]
    assert "| Canal | Site | Où publier | Consignes | Public |" in text
    figures = section(text, "Le mois dernier : novembre 2026")
    assert "| Canal | Réseau | Publiés | Envoyés | À la main |" in figures
    assert "x : envoyé, xing : à publier à la main" in figures
    week = section(text, "Une semaine ordinaire")
    assert "- `crosspost tasks` : ce qui attend d'être publié à la main" in week
    for english in ("Channels", "Last month", "signed in", "A normal week", "November"):
        assert english not in text


def test_lang_overrides_defaults_lang(isolated_home: Path, team: Path, shared: Path) -> None:
    french = write_config(shared, lang="fr")
    assert handbook(isolated_home, french, "--lang", "en").startswith("# Handbook:")
    assert handbook(isolated_home, team, "--lang", "fr").startswith("# Manuel de passation")
    error = handbook(isolated_home, team, "--lang", "de", expect=2)
    assert "--lang de: the handbook is written in en or fr" in error


def test_both_catalogues_say_everything() -> None:
    assert CATALOGUES["fr"].keys() == CATALOGUES["en"].keys()


# -- never a value ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_secret_value_in_any_handbook(
    isolated_home: Path, team: Path, lang: str, fmt: str
) -> None:
    text = handbook(isolated_home, team, "--lang", lang, "--format", fmt)
    assert "LI_TOKEN" in text and "X_SECRET" in text  # the names are there
    for value in VALUES:
        assert value not in text
    assert "AGE-SECRET-KEY" not in text  # nor the manager's own key


def test_a_manager_who_cannot_read_the_team_file_still_gets_it(tmp_path: Path, team: Path) -> None:
    """Bea has her own key but is not a holder: the team file is closed to her."""
    bea = tmp_path / "bea"
    assert cli(bea, team, "secrets", "init", "--name", "Bea").exit_code == 0
    text = handbook(bea, team)
    secrets = section(text, "Secrets: where they live")
    assert "> ⚠ This machine could not read the team file:" in secrets
    assert "is not encrypted to your key age1" in secrets
    assert row(secrets, "LI_TOKEN")[1] == "the team file? (unreadable here)"
    assert row(secrets, "X_KEY")[1] == "the environment"
    assert re.search(r"- Held by: Ana \(age1[0-9a-z]+\)\.", secrets)  # the readable list
    assert "## Last month\n\nNo ledger yet" in text  # Bea's home has sent nothing
    for value in VALUES:
        assert value not in text


def test_a_fresh_home_gets_a_handbook_and_no_ledger(tmp_path: Path, shared: Path) -> None:
    home = tmp_path / "fresh"
    text = handbook(home, write_config(shared))
    assert "No `crosspost run` recorded yet." in text
    assert "- Team file: none yet" in text
    assert "This manager has no age key yet" in text
    assert not default_ledger_path(home).exists()


# -- files -----------------------------------------------------------------------------------


def test_out_writes_a_file_and_never_overwrites_one_without_force(
    isolated_home: Path, team: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handbook.md"
    assert handbook(isolated_home, team, "--out", out) == ""
    assert out.read_text(encoding="utf-8").startswith("# Handbook:")
    out.write_text("annotated by hand\n", encoding="utf-8")
    error = handbook(isolated_home, team, "--out", out, expect=2)
    assert "exists already: --force replaces it" in error
    assert out.read_text(encoding="utf-8") == "annotated by hand\n"
    handbook(isolated_home, team, "--out", out, "--force", "--lang", "fr")
    assert out.read_text(encoding="utf-8").startswith("# Manuel de passation")
    page = tmp_path / "handbook.html"
    handbook(isolated_home, team, "--out", page)  # the extension decides the format
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "--format pdf" in handbook(isolated_home, team, "--format", "pdf", expect=2)


@needs_browser
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_html_handbook_in_a_browser(
    isolated_home: Path, team: Path, tmp_path: Path, lang: str, web: Web
) -> None:
    out = tmp_path / "handbook.html"
    handbook(isolated_home, team, "--lang", lang, "--out", out)
    dom = web.check(out.as_uri(), name=f"handbook-{lang}", expect=["main", "table.channels"]).dom
    page = seen(dom)
    assert "script" not in page.tags  # the instructions' and the title's <script> are text
    assert INSTRUCTIONS in page.text and SCRIPT_TITLE in page.text
    assert page.tags.count("table") == 5  # channels, secrets, by hand, figures, posts
    assert re.search(r'<table class="channels">.*?<td>@ebs_school', dom, flags=re.DOTALL)
    assert f'<html lang="{lang}">' in dom
    heading = {"en": "Channels", "fr": "Canaux"}[lang]
    month = {"en": "Last month: November 2026", "fr": "Le mois dernier : novembre 2026"}[lang]
    assert heading in page.text and month in page.text
    assert '<a href="https://www.xing.com/pages/ebs">' in dom
    for value in VALUES:
        assert value not in dom


def test_the_handbook_names_a_shared_ledger_without_its_password(
    isolated_home: Path, team: Path, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A successor must know every machine points at one database, not a file here;
    the handbook is shared, so the URL's password never is."""
    from pgserver import PASSWORD

    database = pg_server.create_database()
    url = pg_server.tcp_url(database, user="postgres", password=PASSWORD)
    monkeypatch.setenv("CROSSPOST_LEDGER", url)
    text = handbook(isolated_home, team)
    cron = section(text, "Cron")
    assert "The ledger is a shared PostgreSQL database, postgresql://postgres:***@" in cron
    assert PASSWORD not in text
    monkeypatch.delenv("CROSSPOST_LEDGER")
    from crosspost.ledger import use_ledger

    use_ledger(None)
    assert f"The ledger (what was sent where, and when): {isolated_home}" in handbook(
        isolated_home, team
    )
