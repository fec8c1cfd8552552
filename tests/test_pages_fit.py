"""Every HTML page crosspost writes fits a phone: 400 px wide, nothing scrolls sideways
but a wide table inside its own box (and it lays out at 1280 px too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import needs_browser, page_widths
from helpers import X_CREDS, X_ENV, run, write, write_post

CONFIG = (
    "defaults:\n  timezone: Europe/Paris\nchannels:\n"
    "  school-x:\n    network: twitter\n    audience: school\n" + X_CREDS + "  school-xing:\n"
    "    network: manual\n    audience: school\n    url: https://www.xing.com/pages/school\n"
    "    instructions: paste it as a company-page update, then add the picture\n"
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in X_ENV.items():
        monkeypatch.setenv(name, value)
    return write(tmp_path / "channels.yaml", CONFIG)


@needs_browser
@pytest.mark.parametrize("page", ["preview", "calendar", "handbook"])
def test_the_page_fits_400_and_1280_pixels(config: Path, tmp_path: Path, page: str) -> None:
    out = tmp_path / f"{page}.html"
    post = write_post(
        tmp_path,
        title="A rather long title for a post that the school and the group both share",
        body="Some text. " * 40,
    )
    commands = {
        "preview": ("publish", "--dry-run", "--no-shorten", "--html", out, post),
        "calendar": ("calendar", "--html", out),
        "handbook": ("handbook", "--format", "html", "--out", out),
    }
    done = run("-c", config, *commands[page])
    assert done.exit_code == 0, done.stderr
    for width in (400, 1280):
        scroll, client = page_widths(out, width, tmp_path / f"profile-{width}")
        assert 0 < client <= width and scroll <= client, (page, width, scroll, client)
