"""The scanner agent: key events of a USB-HID scanner into codes (US and German layouts), and scans
that wait on disk while the server is away, then arrive once."""
from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest
from werkzeug.serving import make_server

from floorapp import create_app
from floorapp.domain import scanner_stations as stations
from floorapp.domain.models import StationScan
from scanners.agent import Sender, Spool
from scanners.keymaps import GS, KeyDecoder, events_for

D, U = 1, 0


def press(key: str) -> list[tuple[str, int]]:
    return [(key, D), (key, U)]


def shifted(key: str) -> list[tuple[str, int]]:
    return [("KEY_LEFTSHIFT", D), *press(key), ("KEY_LEFTSHIFT", U)]


# Recorded from scanners (key name, value): what the kernel reported, in order.
US_TOTE = [*shifted("KEY_T"), *press("KEY_MINUS"), *press("KEY_0"), *press("KEY_0"), *press("KEY_4"),
           ("KEY_2", D), ("KEY_2", 2), ("KEY_2", U), *press("KEY_ENTER")]
US_GS1 = [("KEY_RIGHTBRACE", D), ("KEY_RIGHTBRACE", U), *shifted("KEY_C"), *press("KEY_1"), *press("KEY_1"),
          *press("KEY_0"), ("KEY_LEFTCTRL", D), *press("KEY_RIGHTBRACE"), ("KEY_LEFTCTRL", U), *press("KEY_2"),
          *press("KEY_1"), *shifted("KEY_A"), *press("KEY_KPENTER")]
DE_MIXED = [*shifted("KEY_Y"), *press("KEY_Z"), *press("KEY_SLASH"), ("KEY_RIGHTALT", D), *press("KEY_Q"),
            ("KEY_RIGHTALT", U), *shifted("KEY_7"), *press("KEY_MINUS"), *shifted("KEY_RIGHTBRACE"),
            *press("KEY_TAB")]
ALT_NUMPAD_GS = [*press("KEY_1"), ("KEY_LEFTALT", D), *press("KEY_KP0"), *press("KEY_KP0"), *press("KEY_KP2"),
                 *press("KEY_KP9"), ("KEY_LEFTALT", U), *press("KEY_2"), *press("KEY_ENTER")]
CAPS = [*press("KEY_CAPSLOCK"), *press("KEY_A"), *shifted("KEY_B"), *press("KEY_CAPSLOCK"), *press("KEY_C"),
        *press("KEY_ENTER")]


@pytest.mark.parametrize("layout, events, codes", [
    ("us", US_TOTE, ["T-0042"]),
    ("us", US_GS1, ["]C110" + GS + "21A"]),
    ("de", DE_MIXED, ["Zy-@/ß*"]),
    ("us", ALT_NUMPAD_GS, ["1" + GS + "2"]),
    ("us", CAPS, ["Abc"]),
    ("us", US_TOTE + US_TOTE, ["T-0042", "T-0042"]),
])
def test_recorded_key_events_become_codes(layout, events, codes):
    assert KeyDecoder(layout).feed_all(events) == codes


def test_the_same_keys_mean_different_characters_on_us_and_german_scanners():
    keys = [*shifted("KEY_2"), *press("KEY_Y"), *press("KEY_MINUS"), *press("KEY_ENTER")]
    assert KeyDecoder("us").feed_all(keys) == ["@y-"]
    assert KeyDecoder("de").feed_all(keys) == ['"zß']


@pytest.mark.parametrize("layout", ["us", "de"])
def test_every_character_a_label_carries_survives_the_layout(layout):
    text = "]C101095011015300031724123110LOT-7" + GS + "21S/99.A_b+c"
    assert KeyDecoder(layout).feed_all(events_for(text, layout)) == [text]


def test_an_enter_alone_is_no_code_and_an_unknown_layout_is_refused():
    assert KeyDecoder("us").feed_all(press("KEY_ENTER")) == []
    with pytest.raises(ValueError):
        KeyDecoder("fr")


# --- the spool and the sender against a real server ----------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_app(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path / "i")})
    with app.extensions["floorapp.sessionmaker"]() as session:
        token = stations.create_station_token(session, "PACK-1")
        session.commit()
    app.config["TEST_STATION_TOKEN"] = token
    yield app
    app.extensions["floorapp.engine"].dispose()


def _count(app) -> int:
    with app.extensions["floorapp.sessionmaker"]() as session:
        return session.query(StationScan).count()


def test_scans_wait_on_disk_while_the_server_is_away_and_arrive_once_when_it_is_back(server_app, tmp_path):
    port = _free_port()
    spool = Spool(tmp_path / "spool")
    sender = Sender(f"http://127.0.0.1:{port}", "PACK-1", server_app.config["TEST_STATION_TOKEN"], spool, timeout=5)
    spool.put("T-0001")
    second = spool.put("4006381333931")
    assert sender.send_pending() is False           # nobody listening: both wait
    assert len(spool.pending()) == 2

    kept = spool.pending()[1].read_text()           # as if the agent died after sending, before deleting
    restarted = Spool(tmp_path / "spool")           # an agent restart finds them on disk
    server = make_server("127.0.0.1", port, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sender.spool = restarted
        assert sender.send_pending() is True
        assert restarted.pending() == [] and sender.sent == 2 and _count(server_app) == 2
        (tmp_path / "spool" / f"{time.time_ns():020d}-{second['id']}.json").write_text(kept)
        assert sender.send_pending() is True        # the server says "duplicate"; the file goes, no new scan
        assert restarted.pending() == [] and _count(server_app) == 2
    finally:
        server.shutdown()


def test_a_wrong_token_keeps_the_scans_on_disk(server_app, tmp_path):
    port = _free_port()
    server = make_server("127.0.0.1", port, server_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spool = Spool(tmp_path / "spool")
        spool.put("T-0001")
        assert Sender(f"http://127.0.0.1:{port}", "PACK-1", "fs_wrong", spool).send_pending() is False
        assert len(spool.pending()) == 1 and json.loads(spool.pending()[0].read_text())["code"] == "T-0001"
    finally:
        server.shutdown()


@pytest.mark.skipif(not os.path.exists("/dev/uinput") or not os.access("/dev/uinput", os.W_OK),
                    reason="no writable /dev/uinput here (the container has no uinput device), "
                           "so no virtual keyboard can be made")
def test_a_virtual_keyboard_read_through_evdev(tmp_path):  # pragma: no cover - needs /dev/uinput
    import evdev

    from scanners.agent import read_device

    ui = evdev.UInput(name="floorapp-test-scanner")
    try:
        time.sleep(0.5)
        got, stop = [], threading.Event()
        reader = threading.Thread(target=read_device, args=(ui.device.path, "us", got.append),
                                  kwargs={"stop": stop}, daemon=True)
        reader.start()
        time.sleep(0.5)
        for key, value in events_for("T-0042", "us"):
            ui.write(evdev.ecodes.EV_KEY, evdev.ecodes.ecodes[key], value)
            ui.syn()
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        assert got == ["T-0042"]
    finally:
        ui.close()
