"""A feed's `timeout` bounds the whole request, status line and headers included,
however slowly the bytes arrive."""

from __future__ import annotations

import json
import socket
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


# Each header byte comes well within the socket timeout (1 s), so only a deadline over
# the whole request stops the read; the head is about 100 bytes, so a regression
# reads it all (about 30 s) and the pull succeeds, failing the test, rather than hangs.
HEADER_DRIP = 0.3


class HeaderDribble:
    """A bare socket server: reads one request, then sends the status line and headers
    one byte every HEADER_DRIP s, then the whole FEED at once."""

    def __init__(self) -> None:
        self.head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=UTF-8\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(FEED)
        )
        self.head_bytes_sent = 0
        self.sent_all: bool | None = None  # once `done`: whether everything went out
        self.done = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so that stop() is noticed while waiting for a client
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/feed.xml"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                self._answer(conn)
            return

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        request = b""
        try:
            while b"\r\n\r\n" not in request and (data := conn.recv(4096)):
                request += data
            self.sent_all = False
            for byte in self.head:
                conn.sendall(bytes([byte]))
                self.head_bytes_sent += 1
                if self._stop.wait(HEADER_DRIP):
                    return
            conn.sendall(FEED)
            self.sent_all = True
        except OSError:  # the client hung up, as it should
            pass
        finally:
            self.done.set()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()


@pytest.fixture
def dribble() -> Iterator[HeaderDribble]:
    server = HeaderDribble()
    try:
        yield server
    finally:
        server.stop()


def test_a_feed_whose_headers_dribble_stops_at_its_timeout(
    tmp_path: Path, dribble: HeaderDribble
) -> None:
    config = tmp_path / "channels.yaml"
    config.write_text(
        "channels:\n  xing:\n    network: manual\n    site: Xing\n"
        f"feeds:\n  - name: slow\n    url: {dribble.url}\n    timeout: 1\n",
        encoding="utf-8",
    )
    result = run("-c", config, "feed", "pull", "--json")
    assert result.exit_code == 1, result.stderr
    assert [f["status"] for f in json.loads(result.stdout)] == ["error"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert f"{dribble.url} did not answer within 1 s" in errors[0]
    assert "Traceback" not in result.stderr
    # crosspost hung up before the headers were over; the wait only bounds a regression.
    assert dribble.done.wait(timeout=60)
    assert dribble.sent_all is False
    assert 0 < dribble.head_bytes_sent < len(dribble.head)
