"""Socket.IO: rooms, auth on connect, and the one place that emits.

Rooms: `board` (supervisors, admins), `zone:<code>`, `station:<code>`, `user:<id>`. Clients are put in
rooms by the server after the connect handler has checked the session. With FLOORAPP_REDIS_URL set,
Redis is the message queue, so any process (web, CLI, job) can emit to every client.
"""
from __future__ import annotations

import sys
import time

from flask import Flask
from flask_login import current_user
from flask_socketio import SocketIO, join_room
from sqlalchemy.orm import Session

from .domain import events
from .domain.states import Role

socketio = SocketIO()

BOARD_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _async_mode() -> str:
    """gevent when running under gunicorn's gevent worker (monkey-patched), threads otherwise."""
    if "gevent.monkey" in sys.modules:
        from gevent import monkey
        if monkey.is_module_patched("socket"):
            return "gevent"
    return "threading"


def init_app(app: Flask) -> None:
    socketio.init_app(app, message_queue=app.config["REDIS_URL"], channel=app.config["REDIS_CHANNEL"],
                      async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
                      manage_session=False, cors_allowed_origins=app.config.get("SOCKETIO_ORIGINS"))


@socketio.on("connect")
def _on_connect(auth=None):  # noqa: ANN001
    if not current_user.is_authenticated:
        return False
    join_room(f"user:{current_user.id}")
    if current_user.role in BOARD_ROLES:
        join_room("board")
    if current_user.zone is not None:
        join_room(f"zone:{current_user.zone.code}")
    _join_station_room()
    return True


STATION_COOKIE = "floorapp_station"


def _join_station_room() -> None:
    """A pack station device (its station chosen once, kept in a cookie) hears its print jobs."""
    from flask import request
    code = (request.cookies.get(STATION_COOKIE) or "").strip()[:40]
    if code and current_user.role != Role.PICKER:
        join_room(f"station:{code}")


def emit_recorded(session: Session) -> int:
    """Emit what the domain recorded in this (committed) transaction; returns how many.

    Each event also carries `at`: when its transaction committed (epoch seconds), so a screen can tell
    how fresh it is (and bench/fanout.py measures commit-to-screen time)."""
    sent = 0
    committed_at = round(time.time(), 6)
    for name, data, rooms in events.take(session):
        payload = {**data, "at": committed_at}
        for room in rooms:
            socketio.emit(name, payload, to=room)
        sent += 1
    return sent


def emit_from_anywhere(redis_url: str, name: str, data: dict, room: str, channel: str = "floorapp") -> None:
    """For CLI commands and jobs: emit through the message queue to every server's clients."""
    SocketIO(message_queue=redis_url, channel=channel).emit(name, data, to=room)


# Station rooms for scanner agents (`station:join`), registered with the other handlers at import time.
from .web.scanning import events as _station_events  # noqa: F401
