"""The print sender: sends queued print jobs to their printers, retries unreachable ones with backoff.

Runs as its own process (`floorapp print-worker`, in the Procfile) so nothing is lost across a web
server restart, and is also kicked in-process right after a request commits new jobs, so a label
prints at once. Jobs are claimed atomically (domain.printjobs.claim): two senders never send one job.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from .domain import printjobs
from .domain.models import utcnow

log = logging.getLogger("floorapp.print")


def _emitter(config: dict[str, Any]):
    """After each commit: emit what was recorded to the stations, through Redis when configured."""
    from .domain import events

    if not config.get("REDIS_URL"):
        return lambda session: events.take(session)  # no message queue: station screens poll
    from flask_socketio import SocketIO
    queue = SocketIO(message_queue=config["REDIS_URL"], channel=config.get("REDIS_CHANNEL", "floorapp"))

    def emit(session: Session) -> None:
        for name, data, rooms in events.take(session):
            for room in rooms:
                queue.emit(name, data, to=room)
    return emit


def run(make_session: sessionmaker, config: dict[str, Any], *, once: bool = False,
        stop: threading.Event | None = None) -> int:
    """Send due jobs until stopped (or one round with `once`); returns how many were sent."""
    emit = _emitter(config)
    with make_session() as session:
        if printjobs.recover_interrupted(session):
            session.commit()
            emit(session)
    sent = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            sent += printjobs.send_due(make_session, after_commit=emit)
        except Exception:  # a database hiccup must not end the sender; the jobs stay queued
            log.exception("print sender round failed; trying again")
        if once:
            break
        with make_session() as session:
            wait = printjobs.next_wake(session, utcnow())
        stop.wait(max(0.2, wait))
    return sent


_kick_lock = threading.Lock()


def kick(app) -> None:
    """Send what was just queued, in the background of this process (a green thread under gevent)."""
    if not app.config.get("PRINT_KICK", True):
        return
    from . import realtime

    def send() -> None:
        if not _kick_lock.acquire(blocking=False):
            time.sleep(0.3)  # a round is running; it may have missed the new jobs: one more round after it
            if not _kick_lock.acquire(timeout=30):
                return
        try:
            with app.app_context():
                printjobs.send_due(app.extensions["floorapp.sessionmaker"], after_commit=realtime.emit_recorded)
        except Exception:
            log.exception("in-process print round failed; the print worker will retry")
        finally:
            _kick_lock.release()

    threading.Thread(target=send, name="print-kick", daemon=True).start()
