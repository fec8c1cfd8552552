"""HTTP plumbing and the Python control API of the sandbox.

One `ThreadingHTTPServer` on one port serves X, Facebook, LinkedIn and bit.ly
at their real paths, so a client only swaps scheme and host. Handler threads
are daemons and never write to stderr: a test run or a demo stays quiet.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from crosspost.sandbox import figures
from crosspost.sandbox.dispatch import Dispatcher
from crosspost.sandbox.state import Store, make_fault
from crosspost.sandbox.wire import parse_request


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # handle_request() is only called once the socket is readable: never wait in it.
    timeout = 0

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        # Set before binding: an IPv6 literal needs an AF_INET6 socket.
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        # Open keep-alive connections, closed on stop so no client hangs on a dead server.
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out (the point of a delay fault) reset their
        # connection; that is expected, not worth a traceback on stderr.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crosspost-sandbox"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # no line per request on stderr

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute-form request target
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name.lower(): value for name, value in self.headers.items()}
        req = parse_request(self.command, target, headers, self._read_body())
        reply = self.server.dispatcher.handle(req)
        payload = reply.encode()
        try:
            self.send_response(reply.status)
            if reply.body is not None:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True


class Sandbox:
    """A running sandbox server, and the handle a test drives it with."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._store = Store()
        self._stopping = threading.Event()
        self._server = _Server((host, port), Dispatcher(self._store, self._stopping))
        self.host = host
        self.port: int = self._server.server_address[1]
        # stop() writes to this pair to wake the accept loop at once, where
        # serve_forever() would only notice on its next poll.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(
            target=self._accept_until_stopped,
            name=f"crosspost-sandbox-{self.port}",
            daemon=True,
        )
        self._stopped = False

    def _accept_until_stopped(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._server and not self._stopping.is_set():
                        self._server.handle_request()

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash (e.g. http://127.0.0.1:53211)."""
        host = self.host
        if host in {"", "0.0.0.0"}:
            host = "127.0.0.1"
        elif host == "::":
            host = "[::1]"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> Sandbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        self._wake_writer.send(b"x")
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._server.close_connections()
        self._server.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def posts(self, network: str) -> list[dict[str, Any]]:
        """Posts created on `network`, oldest first (for bit.ly: the links shortened)."""
        return self._store.posts(network)

    def memory(self, network: str) -> dict[str, Any]:
        """`network`'s own memory: what its read endpoints answer (`facebook_reads`)."""
        return self._store.memory(network)

    def requests(self, network: str) -> list[dict[str, Any]]:
        """Every request `network` received, secrets redacted, oldest first."""
        return self._store.requests(network)

    def fault(
        self,
        network: str,
        *,
        status: int | None = None,
        delay: float | None = None,
        count: int = 1,
        reset_in: int = 60,
        code: int | None = None,
        echo: bool = False,
        problem: str | None = None,
        reads: bool = False,
        created: bool = False,
    ) -> None:
        """Make the next `count` posting requests to `network` fail or answer late.

        `status` is 401, 429, 500 or 503, answered in the network's own shape;
        `delay` seconds are slept after the post is created, before answering;
        `reset_in` is when a 429 says to come back; `code` picks Facebook's
        throttling code (4, 17, 32 or 613; 32 by default); with `echo` the error's
        message repeats the request's headers, Authorization included; with
        `reads` reading requests are hit too (X's timeline, bit.ly's clicks); with
        `created` the request is carried out first (the post exists) and the
        server error (500 or 503) is answered all the same.
        """
        fault = make_fault(
            network,
            status=status,
            delay=delay,
            count=count,
            reset_in=reset_in,
            code=code,
            echo=echo,
            problem=problem,
            reads=reads,
            created=created,
        )
        self._store.add_fault(network, fault)

    def latency(self, network: str, seconds: float) -> None:
        """Add `seconds` to every request to `network` from now on (0 to remove)."""
        self._store.set_latency(network, seconds)

    def set_clicks(self, bitlink_id: str, n: int) -> None:
        """What bit.ly will report as total clicks for `bitlink_id` ("bit.ly/abc")."""
        self._store.set_clicks(bitlink_id, n)

    def set_followers(self, network: str, count: int, *, account: str | None = None) -> None:
        """What `network` answers as the follower count of `account` (the Page id, the
        organization URN, the X user id or username, the Mastodon account id or username,
        the Bluesky handle or did), or of every account of it when None."""
        figures.set_followers(self._store, network, count, account)

    def set_engagement(self, network: str, post_id: str, **metrics: int) -> dict[str, int]:
        """Set some of a post's counts, by the names of `crosspost.networks.METRICS`
        (likes=3, impressions=120); the others keep theirs.  Returns all six."""
        return figures.set_engagement(self._store, network, post_id, metrics)

    def set_tier(self, network: str, *, hides: list[str]) -> None:
        """What `network` hides from now on: ["impressions"] makes X omit impression_count
        and Facebook refuse post insights (a permission error); [] hides nothing."""
        figures.set_tier(self._store, network, list(hides))

    def engagement(self, network: str, post_id: str) -> dict[str, int]:
        """The six counts the sandbox answers for a post (set, else derived from its id)."""
        return figures.counts(self._store, network, post_id)

    def followers(self, network: str, account: str) -> int:
        """The follower count the sandbox answers for `account`."""
        return figures.followers(self._store, network, account)

    def delete_post(self, network: str, post_id: str) -> bool:
        """Forget a post, as when its author deletes it; False when there was none."""
        return self._store.delete_post(network, post_id)

    def reset(self) -> None:
        """Forget every post, request, upload, link, fault and latency."""
        self._store.reset()

    def state(self) -> dict[str, Any]:
        """The same snapshot GET /_sandbox/state answers."""
        return self._store.snapshot()


def start_sandbox(host: str = "127.0.0.1", port: int = 0) -> Sandbox:
    """Start a sandbox in a daemon thread; it is accepting connections on return."""
    return Sandbox(host, port).start()


def serve(host: str, port: int, *, on_ready: Callable[[Sandbox], None] | None = None) -> None:
    """Serve until Ctrl-C, then shut down cleanly; `on_ready` gets the running sandbox.

    Prints nothing: the caller (the CLI) says where the sandbox listens,
    from `on_ready` when port 0 lets the system choose.
    """
    sandbox = start_sandbox(host, port)
    try:
        if on_ready is not None:
            on_ready(sandbox)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return
    finally:
        sandbox.stop()


__all__ = ["Sandbox", "serve", "start_sandbox"]
