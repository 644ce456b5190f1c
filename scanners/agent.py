"""`floorapp scanner-agent`: a station PC's USB-HID scanner, read through evdev, sent to the server.

The scanner is grabbed (EVIOCGRAB), so it types into no window; its key events become codes
(scanners.keymaps); each code gets an id made here and is written to a spool folder on disk
(one small JSON file per scan, fsync'd) before anything is sent. A sender thread posts the spool in
order to `POST /stations/<station>/scans` with the station token, and deletes a file only when the
server has answered 202 (accepted) or 200 (duplicate: it had it already). While the server is away it
retries with a growing pause (1 s up to 30 s); scans wait on disk, so they survive a server restart
and an agent restart. The server answers a repeated id as a duplicate, so a scan is delivered once.
No Flask here.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from .keymaps import KeyDecoder

log = logging.getLogger("floorapp.scanner_agent")


class Spool:
    """Scans waiting to be sent, one JSON file each, oldest first (names sort by time)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.wake = threading.Event()

    def put(self, code: str) -> dict:
        scan = {"id": uuid.uuid4().hex, "code": code,
                "scanned_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")}
        name = f"{time.time_ns():020d}-{scan['id']}.json"
        tmp = self.folder / (name + ".tmp")
        with self._lock:
            with open(tmp, "w", encoding="utf-8") as out:
                json.dump(scan, out)
                out.flush()
                os.fsync(out.fileno())
            tmp.rename(self.folder / name)
        self.wake.set()
        return scan

    def pending(self) -> list[Path]:
        return sorted(self.folder.glob("*.json"))

    def load(self, path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("dropping unreadable spool file %s", path)
            path.unlink(missing_ok=True)
            return None


class Sender:
    """Posts spooled scans to the server, in order, until each is acknowledged."""

    def __init__(self, server: str, station: str, token: str, spool: Spool, timeout: float = 10.0,
                 max_pause: float = 30.0):
        self.url = f"{server.rstrip('/')}/stations/{station}/scans"
        self.token, self.spool, self.timeout, self.max_pause = token, spool, timeout, max_pause
        self.stop = threading.Event()
        self.sent = 0

    def post(self, scan: dict) -> int:
        request = urllib.request.Request(self.url, data=json.dumps(scan).encode(), method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def send_pending(self) -> bool:
        """Send everything waiting; False when the server could not be reached (try again later)."""
        for path in self.spool.pending():
            scan = self.spool.load(path)
            if scan is None:
                continue
            try:
                status = self.post(scan)
            except (urllib.error.URLError, OSError, TimeoutError) as error:
                log.info("server away (%s); %d scan(s) wait on disk", error, len(self.spool.pending()))
                return False
            if status in (200, 202):
                path.unlink(missing_ok=True)
                self.sent += 1
            elif status in (400, 422):
                log.error("server refused scan %s (%s); dropped: %r", scan.get("id"), status, scan.get("code"))
                path.unlink(missing_ok=True)
            else:  # 401/403: wrong token or station; 5xx: server trouble. Keep the scan, try later.
                log.warning("server answered %s for scan %s; it waits on disk", status, scan.get("id"))
                return False
        return True

    def run(self) -> None:
        pause = 1.0
        while not self.stop.is_set():
            if self.send_pending():
                pause = 1.0
                self.spool.wake.wait(timeout=5.0)
                self.spool.wake.clear()
            else:
                self.stop.wait(pause)
                pause = min(self.max_pause, pause * 2)


def read_device(path: str, layout: str, on_code, grab: bool = True, stop: threading.Event | None = None) -> None:
    """Read the scanner at `path` (e.g. /dev/input/by-id/usb-...-event-kbd) until stopped; reopen on unplug."""
    import evdev

    decoder = KeyDecoder(layout)
    while stop is None or not stop.is_set():
        try:
            device = evdev.InputDevice(path)
        except OSError as error:
            log.warning("scanner %s not there (%s); looking again in 2 s", path, error)
            time.sleep(2)
            continue
        try:
            if grab:
                device.grab()
            log.info("reading %s (%s), layout %s", path, device.name, layout)
            for event in device.read_loop():
                if stop is not None and stop.is_set():
                    break
                if event.type != evdev.ecodes.EV_KEY:
                    continue
                name = evdev.ecodes.KEY.get(event.code)
                if isinstance(name, list):
                    name = name[0]
                code = decoder.feed(name or "", event.value)
                if code:
                    on_code(code)
        except OSError as error:  # unplugged: wait for it to come back
            log.warning("scanner %s went away (%s)", path, error)
            time.sleep(1)
        finally:
            try:
                device.close()
            except OSError:
                pass


def run_agent(server: str, station: str, token: str, device: str, layout: str = "us",
              spool_dir: str | Path = "scanner-spool", grab: bool = True) -> None:
    spool = Spool(Path(spool_dir))
    sender = Sender(server, station, token, spool)
    thread = threading.Thread(target=sender.run, name="scan-sender", daemon=True)
    thread.start()

    def on_code(code: str) -> None:
        scan = spool.put(code)
        log.info("scanned %r (id %s)", code, scan["id"])

    try:
        read_device(device, layout, on_code, grab=grab)
    finally:
        sender.stop.set()
        spool.wake.set()
