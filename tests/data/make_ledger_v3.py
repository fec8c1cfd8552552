"""Write `ledger-v3.sql`: a ledger as crosspost 0794f72 (schema version 3) left it.

Run once, with that release installed, from the repository root:

    git worktree add /tmp/v3 0794f72
    PYTHONPATH=/tmp/v3/src python tests/data/make_ledger_v3.py

The SQL text (not a database file) is what is kept: `test_ledger_v3.py`
loads it into a fresh file and opens it with the current code.  Every state
a delivery can be in is represented, through the public API of that release.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crosspost.ledger import EntryMark, Ledger

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
OWNER = "build-host.invalid:4242:rnd-0794f72"


def fill(ledger: Ledger) -> None:
    def new(channel: str, post: str = "hello", parts: tuple[str, ...] = ("Hello",)) -> int:
        return ledger.ensure_delivery(
            post_key=f"https://blog.example/2024/{post}/",
            post_path=f"content/{post}.md",
            post_title=post.title(),
            content_hash=f"sha256:{post}",
            channel=channel,
            network="manual" if channel == "mastodon" else "twitter",
            text=parts[0],
            parts=parts,
            link=f"https://blog.example/2024/{post}/?utm_source={channel}",
            payload={"title": post.title(), "image_alt": "a café"},
        ).id

    pending = new("x-pending")
    ledger.schedule(pending, due_at=T0 + timedelta(days=1))
    ledger.schedule(pending, due_at=T0 + timedelta(days=2), reason="pacing: 1 a day")

    # Claimed now, by a process on another host: left `sending` by recover_stale.
    ledger.claim(new("x-sending"), owner=OWNER, lease_seconds=3600)

    thread = new("x-thread", parts=("1/3", "2/3", "3/3"))
    ledger.claim(thread, owner=OWNER, lease_seconds=600)
    ledger.record_part(thread, index=0, remote_id="t1")
    ledger.record_part(thread, index=1, remote_id="t2")
    ledger.mark_sent(
        thread, remote_id="t1", remote_url="https://x.example/t1", part_ids=("t1", "t2", "t3")
    )

    failed = new("x-failed")
    ledger.claim(failed, owner=OWNER, lease_seconds=600)
    ledger.mark_failed(failed, kind="rejected", error="duplicate status")

    requeued = new("x-requeued")
    ledger.claim(requeued, owner=OWNER, lease_seconds=600)
    ledger.mark_failed(
        requeued, kind="transient", error="HTTP 503", retry_at=T0 + timedelta(hours=1), requeue=True
    )

    unknown = new("x-unknown", parts=("a/2", "b/2"))
    ledger.claim(unknown, owner=OWNER, lease_seconds=600)
    ledger.record_part(unknown, index=0, remote_id="u1")
    ledger.mark_unknown(unknown, error="read timed out")

    recovered = new("x-recovered")
    ledger.claim(recovered, owner=OWNER, lease_seconds=60, now=T0)
    ledger.recover_stale(now=T0 + timedelta(hours=1))

    manual = new("mastodon")
    ledger.mark_manual(manual)

    done = new("mastodon", post="done-by-hand")
    ledger.mark_manual(done)
    ledger.mark_done(done, url="https://mastodon.example/@me/1")

    skipped = new("x-skipped")
    ledger.mark_skipped(skipped, reason="too old")

    relayed = new("x-relayed")
    ledger.mark_relayed(relayed, via="fb-page")

    cancelled = new("x-cancelled")
    ledger.cancel(cancelled)

    retried = new("x-retried")
    ledger.cancel(retried)
    ledger.reset_for_retry(retried, reason="queue retry")

    forced = new("x-forced")
    ledger.claim(forced, owner=OWNER, lease_seconds=600)
    ledger.mark_sent(forced, remote_id="f1", remote_url="https://x.example/f1")
    ledger.reset_for_retry(forced, reason="--force", force=True)

    updated = new("x-updated")
    ledger.update_content(
        updated, text="v2", parts=("v2",), link=None, content_hash="sha256:v2", route="repost"
    )

    ledger.save_short_link(
        "https://blog.example/2024/hello/?utm_source=x-thread",
        short_url="https://bit.ly/a",
        bitlink_id="bit.ly/a",
    )
    ledger.save_short_link(
        "https://blog.example/other/", short_url="https://s.example/b", bitlink_id=None
    )
    ledger.set_paused("x-paused", paused=True, reason="auth refused: run `crosspost auth x-paused`")
    ledger.set_paused("fb-page", paused=True)
    ledger.set_paused("fb-page", paused=False)

    ledger.record_pull(
        "blog",
        url="https://blog.example/feed.xml",
        status="ok",
        etag='"abc"',
        modified="Wed, 01 May 2024 08:00:00 GMT",
        entries=(
            EntryMark("urn:1", "https://blog.example/2024/hello/", "Hello", "published"),
            EntryMark("urn:2", None, "Draft", "review"),
            EntryMark("urn:3", None, None, "skipped"),
        ),
        now=T0,
    )
    ledger.record_pull(
        "blog",
        url="https://blog.example/feed.xml",
        status="error",
        error="HTTP 500",
        now=T0 + timedelta(hours=1),
    )
    ledger.record_pull("news", url="https://news.example/rss", status="not-modified", now=T0)
    ledger.add_note(text="Shared in the alumni newsletter", channel="newsletter", at=T0)
    ledger.add_note(text="Talked about it on the radio", at=T0 + timedelta(days=1))


def main() -> None:
    out = Path(__file__).with_name("ledger-v3.sql")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.sqlite3"
        with Ledger.open(path) as ledger:
            fill(ledger)
        raw = sqlite3.connect(path)
        try:
            version = raw.execute("PRAGMA user_version").fetchone()[0]
            assert version == 3, version
            lines = list(raw.iterdump())
        finally:
            raw.close()
    out.write_text("\n".join([*lines, f"PRAGMA user_version={version};", ""]), encoding="utf-8")
    print(f"wrote {out} ({len(lines)} statements)", file=sys.stderr)


if __name__ == "__main__":
    main()
