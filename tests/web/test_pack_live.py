"""Print job status reaches the station's screen live (Socket.IO room station:<code>), and only that station's."""
from __future__ import annotations

import queue
import re

import socketio


def _device(server, badge: str, station: str):
    http = server.session()
    server.log_in(http, badge)
    page = http.get(server.url + "/pack/", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    chosen = http.post(server.url + "/pack/station", data={"station": station, "csrf_token": token}, timeout=10)
    assert chosen.ok and http.cookies.get("floorapp_station") == station
    received: queue.Queue = queue.Queue()
    client = socketio.Client(http_session=http, reconnection=False)
    client.on("*", lambda event, data: received.put((event, data)))
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    return http, client, received, token


def test_a_print_job_reports_queued_then_sent_to_its_station_only(live_server):
    http, here, here_events, token = _device(live_server, "S-0001", "PACK-1")
    _, there, there_events, _ = _device(live_server, "K-0001", "PACK-2")
    try:
        answer = http.post(live_server.url + "/pack/labels", timeout=30, data={
            "kind": "tote", "prefix": "T-001", "printer": "Browser (this station)", "csrf_token": token})
        assert answer.ok and "tote-labels:T-001 (10)" in answer.text
        states = []
        while "sent" not in states:
            event, data = here_events.get(timeout=20)
            if event == "print.job":
                assert data["document"] == "tote-labels:T-001 (10)" and data["station"] == "PACK-1"
                states.append(data["state"])
        assert states == ["queued", "sent"]
        assert all(event != "print.job" for event, _ in list(there_events.queue))
    finally:
        here.disconnect()
        there.disconnect()
