"""Everything the sandbox remembers: posts, requests, uploads, links, faults, latency.

One `Store` per server, guarded by one re-entrant lock: handler threads run
concurrently, and each API module takes `store.lock` around its
check-then-create steps (a duplicate tweet check must not race a second copy).
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

# 400: a plain refusal, which proves nothing was created (every network has one).
FAULT_STATUSES = frozenset({400, 401, 402, 429, 500, 503})
# X's billing answers: 402 when pay-per-use credits are spent, and a 429 whose
# problem type says the monthly usage cap is reached (`problem="usage-capped"`).
TWITTER_PROBLEMS = ("usage-capped",)
# The Graph error codes Meta documents for throttling; 32 is the one a Page token hits.
FACEBOOK_RATE_CODES = (4, 17, 32, 613)


@dataclass
class Fault:
    """One injected failure, consumed by the next `remaining` posting requests."""

    status: int | None
    delay: float | None
    remaining: int
    reset_in: int
    code: int | None = None
    problem: str | None = None  # X only: a 429 "usage-capped" instead of a rate limit
    reads: bool = False  # also hits reading requests (bit.ly's clicks), not only posting
    # The error's message echoes the request's headers (Authorization included), as
    # some real APIs' do: what a client shows or stores of it must be scrubbed.
    echo: bool = False
    # The request is carried out first (the post is created), then the error is the
    # answer: a server error that proves nothing, as Graph's 500s on posts do.
    created: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_fault(
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
) -> Fault:
    """Validate fault parameters once, for both the Python and the HTTP control API."""
    check_network(network)
    if status is None and delay is None:
        raise ValueError("a fault needs a status, a delay or both")
    if status == 402 and network != "twitter":
        raise ValueError("status 402 (credits spent) is X's answer: use network twitter")
    if problem is not None and (network != "twitter" or status != 429):
        raise ValueError("problem only applies to a twitter fault with status 429")
    if problem is not None and problem not in TWITTER_PROBLEMS:
        raise ValueError(f"problem must be one of {TWITTER_PROBLEMS}, not {problem!r}")
    if echo and status is None:
        raise ValueError("echo needs a status: it is the error's message that echoes")
    if status is not None and status not in FAULT_STATUSES:
        raise ValueError(f"status must be one of {sorted(FAULT_STATUSES)}, not {status!r}")
    if created and (status is None or status < 500):
        # A refusal (4xx) proves nothing was made; answering one for a post that
        # exists would make a test assert what no network does.
        raise ValueError("created needs a server-error status (500 or 503) to answer with")
    if created and reads:
        raise ValueError("created applies to posting requests only: a read creates nothing")
    if delay is not None and (not isinstance(delay, int | float) or delay < 0):
        raise ValueError(f"delay must be a number of seconds >= 0, not {delay!r}")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an integer >= 1, not {count!r}")
    if not isinstance(reset_in, int) or reset_in < 0:
        raise ValueError(f"reset_in must be an integer >= 0, not {reset_in!r}")
    if code is not None:
        if network != "facebook" or status != 429:
            raise ValueError("code only applies to a facebook fault with status 429")
        if code not in FACEBOOK_RATE_CODES:
            raise ValueError(f"code must be one of {FACEBOOK_RATE_CODES}, not {code!r}")
    return Fault(
        status=status,
        delay=float(delay) if delay is not None else None,
        remaining=count,
        reset_in=reset_in,
        code=code,
        echo=bool(echo),
        problem=problem,
        reads=bool(reads),
        created=bool(created),
    )


def known_networks() -> tuple[str, ...]:
    """Every network the sandbox has an API for (plugins included), and bit.ly."""
    from crosspost.sandbox.apis import network_names  # the APIs import this module

    return network_names()


def check_network(network: str) -> None:
    known = known_networks()
    if network not in known:
        raise ValueError(f"unknown network {network!r}: expected one of {', '.join(known)}")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """The sandbox's whole memory; `reset()` forgets all of it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        from crosspost.sandbox import figures  # it imports this module

        names = known_networks()
        with self.lock:
            self._posts: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
            self._requests: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
            self._faults: dict[str, list[Fault]] = {n: [] for n in names}
            self._latency: dict[str, float] = dict.fromkeys(names, 0.0)
            # What a plugin's API remembers besides its posts (sessions, uploads).
            self._memory: dict[str, dict[str, Any]] = {n: {} for n in names}
            self._counters: dict[str, itertools.count[int]] = {}
            # Per-API memory, read and written by the API modules under `lock`.
            self.x_media: dict[str, dict[str, Any]] = {}
            self.x_windows: dict[tuple[str, str], list[float]] = {}
            self.li_images: dict[str, dict[str, Any]] = {}
            self.li_upload_tokens: dict[str, str] = {}
            # Same dicts as the bit.ly "posts", indexed by bitlink id ("bit.ly/abc").
            self.bitlinks: dict[str, dict[str, Any]] = {}
            self.clicks: dict[str, int] = {}
            # Followers, engagement and tiers per network (sandbox/figures.py).
            self.figures: dict[str, dict[str, Any]] = figures.empty(names)

    def memory(self, network: str) -> dict[str, Any]:
        """`network`'s own memory, a dict its API module reads and writes under `lock`."""
        check_network(network)
        return self._memory[network]

    def next_number(self, kind: str) -> int:
        """A fresh integer per kind of id (1, 2, 3...), so ids are stable across runs."""
        with self.lock:
            counter = self._counters.setdefault(kind, itertools.count(1))
            return next(counter)

    # Posts -----------------------------------------------------------------
    def add_post(self, network: str, post: dict[str, Any]) -> None:
        with self.lock:
            self._posts[network].append(post)

    def posts(self, network: str) -> list[dict[str, Any]]:
        check_network(network)
        with self.lock:
            return copy.deepcopy(self._posts[network])

    def live_posts(self, network: str) -> list[dict[str, Any]]:
        """The stored list itself, for API modules that hold `lock` while they read it."""
        return self._posts[network]

    def delete_post(self, network: str, post_id: str) -> bool:
        """Forget a post, as when its author deletes it; False when there was none."""
        check_network(network)
        with self.lock:
            kept = [p for p in self._posts[network] if p["id"] != post_id]
            gone = len(kept) < len(self._posts[network])
            self._posts[network][:] = kept
            return gone

    def find_post(self, network: str, post_id: str) -> dict[str, Any] | None:
        with self.lock:
            return next((p for p in self._posts[network] if p["id"] == post_id), None)

    # Requests --------------------------------------------------------------
    def add_request(self, network: str, entry: dict[str, Any]) -> None:
        """Keep an already-redacted request entry; its `status` is filled in later."""
        with self.lock:
            self._requests[network].append(entry)

    def set_request_status(self, entry: dict[str, Any], status: int) -> None:
        with self.lock:
            entry["status"] = status

    def requests(self, network: str) -> list[dict[str, Any]]:
        check_network(network)
        with self.lock:
            return copy.deepcopy(self._requests[network])

    # Faults and latency ----------------------------------------------------
    def add_fault(self, network: str, fault: Fault) -> None:
        # Faults queue up: "429 twice, then 503, then fine" is one sequence.
        with self.lock:
            self._faults[network].append(fault)

    def take_fault(self, network: str, *, posting: bool = True) -> Fault | None:
        """Consume one use of the oldest pending fault, if any (a reading request only
        takes a fault made with `reads`)."""
        with self.lock:
            queue = self._faults[network]
            if not queue or not (posting or queue[0].reads):
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return copy.copy(fault)

    def set_latency(self, network: str, seconds: float) -> None:
        check_network(network)
        if not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError(f"latency must be a number of seconds >= 0, not {seconds!r}")
        with self.lock:
            self._latency[network] = float(seconds)

    def latency(self, network: str) -> float:
        with self.lock:
            return self._latency[network]

    # bit.ly clicks -----------------------------------------------------------
    def set_clicks(self, bitlink_id: str, clicks: int) -> None:
        if not isinstance(clicks, int) or clicks < 0:
            raise ValueError(f"clicks must be an integer >= 0, not {clicks!r}")
        with self.lock:
            self.clicks[normalize_bitlink(bitlink_id)] = clicks

    # Snapshot ----------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """What GET /_sandbox/state answers and the HTML page shows."""
        with self.lock:
            return {
                "posts": copy.deepcopy(self._posts),
                "requests": {n: len(r) for n, r in self._requests.items()},
                "faults": {n: [f.as_dict() for f in q] for n, q in self._faults.items()},
                "latency": dict(self._latency),
                "clicks": dict(self.clicks),
                # What was set of followers, engagement and tiers (defaults are not listed).
                "figures": copy.deepcopy(self.figures),
            }


def normalize_bitlink(bitlink: str) -> str:
    """`https://bit.ly/abc`, `bit.ly/abc` and `bit.ly/abc/` all name one bitlink."""
    value = bitlink.strip()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value.rstrip("/")
