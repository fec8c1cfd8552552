"""SQLite rows into the ledger's models: the one place a `sqlite3.Row` is read.

Nothing returned by the store is a row: each becomes a frozen dataclass of
`..models`, with its times aware, its lists tuples and its states enums.
"""

from __future__ import annotations

import json
import sqlite3

from ...states import DeliveryState, EventKind, Route
from ..models import Delivery, Event, FeedState, Note, SeenEntry
from .db import decode_parts, due_from_db, from_text, maybe_time


def delivery_from(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        post_key=row["post_key"],
        post_path=row["post_path"],
        post_title=row["post_title"],
        content_hash=row["content_hash"],
        channel=row["channel"],
        network=row["network"],
        state=DeliveryState(row["state"]),
        route=Route(row["route"]),
        text=row["text"],
        parts=decode_parts(row["parts"]),
        link=row["link"],
        payload=json.loads(row["payload"]) if row["payload"] not in (None, "", "{}") else {},
        due_at=due_from_db(row["due_at"]),
        attempts=row["attempts"],
        lease_until=maybe_time(row["lease_until"]),
        claimed_by=row["claimed_by"],
        sent_parts=decode_parts(row["sent_parts"]),
        remote_id=row["remote_id"],
        remote_url=row["remote_url"],
        error=row["error"],
        error_kind=row["error_kind"],
        retry_at=maybe_time(row["retry_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
        sent_at=maybe_time(row["sent_at"]),
        key=row["send_key"],
    )


def event_from(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        delivery_id=row["delivery_id"],
        channel=row["channel"],
        at=from_text(row["at"]),
        kind=EventKind(row["kind"]),
        detail=json.loads(row["detail"]),
    )


def feed_state_from(row: sqlite3.Row) -> FeedState:
    return FeedState(
        feed=row["feed"],
        url=row["url"],
        etag=row["etag"],
        modified=row["modified"],
        status=row["status"],
        error=row["error"],
        last_pull=from_text(row["last_pull"]),
        last_ok=maybe_time(row["last_ok"]),
    )


def seen_entry_from(row: sqlite3.Row) -> SeenEntry:
    return SeenEntry(
        feed=row["feed"],
        entry_key=row["entry_key"],
        post_key=row["post_key"],
        title=row["title"],
        action=row["action"],
        first_seen=from_text(row["first_seen"]),
        updated_at=from_text(row["updated_at"]),
    )


def note_from(row: sqlite3.Row) -> Note:
    return Note(
        id=row["id"],
        at=from_text(row["at"]),
        channel=row["channel"],
        text=row["text"],
        created_at=from_text(row["created_at"]),
    )
