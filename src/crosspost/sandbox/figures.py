"""What the sandbox says of an account's audience and of its posts' engagement.

`crosspost stats` reads these through each network's own endpoints; this module
keeps the figures those endpoints answer, in the canonical names of
`crosspost.networks.base.METRICS` (each API module translates them to its wire
names), and what a tier hides.  Figures never set are derived from the account
or the post id, so the demo shows numbers and a test can predict them:

    sandbox.set_followers("twitter", 3200)                  # every X account
    sandbox.set_engagement("facebook", post_id, likes=3, impressions=120)
    sandbox.set_tier("twitter", hides=["impressions"])      # X omits impression_count
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from crosspost.sandbox.state import Store, check_network

# The same names as crosspost.networks.base.METRICS (the sandbox does not import the
# client side it stands in front of; a test checks the two agree).
METRICS: tuple[str, ...] = ("impressions", "likes", "comments", "shares", "quotes", "clicks")
# What a network's tier or permissions can refuse: X's impression_count (not on every
# tier), Facebook's post insights (they need a permission the Page token may lack).
HIDEABLE: dict[str, tuple[str, ...]] = {"twitter": ("impressions",), "facebook": ("impressions",)}
# Ranges of the derived figures: a believable audience, small counts per post.
_FOLLOWERS = (120, 4880)
_RANGES = {
    "impressions": (40, 960),
    "likes": (0, 40),
    "comments": (0, 8),
    "shares": (0, 12),
    "quotes": (0, 4),
    "clicks": (0, 30),
}


def _number(seed: str) -> int:
    return int(hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16], 16)


def default_followers(network: str, account: str) -> int:
    """The follower count of an account nobody set: non-zero, the same every run."""
    low, span = _FOLLOWERS
    return low + _number(f"followers:{network}:{account}") % span


def default_counts(network: str, post_id: str) -> dict[str, int]:
    """The engagement of a post nobody set: small counts derived from its id."""
    seed = _number(f"engagement:{network}:{post_id}")
    counts = {}
    for index, name in enumerate(METRICS):
        low, span = _RANGES[name]
        counts[name] = low + (seed >> (index * 9)) % (span + 1)
    return counts


def _check(network: str) -> None:
    check_network(network)
    if network == "bitly":
        raise ValueError("bit.ly has no followers or engagement: POST /_sandbox/clicks sets clicks")


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} must be an integer >= 0, not {value!r}")
    return value


def set_followers(store: Store, network: str, count: Any, account: Any = None) -> None:
    """`account`'s follower count (as the API names it), or every account's when None."""
    _check(network)
    count = _count(count, "count")
    if account is not None and (not isinstance(account, str) or not account.strip()):
        raise ValueError(f"account must be a non-empty string (what the API sees), not {account!r}")
    with store.lock:
        mine = store.figures[network]
        if account is None:
            # Every account of the network: what was set per account goes too.
            mine["followers"] = {}
            mine["all_followers"] = count
        else:
            mine["followers"][account.strip()] = count


def followers(store: Store, network: str, *names: str) -> int:
    """The follower count of the account known by any of `names` (id, handle...)."""
    with store.lock:
        mine = store.figures[network]
        for name in names:
            if name in mine["followers"]:
                return int(mine["followers"][name])
        if mine["all_followers"] is not None:
            return int(mine["all_followers"])
    return default_followers(network, names[0])


def set_engagement(store: Store, network: str, post_id: Any, metrics: Any) -> dict[str, int]:
    """Set some of a post's counts (the others keep theirs); the post's counts after."""
    _check(network)
    if not isinstance(post_id, str) or not post_id:
        raise ValueError(f"id must be the post's id as the API gives it, not {post_id!r}")
    if not isinstance(metrics, Mapping) or not metrics:
        raise ValueError(f"metrics must be an object of counts by name ({', '.join(METRICS)})")
    unknown = sorted(str(name) for name in metrics if name not in METRICS)
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}: expected one of {', '.join(METRICS)}")
    told = {str(name): _count(value, f"metric {name!r}") for name, value in metrics.items()}
    with store.lock:
        store.figures[network]["posts"].setdefault(post_id, {}).update(told)
    return counts(store, network, post_id)


def counts(store: Store, network: str, post_id: str) -> dict[str, int]:
    """Every canonical count of a post: what was set, else the derived one."""
    with store.lock:
        told = dict(store.figures[network]["posts"].get(post_id, {}))
    return default_counts(network, post_id) | told


def set_tier(store: Store, network: str, hides: Any) -> tuple[str, ...]:
    """What `network`'s answers hide from now on (an empty list: nothing)."""
    _check(network)
    if not isinstance(hides, list) or not all(isinstance(h, str) for h in hides):
        raise ValueError('hides must be a list of metric names, like ["impressions"]')
    allowed = HIDEABLE.get(network, ())
    bad = [h for h in hides if h not in allowed]
    if bad:
        said = ", ".join(allowed) if allowed else "nothing: its API has no tiers here"
        raise ValueError(f"{network} can hide {said}; not {bad[0]!r}")
    with store.lock:
        store.figures[network]["hides"] = tuple(dict.fromkeys(hides))
        return tuple(store.figures[network]["hides"])


def hidden(store: Store, network: str) -> frozenset[str]:
    with store.lock:
        return frozenset(store.figures[network]["hides"])


def empty(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """A fresh figures memory for each network (Store.reset)."""
    return {n: {"followers": {}, "all_followers": None, "posts": {}, "hides": ()} for n in names}
