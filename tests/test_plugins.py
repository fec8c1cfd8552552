"""A third-party network, added with no change to crosspost: tests/plugins/crosspost-acme,
installed by real pip, driven through `python -m crosspost` and the real sandbox.

The failure cases are packages of their own (a plugin that cannot be imported, one
reusing a built-in's name, one in the old entry-point group), each installed in its
own directory so none leaks into another test.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests

from browser import Web, needs_browser, tree
from helpers import X_CREDS, X_ENV, plugin_env, plugin_importable, write, write_post

ACME_TOKEN = "acme-SECRET-8888"
ACME_CHANNEL = "  acme-school:\n    network: acme\n    credentials:\n      token: ${ACME_TOKEN}\n"
URL = "https://blog.example.com/2026/12/a-rather-long-path/the-new-lab-opens"
# acme.j2, the plugin's default template, as rendered for the post below.
ACME_TEXT = f"ACME says: The lab opens\nRead it at {URL}"
# Acme's own count: the URL is 10 (the 36 other characters count one each), which
# is neither the code points (105) nor X's rule (a URL is 23: 59).
ACME_LENGTH = 46


@pytest.fixture(autouse=True)
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"ACME_TOKEN": ACME_TOKEN, **X_ENV}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def acme_site(install_plugin: Callable[[str], Path]) -> Path:
    return install_plugin("acme")


@pytest.fixture
def acme_sandbox(acme_site: Path) -> Iterator[Any]:
    """A sandbox started in this process once the plugin is importable, so it speaks
    Acme's API; afterwards no other test sees the plugin."""
    from crosspost.networks import load_networks
    from crosspost.sandbox import start_sandbox

    with plugin_importable(acme_site):
        sandbox = start_sandbox(port=0)
        try:
            yield sandbox
        finally:
            sandbox.stop()
    assert "acme" not in load_networks().providers  # the plugin went away with the fixture


