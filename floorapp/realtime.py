"""Socket.IO: rooms, auth on connect, and the one place that emits.

Rooms: `board` (supervisors, admins), `zone:<code>`, `station:<code>`, `user:<id>`. Clients are put in
rooms by the server after the connect handler has checked the session. With FLOORAPP_REDIS_URL set,
Redis is the message queue, so any process (web, CLI, job) can emit to every client.
"""
from __future__ import annotations

import sys
import time
from typing import Any

from engineio import packet as eio_packet
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
    install_frame_fanout(socketio.server)


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


BOARD = "board"
BOARD_UPDATE = "board.update"


def emit_recorded(session: Session) -> int:
    """Emit what the domain recorded in this (committed) transaction; returns how many events.

    Each event also carries `at`: when its transaction committed (epoch seconds), so a screen can tell
    how fresh it is (and bench/fanout.py measures commit-to-screen time). The `board` room hears one
    message per commit, `board.update` = {"at": .., "events": [{"name": .., "data": {..}}, ...]}, in the
    order recorded: a board re-fetches its sections once per change, not once per event of it, and the
    fan-out to every board screen happens once per commit (a task's last scan records 3-4 events).
    Every other room hears each event by its own name."""
    committed_at = round(time.time(), 6)
    recorded = events.take(session)
    board = []
    for name, data, rooms in recorded:
        payload = {**data, "at": committed_at}
        for room in rooms:
            if room == BOARD:
                board.append({"name": name, "data": payload})
            else:
                socketio.emit(name, payload, to=room)
    if board:
        socketio.emit(BOARD_UPDATE, {"at": committed_at, "events": board}, to=BOARD)
    return len(recorded)


def emit_from_anywhere(redis_url: str, name: str, data: dict, room: str, channel: str = "floorapp") -> None:
    """For CLI commands and jobs: emit through the message queue to every server's clients."""
    SocketIO(message_queue=redis_url, channel=channel).emit(name, data, to=room)


# ------------------------------------------------------------------------------------------ fan-out

# Board fan-out: one WebSocket frame written to every board socket, not one writer wake-up per socket.
#
# python-socketio encodes a room emit once, then hands the packet to each recipient's engine.io queue; a
# writer greenlet per socket wakes up, frames the same text again (wsproto) and writes it. On gevent with
# simple-websocket (production: gunicorn's gevent worker) that per-socket path costs tens of microseconds per
# board screen per event. Here the frame is built once per packet (a server's frames are not masked, so the
# bytes are the same for every client) and written straight to each socket whose writer is idle with nothing
# queued: nothing can be half-written then, so the order of packets on every socket stays as it was. Any
# other socket (long-polling, upgrading, a writer still busy, a frame the kernel only took part of) gets the
# frame, or what is left of it, through its own queue as before, behind what is already there.


def text_frame(text: str) -> bytes:
    """A final, unmasked WebSocket text frame (RFC 6455 section 5.2), as a server sends it."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class Frame(bytes):
    """A ready frame waiting in a socket's engine.io queue; its writer calls .encode() then ws.send()."""

    def encode(self, b64: bool = False) -> Frame:  # noqa: ARG002 - engine.io's Packet.encode signature
        return self


def _frame_websocket(base: type) -> type:
    """engine.io's simple-websocket wrapper that knows its engine.io socket and writes ready frames as they are."""

    class FrameWebSocket(base):
        def __call__(self, environ: dict, start_response: Any) -> Any:
            eio_socket = getattr(self.app, "__self__", None)  # the handler is the engine.io socket's bound method
            if eio_socket is not None:
                eio_socket.frame_websocket = self
            return super().__call__(environ, start_response)

        writing = False  # True while this socket's writer is in a send (it can wait there for the kernel)

        def send(self, message: Any) -> Any:
            self.writing = True
            try:
                if not isinstance(message, Frame):
                    return super().send(message)
                if not self.ws.connected:
                    raise OSError("websocket closed")
                return self.ws.sock.sendall(message)
            finally:
                self.writing = False

    return FrameWebSocket


def _idle_raw_socket(eio_socket: Any) -> Any:
    """The raw non-blocking socket of an upgraded websocket whose writer waits with nothing queued, else None."""
    websocket = getattr(eio_socket, "frame_websocket", None)
    if websocket is None or not eio_socket.upgraded or eio_socket.upgrading:
        return None
    connection = getattr(websocket, "ws", None)
    if connection is None or not connection.connected:
        return None
    # The writer only waits in the queue or in a send: with nothing queued and no send under way, it holds no
    # packet, so a frame written now is whole and in order.
    if eio_socket.queue.qsize() or websocket.writing:
        return None
    return getattr(connection.sock, "_sock", None)  # gevent's socket wraps the OS socket (non-blocking)


def install_frame_fanout(server: Any) -> bool:
    """Route this socketio.Server's per-recipient MESSAGE packets through ready frames; True when installed.

    Only on gevent with engine.io's simple-websocket wrapper; anything else keeps the library's own path.
    This leans on engine.io internals (pinned in pyproject.toml): if they are not where it expects, the
    library's own path is kept rather than failing."""
    try:
        from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
        eio = server.eio
        websocket = eio._async.get("websocket")
        internals = callable(getattr(server, "_send_eio_packet", None)) and hasattr(eio, "sockets")
    except (ImportError, AttributeError):
        return False
    if (not internals or eio.async_mode != "gevent" or websocket is None
            or not issubclass(websocket, SimpleWebSocketWSGI)):
        return False
    eio._async = {**eio._async, "websocket": _frame_websocket(websocket)}  # this server only
    library_send = server._send_eio_packet

    def send_eio_packet(eio_sid: str, pkt: eio_packet.Packet) -> None:
        eio_socket = eio.sockets.get(eio_sid)
        if (eio_socket is None or eio_socket.closed or pkt.packet_type != eio_packet.MESSAGE or pkt.binary
                or getattr(eio_socket, "frame_websocket", None) is None or not eio_socket.upgraded
                or eio_socket.upgrading):
            return library_send(eio_sid, pkt)
        if not eio_socket.check_ping_timeout():
            return None
        frame = pkt.__dict__.get("frame")
        if frame is None:  # the same packet object goes to every recipient of one emit: frame it once
            frame = pkt.frame = Frame(text_frame(pkt.encode()))
        raw = _idle_raw_socket(eio_socket)
        if raw is not None:
            try:
                sent = raw.send(frame)
            except BlockingIOError:
                sent = 0
            except OSError:
                return library_send(eio_sid, pkt)  # let the library's writer meet the error and close the socket
            if sent == len(frame):
                return None
            frame = Frame(frame[sent:])
        eio_socket.queue.put(frame)
        return None

    server._send_eio_packet = send_eio_packet
    return True


# Station rooms for scanner agents (`station:join`), registered with the other handlers at import time.
from .web.scanning import events as _station_events  # noqa: F401
