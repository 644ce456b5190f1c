"""The board's realtime rules against running servers: rooms are joined on the server only, supervisor
actions reach the handheld concerned, and with Redis an event raised in a second server process reaches
the clients of the first."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
import uuid

import pytest

from tests.live_server import _free_port, _wait_until_up

from .test_socket_rooms import _client

REDIS_URL = os.environ.get("FLOORAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL = f"floorapp-board-{uuid.uuid4().hex[:8]}"  # this run's own channel on the shared Redis
LIVE_SERVER_ENV = {"FLOORAPP_REDIS_URL": REDIS_URL, "FLOORAPP_REDIS_CHANNEL": CHANNEL}


def _wait_for(events: queue.Queue, name: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        event, data = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if event == name:
            return data


def _logged_in(server, badge: str, url: str | None = None):
    http = server.session()
    if url is None:
        server.log_in(http, badge)
    else:  # the same login on another server process (they share the secret key and the database)
        original, server.url = server.url, url
        try:
            server.log_in(http, badge)
        finally:
            server.url = original
    return http


def _open_order(server) -> int:
    return server.query("SELECT id FROM orders WHERE status IN ('allocated', 'released') AND priority = 'normal' "
                        "ORDER BY id LIMIT 1")[0][0]


@pytest.fixture(scope="module")
def second_server(live_server):
    """Another gunicorn + gevent process on the same database and the same Redis channel."""
    port = _free_port()
    env = {**os.environ, "FLOORAPP_INSTANCE_PATH": str(live_server.instance),
           "FLOORAPP_DATABASE_URL": live_server.database_url, "FLOORAPP_SECRET_KEY": "browser-test-secret",
           **LIVE_SERVER_ENV}
    url = f"http://127.0.0.1:{port}"
    with open(live_server.instance / "second-server.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
                                   "--bind", f"127.0.0.1:{port}", "floorapp.wsgi:app"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, server, live_server.instance / "second-server.log")
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_a_picker_socket_cannot_join_the_board(live_server):
    board, board_events = _client(live_server, _logged_in(live_server, "S-0001"))
    picker, picker_events = _client(live_server, _logged_in(live_server, "P-0002"))
    try:
        for name in ("join", "join_room", "enter_room"):  # whatever a client asks, rooms are the server's choice
            picker.emit(name, {"room": "board"})
        supervisor = _logged_in(live_server, "S-0001")
        order = _open_order(live_server)
        answer = supervisor.post(f"{live_server.url}/board/orders/{order}/rush", headers={"HX-Request": "true"},
                                 timeout=10)
        assert answer.status_code == 200, answer.text
        assert _wait_for(board_events, "order.rush")["order"].startswith("SO-")
        time.sleep(1.0)
        assert [event for event, _ in list(picker_events.queue) if event in ("order.rush", "supervisor.action")] == []
    finally:
        board.disconnect()
        picker.disconnect()


def test_a_reassignment_reaches_both_pickers_handhelds_at_once(live_server):
    pat_http, robin_http = _logged_in(live_server, "P-0001"), _logged_in(live_server, "P-0002")
    pat, pat_events = _client(live_server, pat_http)
    robin, robin_events = _client(live_server, robin_http)
    try:
        task_url = pat_http.post(live_server.url + "/pick/next", timeout=10).url
        task_id = int(task_url.rstrip("/").rsplit("/", 1)[-1])
        robin_id = live_server.query("SELECT id FROM users WHERE badge = 'P-0002'")[0][0]
        supervisor = _logged_in(live_server, "S-0001")
        answer = supervisor.post(live_server.url + "/board/tasks", headers={"HX-Request": "true"}, timeout=10,
                                 data={"task": task_id, "action": "reassign", "picker": robin_id})
        assert answer.status_code == 200, answer.text
        for events in (pat_events, robin_events):
            data = _wait_for(events, "task.changed")
            assert (data["task"], data["change"]) == (task_id, "reassigned")
        assert robin_http.get(live_server.url + "/pick/", timeout=10).url.endswith(f"/pick/tasks/{task_id}")
        assert pat_http.get(task_url, timeout=10).status_code == 403
    finally:
        pat.disconnect()
        robin.disconnect()


def test_an_action_on_a_second_server_reaches_the_board_on_the_first(live_server, second_server):
    board, board_events = _client(live_server, _logged_in(live_server, "S-0001"))
    try:
        other = _logged_in(live_server, "A-0001", url=second_server)
        order = _open_order(live_server)
        answer = other.post(f"{second_server}/board/orders/{order}/rush", headers={"HX-Request": "true"}, timeout=10)
        assert answer.status_code == 200, answer.text
        data = _wait_for(board_events, "supervisor.action")
        assert (data["action"], data["user"]) == ("order.rush", "A-0001")
        assert live_server.query("SELECT priority FROM orders WHERE id = :i", i=order)[0][0] == "rush"
    finally:
        board.disconnect()
