"""Domain code records what happened; after commit, floorapp.realtime emits it to rooms.

An integration event (order.allocated, order.shipped, stock.low, ... see outbox.EVENTS) also becomes
outbox rows - one per webhook subscriber and, for the customer's emails, one per mailbox - added to the
same session, so they are committed (or rolled back) with the change itself.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

KEY = "floor_events"


def record(session: Session, name: str, data: dict[str, Any], rooms: tuple[str, ...] = ("board",)) -> None:
    session.info.setdefault(KEY, []).append((name, data, rooms))
    from . import (
        outbox,  # late: outbox needs the models, which must not need this module
    )
    if name in outbox.EVENTS:
        outbox.enqueue(session, name, data)


def take(session: Session) -> list[tuple[str, dict[str, Any], tuple[str, ...]]]:
    """The events recorded since the last take (call after commit)."""
    return session.info.pop(KEY, [])
