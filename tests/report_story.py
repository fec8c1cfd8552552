"""Ledger histories for the report tests, written through the ledger's own API.

`Story` writes events at chosen instants (time-machine); `write_awkward_story`
is a ledger whose titles, channel names, errors and notes hold everything an
output format could trip on: markup, `&`, `|`, quotes, accents, emoji, newlines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from crosspost.ledger import Ledger

CHANNELS = {"x": "twitter", "fb": "facebook", "li": "linkedin", "xing": "manual"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Story:
    """Writes ledger history at chosen instants, through the ledger's own API."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def at(self, when: str) -> Any:
        return time_machine.travel(utc(when), tick=False)

    def delivery(
        self,
        when: str,
        post: str,
        channel: str,
        *,
        route: str = "direct",
        short: str | None = None,
        title: str | None = None,
        key: str | None = None,
        network: str | None = None,
    ) -> int:
        post_key = key or f"https://blog.example.com/{post}"
        long_url = f"{post_key}?utm_source={channel}"
        link = long_url
        with self.at(when):
            if short:
                link = f"https://bit.ly/{short}"
                self.ledger.save_short_link(long_url, short_url=link, bitlink_id=f"bit.ly/{short}")
            d = self.ledger.ensure_delivery(
                post_key=post_key,
                post_path=f"{post}.md",
                post_title=title if title is not None else f"Article {post.upper()}",
                content_hash=None,
                channel=channel,
                network=network or CHANNELS[channel],
                text="t",
                parts=["t"],
                link=link,
                route=route,
            )
        return d.id

    def sent(self, when: str, delivery_id: int) -> None:
        with self.at(when):
            self.claim(delivery_id)
            self.ledger.mark_sent(
                delivery_id,
                remote_id=f"r{delivery_id}",
                remote_url=f"https://social.example/{delivery_id}",
            )

    def failed(
        self,
        when: str,
        delivery_id: int,
        kind: str = "transient",
        *,
        error: str | None = None,
        requeue: bool = False,
    ) -> None:
        with self.at(when):
            self.claim(delivery_id)
            self.ledger.mark_failed(
                delivery_id, kind=kind, error=error or f"{kind} failure", requeue=requeue
            )

    def unknown(self, when: str, delivery_id: int, *, error: str = "no answer") -> None:
        with self.at(when):
            self.claim(delivery_id)
            self.ledger.mark_unknown(delivery_id, error=error)

    def claim(self, delivery_id: int) -> None:
        assert self.ledger.claim(delivery_id, owner=self.ledger.owner_id(), lease_seconds=60)

    def call(self, when: str, method: str, *args: Any, **kwargs: Any) -> Any:
        with self.at(when):
            return getattr(self.ledger, method)(*args, **kwargs)


# Strings an output format could trip on.
SCRIPT_TITLE = '<script>alert(1)</script> & "x" | y'
ACCENT_TITLE = "Café crème — déjà vu 🎉 l'été"
ODD_CHANNEL = 'Ça & <b>"co"</b> | 🚀'
ODD_KEY = 'https://blog.example.com/a?x=1&y="2"<z>'
ODD_ERROR = '<b>HTTP 500</b> & "oops" | retry\nlater'
# The clicks the sandbox holds for each short link of the awkward story.
AWKWARD_CLICKS = {"aa": 3, "ab": 5, "ac": 2, "ad": 11}


def write_awkward_story(ledger: Ledger) -> None:
    """September to November 2026, every string awkward; November is the report month."""
    s = Story(ledger)
    # September: one plain post on X.
    s.sent("2026-09-03T08:00:00", s.delivery("2026-09-03T08:00:00", "s", "x", short="aa"))
    # October: an accented post without a URL, by hand on a channel known only to the ledger.
    odd = s.delivery(
        "2026-10-07T08:00:00",
        "cafe",
        ODD_CHANNEL,
        key="posts/café.md",
        title=ACCENT_TITLE,
        network="manual",
    )
    s.call("2026-10-07T08:00:01", "mark_manual", odd)
    s.call("2026-10-08T09:00:00", "mark_done", odd, url="https://xing.example/?a=1&b=<2>")
    s.failed("2026-10-07T08:00:02", s.delivery("2026-10-07T08:00:00", "cafe", "fb"), kind="auth")
    # November: the script title everywhere.
    x_a = s.delivery("2026-11-04T08:00:00", "a", "x", short="ab", key=ODD_KEY, title=SCRIPT_TITLE)
    s.failed("2026-11-04T08:00:01", x_a)
    s.sent("2026-11-04T08:05:00", x_a)
    fb_a = s.delivery("2026-11-04T08:00:00", "a", "fb", short="ac", key=ODD_KEY, title=SCRIPT_TITLE)
    s.failed("2026-11-04T08:00:02", fb_a, kind="permanent", error=ODD_ERROR)
    s.unknown(
        "2026-11-04T08:00:03",
        s.delivery("2026-11-04T08:00:00", "a", "li", route="repost", key=ODD_KEY),
        error='<timeout> & "no" | answer',
    )
    s.call("2026-11-04T08:00:04", "mark_manual", s.delivery("2026-11-04T08:00:00", "a", "xing"))
    s.sent(
        "2026-11-20T10:00:00",
        s.delivery(
            "2026-11-20T10:00:00",
            "emoji",
            ODD_CHANNEL,
            short="ad",
            title="🚀 Lift-off | 100 %",
            network="manual",
        ),
    )
    s.call(
        "2026-11-05T10:00:00", "add_note", text='<i>noted</i> & "done" | ok', channel=ODD_CHANNEL
    )
    s.call("2026-11-06T10:00:00", "add_note", text="line one\nline two | <br> & ü", channel="fb")


# The channels.yaml of the report tests: every built-in network, X relaying to LinkedIn.
CONFIG = """\
defaults:
  timezone: Europe/Paris
shortener:
  service: bitly
  token: ${BITLY_TOKEN}
  timeout: 0.5
channels:
  x:
    network: twitter
    credentials:
      consumer_key: ${X_KEY}
      consumer_secret: ${X_SECRET}
      access_token: ${X_TOKEN}
      access_token_secret: ${X_TOKEN_SECRET}
  fb:
    network: facebook
    page_id: "111"
    credentials:
      page_token: ${FB_TOKEN}
  li:
    network: linkedin
    author: urn:li:organization:42
    relayed_by: x
    credentials:
      access_token: ${LI_TOKEN}
  xing:
    network: manual
    site: Xing
"""
