"""Domain code records what happened; after commit, floorapp.realtime emits it to rooms."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

KEY = "floor_events"


def record(session: Session, name: str, data: dict[str, Any], rooms: tuple[str, ...] = ("board",)) -> None:
    session.info.setdefault(KEY, []).append((name, data, rooms))


def take(session: Session) -> list[tuple[str, dict[str, Any], tuple[str, ...]]]:
    """The events recorded since the last take (call after commit)."""
    return session.info.pop(KEY, [])
