"""Scanner stations and camera reads: no Flask here.

- A station token lets `floorapp scanner-agent` on a station PC send its USB scanner's codes to the
  screen open at that station (Socket.IO room `station:<code>`); each scan carries an id made by the
  agent, so a scan resent after a network drop is delivered once.
- Camera reads: what a fallback decoder pass read is only handed on when it is a code this warehouse
  knows (a product barcode or SKU, a location, a tote, an order); zxing-cpp's plain reads pass as they are.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import parse_scan
from scanners.decode import TRUSTED

from . import events, messages
from .errors import ValidationFailed
from .lookup import location_for, order_for, product_for, tote_for
from .models import StationScan, StationToken

STATION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_CODE = 400


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_station_code(station: str) -> str:
    station = (station or "").strip()
    if not STATION_CODE.match(station):
        raise ValidationFailed(messages.STATION_CODE_BAD.format(station=station[:40]))
    return station


def create_station_token(session: Session, station: str) -> str:
    """A new token for one station's scanner agent; only its hash is kept, so it is shown once."""
    station = check_station_code(station)
    token = "fs_" + secrets.token_urlsafe(32)
    session.add(StationToken(station=station, token_hash=_hash(token)))
    session.flush()
    return token


def station_for_token(session: Session, token: str) -> str | None:
    row = session.scalar(select(StationToken).where(StationToken.token_hash == _hash(token),
                                                    StationToken.revoked.is_(False)))
    return row.station if row else None


def receive_agent_scan(session: Session, station: str, client_id: str, code: str,
                       scanned_at: dt.datetime | None = None) -> bool:
    """Keep one agent scan and record the event for the station's screen; False for a scan id seen before.

    Commits nothing; a unique (station, client_id) makes a race between two deliveries of one scan
    fail at commit, which the caller answers as a duplicate.
    """
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 64:
        raise ValidationFailed(messages.STATION_SCAN_ID_BAD)
    if not code or len(code) > MAX_CODE or "\x00" in code:
        raise ValidationFailed(messages.STATION_SCAN_CODE_BAD.format(limit=MAX_CODE))
    seen = session.scalar(select(StationScan.id).where(StationScan.station == station,
                                                       StationScan.client_id == client_id))
    if seen is not None:
        return False
    session.add(StationScan(station=station, client_id=client_id, code=code, scanned_at=scanned_at))
    session.flush()
    events.record(session, "station:scan", {"station": station, "id": client_id, "code": code},
                  rooms=(f"station:{station}",))
    return True


def known_code(session: Session, text: str) -> bool:
    """Is this a code the warehouse knows: a product (barcode or SKU), a location, a tote or an order?"""
    scan = parse_scan(text)
    return (product_for(session, scan) is not None or location_for(session, scan.text) is not None
            or tote_for(session, scan.text) is not None or order_for(session, scan.text) is not None)


def camera_reads(session: Session, decoded: list) -> list:
    """The reads a floor screen may act on: zxing-cpp's plain reads, and fallback reads only when known."""
    return [d for d in decoded if d.source in TRUSTED or known_code(session, d.scan)]