def crosspost(site: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m crosspost ARGS` in a process that has `site`'s plugin installed."""
    return subprocess.run(
        [sys.executable, "-m", "crosspost", *(str(a) for a in args)],
        env=plugin_env(site),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def as_json(done: subprocess.CompletedProcess[str], *, expect: int) -> Any:
    assert done.returncode == expect, done.stderr
    return json.loads(done.stdout)


def acme_post(tmp_path: Path) -> Path:
    return write_post(tmp_path, title="The lab opens", url=URL)


def send_key(home: Path, delivery_id: int) -> str:
    with sqlite3.connect(home / "ledger.sqlite3") as db:
        (key,) = db.execute(
            "SELECT send_key FROM deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
    return str(key)


def test_dry_run_uses_the_plugins_template_and_length(tmp_path: Path, acme_site: Path) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    assert not (tmp_path / "templates").exists()  # acme.j2 can only come from the plugin
    done = crosspost(acme_site, "-c", config, "publish", "--dry-run", "--json", acme_post(tmp_path))
    (row,) = as_json(done, expect=0)
    assert (row["network"], row["text"]) == ("acme", ACME_TEXT)
    assert (row["length"], row["limit"]) == (ACME_LENGTH, 200)


@needs_browser
def test_the_html_preview_draws_a_plugin_network_as_a_generic_card(
    tmp_path: Path, acme_site: Path, web: Web
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    out = tmp_path / "preview.html"
    done = crosspost(acme_site, "-c", config, "publish", "-n", "--html", out, acme_post(tmp_path))
    assert done.returncode == 0, done.stderr
    opened = web.open(out.as_uri())
    assert opened.console == []
    (card,) = tree(opened.dom).all("section", "channel")
    # Acme names no look of its own: its text, its count and its link, in the generic card.
    assert "style-generic" in card.classes and card.attrs["data-network"] == "acme"
    assert card.one(cls="text").text == ACME_TEXT
    assert card.one(cls="count").text == f"{ACME_LENGTH}/200"


def test_the_dry_run_says_a_network_without_images_gets_none(
    tmp_path: Path, acme_site: Path
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    (tmp_path / "lab.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    post = write_post(tmp_path, title="The lab opens", url=URL, image="lab.png", image_alt="Lab")
    done = crosspost(acme_site, "-c", config, "publish", "--dry-run", "--json", post)
    (row,) = as_json(done, expect=0)
    # Acme's NetworkInfo says nothing of images: she is told, not left to find out.
    assert "acme takes no image from crosspost: the post goes without it" in row["warnings"]


def test_a_network_without_a_sign_in_says_how_to_store_its_credentials(
    tmp_path: Path, acme_site: Path
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    done = crosspost(acme_site, "-c", config, "auth", "acme-school")
    assert done.returncode == 2, done.stderr
    assert "has no guided sign-in" in done.stderr and "crosspost secrets set" in done.stderr


def test_a_project_template_overrides_the_plugins(tmp_path: Path, acme_site: Path) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    write(tmp_path / "templates" / "acme.j2", "Ours: {{ post.title }}\n")
    done = crosspost(acme_site, "-c", config, "publish", "--dry-run", "--json", acme_post(tmp_path))
    (row,) = as_json(done, expect=0)
    assert row["text"] == "Ours: The lab opens"


def test_publish_sends_once_with_the_deliverys_key(
    tmp_path: Path, acme_site: Path, acme_sandbox: Any, isolated_home: Path
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    post = acme_post(tmp_path)
    publish = ("-c", config, "publish", "--sandbox", acme_sandbox.url, "--json", post)
    (row,) = as_json(crosspost(acme_site, *publish), expect=0)
    assert row["state"] == "sent" and row["sent_now"]
    (received,) = acme_sandbox.posts("acme")
    assert received["text"] == ACME_TEXT
    assert row["url"] == received["url"] == f"https://acme.example/posts/{received['id']}"
    (request,) = acme_sandbox.requests("acme")
    assert request["headers"]["idempotency-key"] == send_key(isolated_home, row["id"])

    (status,) = as_json(crosspost(acme_site, "-c", config, "status", "--json"), expect=0)
    assert (status["state"], status["remote_id"]) == ("sent", received["id"])
    (again,) = as_json(crosspost(acme_site, *publish), expect=0)
    assert again["state"] == "sent" and not again["sent_now"]
    assert len(acme_sandbox.requests("acme")) == 1  # nothing reached Acme the second time


def test_a_500_after_creating_is_unknown_until_reconcile_finds_it(
    tmp_path: Path, acme_site: Path, acme_sandbox: Any
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    post = acme_post(tmp_path)
    acme_sandbox.fault("acme", status=500, created=True)
    publish = ("-c", config, "publish", "--sandbox", acme_sandbox.url, "--json", post)
    (row,) = as_json(crosspost(acme_site, *publish), expect=1)
    assert row["state"] == "unknown"
    (made,) = acme_sandbox.posts("acme")  # it went out despite the 500

    reconcile = ("-c", config, "reconcile", "--sandbox", acme_sandbox.url, "--json")
    (found,) = as_json(crosspost(acme_site, *reconcile), expect=0)
    assert (found["id"], found["answer"], found["state"]) == (row["id"], "found", "sent")
    assert found["url"] == made["url"]
    (status,) = as_json(crosspost(acme_site, "-c", config, "status", "--json"), expect=0)
    assert (status["state"], status["remote_id"]) == ("sent", made["id"])
    (again,) = as_json(crosspost(acme_site, *publish), expect=0)
    assert not again["sent_now"]
    assert acme_sandbox.posts("acme") == [made]  # no second post


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, "auth"), (429, "rate_limited"), (400, "rejected"), (503, "unknown")],
)
def test_acmes_errors_map_to_crossposts(
    tmp_path: Path, acme_site: Path, acme_sandbox: Any, status: int, kind: str
) -> None:
    # The adapter's one error-mapping function, seen from the ledger: a refused token
    # pauses, a 429 waits, a 400 is refused, a 5xx may have posted (unknown).
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    acme_sandbox.fault("acme", status=status)
    publish = ("-c", config, "publish", "--sandbox", acme_sandbox.url, "--json")
    (row,) = as_json(crosspost(acme_site, *publish, acme_post(tmp_path)), expect=1)
    assert row["error_kind"] == kind, row
    assert ACME_TOKEN not in json.dumps(row)
    assert acme_sandbox.posts("acme") == []


def test_the_sandbox_replays_a_repeated_idempotency_key(acme_sandbox: Any) -> None:
    # What `idempotency=True` promises crosspost: the same key twice is one post.
    def post(key: str) -> Any:
        return requests.post(
            f"{acme_sandbox.url}/acme/posts",
            json={"text": "Hello"},
            headers={"Authorization": f"Bearer {ACME_TOKEN}", "Idempotency-Key": key},
            timeout=10,
        )

    first, again, other = post("k1"), post("k1"), post("k2")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == first.json() != other.json()
    assert len(acme_sandbox.posts("acme")) == 2


class _Sections(HTMLParser):
    """The text of each <section> of the sandbox page, by its class (the network)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._current = dict(attrs).get("class") or ""
            self.text[self._current] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and data.strip():
            self.text[self._current].append(" ".join(data.split()))


@needs_browser
def test_the_sandbox_page_shows_acmes_post(
    tmp_path: Path, acme_site: Path, acme_sandbox: Any, web: Web
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + ACME_CHANNEL)
    publish = ("-c", config, "publish", "--sandbox", acme_sandbox.url, acme_post(tmp_path))
    assert crosspost(acme_site, *publish).returncode == 0
    sections = _Sections()
    opened = web.check(
        acme_sandbox.url + "/",
        name="sandbox-acme",
        expect=["section.acme .received.style-generic article.post"],
    )
    sections.feed(opened.dom)
    acme = sections.text["acme"]
    assert acme[0] == "Acme"  # the section's heading is the plugin's title
    assert " ".join(ACME_TEXT.split()) in acme
    assert any(f"{ACME_LENGTH}/200" in text for text in acme)  # Acme's count, as the API kept it


def test_a_plugin_that_fails_to_import_is_one_warning(
    tmp_path: Path, install_plugin: Callable[[str], Path]
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n  x:\n    network: twitter\n" + X_CREDS)
    done = crosspost(
        install_plugin("broken"), "-c", config, "publish", "--dry-run", write_post(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "warning: network plugin 'broken' (broken_net:BrokenNetwork) failed to load, "
        "left out: acme-sdk is not installed"
    ]
    assert "A title" in done.stdout  # the X channel's preview, as without the plugin


def test_a_name_a_plugin_reuses_must_be_qualified(
    tmp_path: Path, install_plugin: Callable[[str], Path]
) -> None:
    site = install_plugin("clash")
    config = write(tmp_path / "channels.yaml", "channels:\n  x:\n    network: twitter\n" + X_CREDS)
    post = write_post(tmp_path)
    done = crosspost(site, "-c", config, "publish", "--dry-run", post)
    assert done.returncode == 2
    assert f"{config}:3: channels.x.network: " in done.stderr  # the line to change
    assert "`network: crosspost.twitter`" in done.stderr
    assert "`network: clash_net.twitter`" in done.stderr

    config.write_text(config.read_text().replace("twitter\n", "crosspost.twitter\n", 1))
    done = crosspost(site, "-c", config, "publish", "--dry-run", post)
    assert done.returncode == 0, done.stderr
    assert "A title" in done.stdout


def test_a_plugin_in_the_old_group_loads_with_a_warning(
    tmp_path: Path, install_plugin: Callable[[str], Path]
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n  old:\n    network: legacy\n")
    write(tmp_path / "templates" / "legacy.j2", "Legacy: {{ post.title }}\n")
    done = crosspost(
        install_plugin("legacy"),
        "-c",
        config,
        "publish",
        "--dry-run",
        "--json",
        write_post(tmp_path),
    )
    (row,) = as_json(done, expect=0)
    assert (row["network"], row["text"]) == ("legacy", "Legacy: A title")
    assert done.stderr.splitlines() == [
        "warning: network plugin 'legacy' (legacy_net:LegacyNetwork) registers in the "
        "entry-point group 'crosspost.networks', read for one more release: move it to "
        "'crosspost.networks.v1'"
    ]
