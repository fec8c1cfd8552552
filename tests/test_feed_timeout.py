"""A feed's `timeout` bounds the whole download, however slowly the bytes arrive."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from helpers import run

# A whole, valid feed: were the deadline ignored, the pull would read it all and succeed.
FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    b"<title>Blog</title><link>https://blog.example.com/</link><description>d</description>"
    b"<item><title>Article</title><link>https://blog.example.com/a/</link>"
    b'<guid isPermaLink="false">https://blog.example.com/?p=1</guid>'
    b"<pubDate>Mon, 02 Nov 2026 09:00:00 +0000</pubDate></item></channel></rss>"
)
# Each byte comes well within the socket timeout, so only a deadline over the whole
# body stops the read; the trickle is bounded (len(FEED) * DRIP, about 7 s) so a
# regression fails the test instead of hanging it.
DRIP = 0.02


class Trickle:
    """Serves FEED one byte at a time, with a Content-Length or chunked."""

    def __init__(self) -> None:
        # Whether the whole feed went out before the client hung up, once the answer ends.
        self.sent_all: bool | None = None
        self.done = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                chunked = self.path.startswith("/chunked")
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=UTF-8")
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(FEED)))
                self.send_header("Connection", "close")
                self.end_headers()
                server.sent_all = False
                try:
                    for byte in FEED:
                        piece = bytes([byte])
                        self.wfile.write(b"1\r\n" + piece + b"\r\n" if chunked else piece)
                        self.wfile.flush()
                        time.sleep(DRIP)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                    server.sent_all = True
                except OSError:  # the client gave up, as it should
                    pass
                finally:
                    server.done.set()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    server = Trickle()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/feed.xml", "/chunked/feed.xml"])
def test_a_feed_that_trickles_stops_at_its_timeout(
    tmp_path: Path, trickle: Trickle, path: str
) -> None:
    url = trickle.url(path)
    config = tmp_path / "channels.yaml"
    config.write_text(
        "channels:\n  xing:\n    network: manual\n    site: Xing\n"
        f"feeds:\n  - name: slow\n    url: {url}\n    timeout: 0.3\n",
        encoding="utf-8",
    )
    result = run("-c", config, "feed", "pull", "--json")
    assert result.exit_code == 1, result.stderr
    assert [f["status"] for f in json.loads(result.stdout)] == ["error"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert f"{url} did not finish answering within 0.3 s" in errors[0]
    assert "Traceback" not in result.stderr
    # crosspost hung up mid-feed rather than reading the trickle to its end; the wait is
    # only a bound, so that a regression fails here rather than hangs.
    assert trickle.done.wait(timeout=30)
    assert trickle.sent_all is False
