"""Socket.IO against a running server: who may connect, and a scan on a handheld reaching the board."""
from __future__ import annotations

import os
import queue
import subprocess
import sys

import pytest
import requests
import socketio



def _client(server, http) -> tuple[socketio.Client, queue.Queue]:
    """A real Socket.IO client; the board's one message per commit (`board.update`) is read as its events."""
    received: queue.Queue = queue.Queue()
    client = socketio.Client(http_session=http, reconnection=False)

    def on_any(event, data):  # noqa: ANN001
        if event == "board.update":
            for item in data["events"]:
                received.put((item["name"], item["data"]))
        else:
            received.put((event, data))

    client.on("*", on_any)
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    return client, received


def test_a_socket_without_a_login_is_refused(live_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        _client(live_server, live_server.session())


def _pick_first_line(live_server, picker_http) -> tuple[int, tuple]:
    """Get work and pick its first line over HTTP as the handheld does; the task id and (location, barcode, qty)."""
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
    return task_id, line


def test_a_pick_confirmed_on_a_handheld_reaches_the_board_and_not_other_pickers(live_server):
    """The board room hears one `board.update` per commit holding that commit's events in order (a board
    screen re-fetches once per change, not once per event); other pickers hear none of it."""
    board_http, picker_http, other_http = (live_server.session() for _ in range(3))
    live_server.log_in(board_http, "S-0001")
    live_server.log_in(picker_http, "P-0001")
    live_server.log_in(other_http, "P-0002")
    messages: queue.Queue = queue.Queue()
    board = socketio.Client(http_session=board_http, reconnection=False)
    board.on("*", lambda event, data: messages.put((event, data)))
    board.connect(live_server.url, transports=["websocket"], wait_timeout=10)
    other, other_events = _client(live_server, other_http)
    try:
        task_id, line = _pick_first_line(live_server, picker_http)
        seen, commits = [], []
        while "pick.confirmed" not in seen:
            event, message = messages.get(timeout=5)
            assert event == "board.update"
            commits.append(message["at"])
            for item in message["events"]:
                assert item["data"]["at"] == message["at"]
                seen.append(item["name"])
                if item["name"] == "pick.confirmed":
                    data = item["data"]
        assert len(set(commits)) == len(commits)  # one message per commit
        assert data["task"] == task_id and data["qty"] == line[2] and data["location"] == line[0]
        assert data["at"] > 0  # the commit time every event carries
        assert "task.assigned" in seen
        assert all(event != "pick.confirmed" for event, _ in list(other_events.queue))
    finally:
        board.disconnect()
        other.disconnect()


def test_only_the_roles_that_work_at_a_station_hear_its_scans(live_server):
    """A picker's socket may not join a station's room (its scanner's codes, its print jobs); a packer's may."""
    minted = subprocess.run([sys.executable, "-m", "floorapp.cli", "station", "token", "SCAN-9"], env={
        **os.environ, "FLOORAPP_DATABASE_URL": live_server.database_url,
        "FLOORAPP_INSTANCE_PATH": str(live_server.instance)}, check=True, capture_output=True, text=True, timeout=60)
    token = minted.stdout.strip().splitlines()[-1]
    packer_http, picker_http = live_server.session(), live_server.session()
    live_server.log_in(packer_http, "K-0001")
    live_server.log_in(picker_http, "P-0001")
    packer, packer_events = _client(live_server, packer_http)
    picker, picker_events = _client(live_server, picker_http)
    try:
        assert picker.call("station:join", {"station": "SCAN-9"}, timeout=10) == {"ok": False}
        assert packer.call("station:join", {"station": "SCAN-9"}, timeout=10) == {"ok": True, "station": "SCAN-9"}
        sent = requests.post(live_server.url + "/stations/SCAN-9/scans", json={"id": "rt-1", "code": "T-0001"},
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert sent.status_code == 202, sent.text
        while True:
            event, data = packer_events.get(timeout=5)
            if event == "station:scan":
                break
        assert (data["station"], data["code"]) == ("SCAN-9", "T-0001")
        assert all(event != "station:scan" for event, _ in list(picker_events.queue))
    finally:
        packer.disconnect()
        picker.disconnect()
