"""Socket.IO against a running server: who may connect, and a scan on a handheld reaching the board."""
from __future__ import annotations

import queue

import pytest
import socketio



def _client(server, http) -> tuple[socketio.Client, queue.Queue]:
    received: queue.Queue = queue.Queue()
    client = socketio.Client(http_session=http, reconnection=False)
    client.on("*", lambda event, data: received.put((event, data)))
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    return client, received


def test_a_socket_without_a_login_is_refused(live_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        _client(live_server, live_server.session())


def test_a_pick_confirmed_on_a_handheld_reaches_the_board_and_not_other_pickers(live_server):
    board_http, picker_http, other_http = (live_server.session() for _ in range(3))
    live_server.log_in(board_http, "S-0001")
    live_server.log_in(picker_http, "P-0001")
    live_server.log_in(other_http, "P-0002")
    board, board_events = _client(live_server, board_http)
    other, other_events = _client(live_server, other_http)
    try:
        task_url = picker_http.post(live_server.url + "/pick/next", timeout=10).url
        task_id = int(task_url.rstrip("/").rsplit("/", 1)[-1])
        line = live_server.query(
            "SELECT l.code, b.code, ptl.qty FROM pick_task_lines ptl JOIN locations l ON l.id = ptl.location_id "
            "JOIN barcodes b ON b.product_id = ptl.product_id WHERE ptl.task_id = :t ORDER BY ptl.seq, b.id LIMIT 1",
            t=task_id)[0]
        tote = live_server.query("SELECT code FROM totes WHERE order_id IS NULL ORDER BY code LIMIT 1")[0][0]
        for n, code in enumerate([line[0], line[1], str(line[2]) if line[2] > 1 else None, tote]):
            if code is not None:
                answer = picker_http.post(task_url + "/scan", data={"scan": code, "scan_id": f"rt-{task_id}-{n}"},
                                          headers={"HX-Request": "true"}, timeout=10)
                assert answer.status_code == 200, answer.text
        seen = []
        while True:
            event, data = board_events.get(timeout=5)
            seen.append(event)
            if event == "pick.confirmed":
                break
        assert data["task"] == task_id and data["qty"] == line[2] and data["location"] == line[0]
        assert "task.assigned" in seen
        assert all(event != "pick.confirmed" for event, _ in list(other_events.queue))
    finally:
        board.disconnect()
        other.disconnect()
