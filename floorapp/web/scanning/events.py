"""Socket.IO: a screen at a scanner station joins the room `station:<code>`, where agent scans arrive.

Additive to floorapp.realtime: the connect handler there has already checked the login. Roles are checked
here too, as on every route: only the people who work at a station (the pack station's roles) may hear
its scans and print jobs; a picker's socket is refused.
"""
from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room

from ...domain.scanner_stations import STATION_CODE
from ...realtime import socketio
from ..pack.routes import PACKERS as STATION_ROLES


@socketio.on("station:join")
def join_station(data=None):
    station = (data or {}).get("station") if isinstance(data, dict) else None
    if not current_user.is_authenticated or current_user.role not in STATION_ROLES:
        return {"ok": False}
    if not isinstance(station, str) or not STATION_CODE.match(station):
        return {"ok": False}
    join_room(f"station:{station}")
    return {"ok": True, "station": station}
