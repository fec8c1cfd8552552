"""Feed intake: new articles from the blog's RSS or Atom feed become posts.

`pull_feeds` reads each configured feed (over HTTP with a conditional GET, or
from a file), turns every entry it has not seen into a `Post`, and acts on it:
publish, schedule (through the queue) or list it for review.  The ledger
remembers every entry it was offered, so an entry is taken once however the
feed reorders or edits it.

Rules that keep a feed from flooding the networks:
- The first pull of a feed (or of a feed whose address changed) only
  remembers what is there: the backlog is never posted.  `--populate` does
  the same on purpose.
- An entry is known by its id, falling back to its link when the feed has no
  ids or gives the same id to different articles; its link is the post key,
  so an article already in the ledger (from a post file, or another feed) is
  never taken again.
- ETag and Last-Modified are stored in the same transaction as the entries of
  that answer, and only when the pull succeeded: a later 304 can never hide an
  entry that was not recorded.

Images in feeds are URLs: they go to the post's `image` for templates, and the
networks show the article's own preview image (og:image) in their link cards;
nothing is downloaded.

feedparser and requests are imported inside the functions that use them, so
`crosspost --help` does not pay for them.
"""

from __future__ import annotations

from ..errors import FeedUnavailable
from .fetch import Answer, feed_location, fetch_feed, user_agent
from .html import escape_markdown, html_to_text
from .parse import FeedItem, ParsedFeed, parse_feed
from .pull import (
    EntryResult,
    FeedPull,
    FeedSummary,
    PendingEntry,
    PullResult,
    ScheduleFn,
    list_feeds,
    pull_feeds,
    schedule_through_queue,
    select_feeds,
)

__all__ = [
    "Answer",
    "EntryResult",
    "FeedItem",
    "FeedPull",
    "FeedSummary",
    "FeedUnavailable",
    "ParsedFeed",
    "PendingEntry",
    "PullResult",
    "ScheduleFn",
    "escape_markdown",
    "feed_location",
    "fetch_feed",
    "html_to_text",
    "list_feeds",
    "parse_feed",
    "pull_feeds",
    "schedule_through_queue",
    "select_feeds",
    "user_agent",
]
