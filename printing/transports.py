"""How bytes reach a printer, behind one small protocol: raw TCP 9100, CUPS (`lp`), or the browser.

`send` returns a short receipt (e.g. the CUPS job id) or raises:
- PrinterUnreachable: the printer or print server cannot be reached now; try again later;
- PrintRefused: it answered and will not print this (unknown queue, bad options): retrying won't help.
"""
from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from typing import Protocol

RAW_PORT = 9100


class PrintError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PrinterUnreachable(PrintError):
    pass


class PrintRefused(PrintError):
    pass


class Transport(Protocol):
    kind: str

    def send(self, data: bytes, *, title: str = "", media: str = "", raw: bool = False) -> str: ...


@dataclass(frozen=True)
class RawTcp:
    """Zebra and compatibles: the document's bytes over a TCP connection to port 9100, then close."""

    host: str
    port: int = RAW_PORT
    timeout: float = 5.0
    kind: str = "tcp9100"

    def send(self, data: bytes, *, title: str = "", media: str = "", raw: bool = True) -> str:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
        except OSError as error:
            raise PrinterUnreachable(f"No answer from {self.host}:{self.port} ({error.strerror or error}).") from error
        return f"{len(data)} bytes to {self.host}:{self.port}"


@dataclass(frozen=True)
class Cups:
    """A named CUPS queue through `lp` (cups-client). `raw` sends ZPL untouched (`-o raw`)."""

    queue: str
    server: str = ""       # host[:port] of the CUPS server; empty: the local default
    timeout: float = 30.0
    kind: str = "cups"

    def send(self, data: bytes, *, title: str = "", media: str = "", raw: bool = False) -> str:
        command = ["lp"] + (["-h", self.server] if self.server else []) + ["-d", self.queue]  # -h first
        if title:
            command += ["-t", title[:120]]
        if media:
            command += ["-o", f"media={media}"]
        if raw:
            command += ["-o", "raw"]
        try:
            done = subprocess.run(command, check=False, input=data, capture_output=True, timeout=self.timeout)
        except FileNotFoundError as error:
            raise PrintRefused("The CUPS client (lp) is not installed on the server.") from error
        except subprocess.TimeoutExpired as error:
            raise PrinterUnreachable(f"The print server {self.server or 'localhost'} did not answer in time.") from error
        message = (done.stderr or done.stdout).decode(errors="replace").strip()
        if done.returncode != 0:
            lowered = message.lower()
            # lp says "The printer or class does not exist" also when it cannot reach the server at all
            if "unable to connect" in lowered or "connection refused" in lowered or not self._server_answers():
                raise PrinterUnreachable(f"Print server {self.server or 'localhost'} unreachable: {message}")
            raise PrintRefused(f"CUPS refused the job: {message}")
        return message

    def _server_answers(self) -> bool:
        host, _, port = (self.server or "localhost:631").rpartition(":") if ":" in (self.server or ":") else (
            self.server, "", "631")
        try:
            with socket.create_connection((host or "localhost", int(port or 631)), timeout=3):
                return True
        except OSError:
            return False


@dataclass(frozen=True)
class Browser:
    """The station's own browser prints: the document is handed over for download, nothing is sent."""

    kind: str = "browser"

    def send(self, data: bytes, *, title: str = "", media: str = "", raw: bool = False) -> str:
        return "ready to open on the station"


def transport_for(kind: str, address: str = "") -> Transport:
    """'tcp9100' with 'host[:port]', 'cups' with 'queue[@server[:port]]', or 'browser'."""
    if kind == "tcp9100":
        host, _, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        return RawTcp(host or address, int(port) if port else RAW_PORT)
    if kind == "cups":
        queue, _, server = address.partition("@")
        return Cups(queue, server)
    if kind == "browser":
        return Browser()
    raise ValueError(f"unknown printer transport {kind!r}: use tcp9100, cups or browser")
