"""Scanning routes: camera frames decoded for a signed-in device, rate-limited; agent scans reach the
station's screen once; the scanner test page shows what arrived."""
from __future__ import annotations

import io

import barcode
import numpy as np
import pytest
from barcode.writer import ImageWriter
from PIL import Image

from floorapp import create_app
from floorapp.domain import scanner_stations as stations
from floorapp.domain.models import StationScan
from floorapp.realtime import socketio
from scanners import Decoded

from .floor_data import MUG_GTIN, log_in, small_floor


def _png(kind: str, data: str) -> bytes:
    out = io.BytesIO()
    barcode.get(kind, data, writer=ImageWriter()).render(writer_options={"write_text": False}).convert("L").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def floor(db_session):
    return small_floor(db_session)


def test_a_signed_in_picker_gets_the_code_in_a_camera_frame(client, floor):
    log_in(client, "P-0001")
    answer = client.post("/scan/frame", data=_png("ean13", MUG_GTIN[:12]), content_type="image/png")
    assert answer.status_code == 200
    codes = answer.get_json()["codes"]
    assert [(c["text"], c["symbology"]) for c in codes] == [(MUG_GTIN, "EAN13")]


def test_a_frame_with_nothing_in_it_answers_at_once_with_what_to_do(client, floor):
    log_in(client, "K-0001")
    blank = io.BytesIO()
    Image.fromarray(np.full((480, 640), 190, np.uint8)).save(blank, "JPEG")
    body = client.post("/scan/frame", data=blank.getvalue(), content_type="image/jpeg").get_json()
    assert body["codes"] == [] and body["message"].startswith("No code in view yet")


def test_a_broken_frame_is_refused_with_a_clear_message(client, floor):
    log_in(client, "P-0001")
    answer = client.post("/scan/frame", data=b"\xff\xd8\xff\xe0 broken", content_type="image/jpeg")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["message"].startswith("The picture could not be read")


def test_frames_need_a_login(client, floor):
    answer = client.post("/scan/frame", data=_png("code128", "T-0001"), content_type="image/png",
                         headers={"HX-Request": "true"})
    assert answer.status_code == 401


def test_frames_are_rate_limited_per_device(database_url, tmp_path, db_session, floor):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_PATH": str(tmp_path / "i"), "CAMERA_RATE_LIMIT": "3 per minute"})
    try:
        client = app.test_client()
        log_in(client, "P-0001")
        frame = _png("code128", "T-0001")
        statuses = [client.post("/scan/frame", data=frame, headers={"X-Floor-Device": "phone-1"}).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        # another device of the same user is not slowed down by the first
        assert client.post("/scan/frame", data=frame, headers={"X-Floor-Device": "phone-2"}).status_code == 200
    finally:
        app.extensions["floorapp.engine"].dispose()


def test_a_fallback_read_is_handed_on_only_when_the_warehouse_knows_the_code(db_session, floor):
    fallback = {"symbology": "Code128", "symbology_id": "]C0", "gs1": None, "source": "deblur+zxing+pyzbar"}
    reads = [Decoded(text="T-0002", **fallback), Decoded(text="X-NOT-OURS", **fallback),
             Decoded(text="A-01-01-2", **fallback), Decoded(text="SKU-XYZ", **{**fallback, "source": "zxing"})]
    kept = stations.camera_reads(db_session, reads)
    assert [d.text for d in kept] == ["T-0002", "A-01-01-2", "SKU-XYZ"]


def _station_token(db_session, station="PACK-1") -> str:
    token = stations.create_station_token(db_session, station)
    db_session.commit()
    return token


def test_an_agent_scan_reaches_the_screen_of_its_station_once(app, client, db_session, floor):
    token = _station_token(db_session)
    log_in(client, "K-0001")
    screen = socketio.test_client(app, flask_test_client=client)
    other = socketio.test_client(app, flask_test_client=client)
    assert screen.is_connected()
    assert screen.emit("station:join", {"station": "PACK-1"}, callback=True) == {"ok": True, "station": "PACK-1"}
    assert other.emit("station:join", {"station": "PACK-2"}, callback=True)["ok"]
    screen.get_received(), other.get_received()

    agent = app.test_client()
    scan = {"id": "a1b2", "code": "]C1010950110153000310LOT\x1d21X", "scanned_at": "2026-11-26T10:00:00"}
    first = agent.post("/stations/PACK-1/scans", json=scan, headers={"Authorization": f"Bearer {token}"})
    again = agent.post("/stations/PACK-1/scans", json=scan, headers={"Authorization": f"Bearer {token}"})
    assert (first.status_code, first.get_json()["status"]) == (202, "accepted")
    assert (again.status_code, again.get_json()["status"]) == (200, "duplicate")

    got = [m for m in screen.get_received() if m["name"] == "station:scan"]
    assert [m["args"][0]["code"] for m in got] == [scan["code"]]
    assert not [m for m in other.get_received() if m["name"] == "station:scan"]
    assert db_session.query(StationScan).count() == 1
    screen.disconnect(), other.disconnect()


@pytest.mark.parametrize("headers, path, status", [
    ({}, "/stations/PACK-1/scans", 401),
    ({"Authorization": "Bearer fs_wrong"}, "/stations/PACK-1/scans", 401),
    (None, "/stations/PACK-2/scans", 403),
])
def test_agent_scans_need_the_token_of_that_station(client, db_session, floor, headers, path, status):
    token = _station_token(db_session)
    headers = {"Authorization": f"Bearer {token}"} if headers is None else headers
    answer = client.post(path, json={"id": "1", "code": "T-0001"}, headers=headers)
    assert answer.status_code == status
    assert answer.get_json()["error"]["message"]
    assert db_session.query(StationScan).count() == 0


def test_a_bad_agent_scan_is_refused_and_nothing_is_kept(client, db_session, floor):
    token = _station_token(db_session)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/stations/PACK-1/scans", data="x", headers=auth).status_code == 400
    assert client.post("/stations/PACK-1/scans", json={"id": "", "code": "T-1"}, headers=auth).status_code == 422
    assert client.post("/stations/PACK-1/scans", json={"id": "2", "code": "x" * 401}, headers=auth).status_code == 422
    assert db_session.query(StationScan).count() == 0


def test_the_scanner_test_page_shows_control_characters_symbology_and_gs1_fields(client, floor):
    log_in(client, "P-0001")
    page = client.get("/scanner-test")
    assert page.status_code == 200 and b"DataWedge" in page.data and b'data-camera' in page.data
    answer = client.post("/scanner-test", data={"scan": "]C1010950110153000310LOT-7\x1d21S9",
                                                "key_gaps": "4,5,6,120", "source": "wedge"},
                         headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert "]C1010950110153000310LOT-7&lt;GS&gt;21S9" in html
    assert "]C1 (Code 128)" in html and "GS (ASCII 29)" in html
    assert "(01) 09501101530003" in html and "(10) LOT-7" in html and "(21) S9" in html
    assert "4 gaps, median 6 ms, longest 120 ms" in html


def test_the_scanner_test_page_offers_a_station_only_to_those_who_work_at_one(client, floor):
    """A picker's socket may not join a station's room, so their scanner test page does not ask for one."""
    log_in(client, "P-0001")
    assert b"data-station-input" not in client.get("/scanner-test").data
    client.post("/logout")
    log_in(client, "K-0001")
    assert b"data-station-input" in client.get("/scanner-test").data
