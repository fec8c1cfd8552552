"""The HTML report's charts: nine channels (two brands' worth) never share a look."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crosspost.report.chart import PALETTE, look_of
from helpers import X_CREDS, X_ENV, run, write, write_post

NINE = "".join(
    f"  hand-{i}:\n    network: manual\n    url: https://example.org/{i}\n" for i in range(9)
)


def test_past_the_palette_the_colours_come_back_under_a_pattern() -> None:
    looks = [look_of(i, "posts") for i in range(len(PALETTE) * 3)]
    assert len({(look.colour, look.pattern) for look in looks}) == len(looks)
    assert [look.pattern for look in looks[:8]] == [None] * 8
    assert looks[8].colour == looks[0].colour and looks[8].pattern == "stripes"
    assert looks[8].fill == "url(#posts-look-8)"


def test_nine_channels_get_nine_fills_and_the_patterns_they_name(
    tmp_path: Path, isolated_home: Path
) -> None:
    config = write(tmp_path / "channels.yaml", "channels:\n" + NINE)
    post = write_post(tmp_path, title="Nine places")
    assert run("-c", config, "publish", post).exit_code == 0  # nine by-hand tasks
    out = tmp_path / "report.html"
    assert run("-c", config, "report", "--out", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    chart = html[html.index("<svg") : html.index("</svg>")]
    fills = re.findall(
        r'<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="([^"]+)"', chart
    )
    assert len(fills) == 9 and len(set(fills)) == 9  # one month, nine channels, nine looks
    # The ninth is the first colour under stripes: its pattern is defined in the chart.
    assert fills[8] == "url(#posts-look-8)"
    assert '<pattern id="posts-look-8"' in chart
    # And the legend draws each swatch with the same fill as the bars.
    legend = html[html.index("</svg>") :]
    assert all(f'fill="{fill}"' in legend for fill in fills)


def test_a_relayed_channel_shows_what_its_source_carried_labelled(
    tmp_path: Path, isolated_home: Path, sandbox: Any, monkeypatch: Any
) -> None:
    for name, value in X_ENV.items():
        monkeypatch.setenv(name, value)
    config = write(
        tmp_path / "channels.yaml",
        "channels:\n  x:\n    network: twitter\n" + X_CREDS + "  li:\n    network: manual\n"
        "    url: https://www.linkedin.com/company/x\n    relayed_by: x\n",
    )
    post = write_post(tmp_path, title="Carried along")
    assert run("-c", config, "publish", "--sandbox", sandbox.url, post).exit_code == 0
    out = tmp_path / "report.html"
    assert run("-c", config, "report", "--out", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<td>li (relayed by x)</td>" in html  # not a dead channel: its relay's copy
    chart = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(r'height="([0-9.]+)" fill="[^"]+"><title>(\w+) ', chart)
    assert {name: float(h) > 0 for h, name in bars} == {"x": True, "li": True}
