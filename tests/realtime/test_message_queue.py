"""With FLOORAPP_REDIS_URL set, an event raised outside the web process reaches the web process's clients."""
from __future__ import annotations

import os
import uuid

from floorapp.realtime import emit_from_anywhere

from .test_socket_rooms import _client

REDIS_URL = os.environ.get("FLOORAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL = f"floorapp-test-{uuid.uuid4().hex[:8]}"  # this run's own channel on the shared Redis
LIVE_SERVER_ENV = {"FLOORAPP_REDIS_URL": REDIS_URL, "FLOORAPP_REDIS_CHANNEL": CHANNEL}


def test_an_event_from_another_process_reaches_the_board_through_redis(live_server):
    http = live_server.session()
    live_server.log_in(http, "S-0001")
    board, events = _client(live_server, http)
    try:
        emit_from_anywhere(REDIS_URL, "wave.released", {"wave": 99, "orders": ["SO-1049"]}, "board", channel=CHANNEL)
        event, data = events.get(timeout=5)
        assert (event, data) == ("wave.released", {"wave": 99, "orders": ["SO-1049"]})
    finally:
        board.disconnect()
