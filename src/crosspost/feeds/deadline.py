"""A requests session whose whole request, from the connect to the last byte, ends by
one deadline.

requests' `timeout` bounds each socket operation, not the request: a server
that sends its status line and headers a byte every half second keeps every
read short and the whole answer as long as it likes.  Here every socket read
of the answer (status line, headers, body) may wait only for the time left
until the deadline, and so may the TCP connect and the TLS handshake; past
it, a read raises `socket.timeout` at once, which urllib3 reports as the read
timeout it already knows (`requests.Timeout` before the body,
`urllib3.exceptions.ReadTimeoutError` within it).

The clock travels with each read rather than in a watchdog thread: no thread
to stop, and no socket closed from another thread while urllib3 still uses
it.  urllib3 closes the connection on the timeout, as on any other.  Name
resolution (getaddrinfo) cannot be interrupted and is the one step left out.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http.client import HTTPResponse
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

# The deadline (time.monotonic()) of the request under way in this thread, read by
# each connection and response as urllib3 makes them: urllib3's pools pass them
# no argument of ours.
_DEADLINE: ContextVar[float | None] = ContextVar("crosspost_feed_deadline", default=None)
# The least wait a socket is given: a timeout of 0 would make it non-blocking
# instead of timed out.
_LEAST_WAIT = 0.001


@contextmanager
def deadline_session(deadline: float) -> Iterator[Any]:
    """A `requests.Session` whose requests, redirects included, end by `deadline`
    (a `time.monotonic()` value), however slowly the server sends."""
    token = _DEADLINE.set(deadline)
    try:
        with requests.Session() as session:
            adapter = _DeadlineAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            yield session
    finally:
        _DEADLINE.reset(token)


def _time_left(deadline: float) -> float:
    return max(deadline - time.monotonic(), _LEAST_WAIT)


class _DeadlineReader(io.RawIOBase):
    """The socket's raw reader, each read allowed only the time left until the deadline."""

    def __init__(self, raw: Any, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._raw = raw  # the socket's own SocketIO: closing it releases the socket
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if time.monotonic() >= self._deadline:
            raise TimeoutError("the request's deadline has passed")
        self._sock.settimeout(_time_left(self._deadline))
        return int(self._raw.readinto(buffer))

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(HTTPResponse):
    """http.client's response, reading the socket through a `_DeadlineReader`."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        deadline = _DEADLINE.get()
        if deadline is not None:
            # Nothing is read yet: take the raw reader from under its buffer.
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline))


class _DeadlineConnection(HTTPConnection):
    """A connection that connects, and has its answer read, by the current deadline."""

    response_class = _DeadlineResponse

    def _new_conn(self) -> socket.socket:
        deadline = _DEADLINE.get()
        if deadline is None:
            return super()._new_conn()
        self.timeout = _time_left(deadline)
        sock = super()._new_conn()
        # The TLS handshake that follows waits on this socket's timeout.
        sock.settimeout(_time_left(deadline))
        return sock


class _DeadlineHTTPSConnection(_DeadlineConnection, HTTPSConnection):
    pass


class _DeadlinePool(urllib3.HTTPConnectionPool):
    ConnectionCls = _DeadlineConnection


class _DeadlineHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


_POOLS = {"http": _DeadlinePool, "https": _DeadlineHTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter, making its connections (direct or through an HTTP proxy)
    `_DeadlineConnection`s."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # a SOCKS proxy keeps its own pools
            manager.pool_classes_by_scheme = _POOLS
        return manager
