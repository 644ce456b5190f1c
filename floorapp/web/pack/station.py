"""The device's pack station (a long-lived cookie: chosen once per device), settings, and the print kick."""
from __future__ import annotations

import dataclasses

from flask import current_app, request, url_for

from ...domain.documents import PackSettings
from ...domain.models import Station
from ...domain.stations import station_for
from ...printworker import kick
from ...realtime import STATION_COOKIE
from ..common import commit
from ..security import db

COOKIE_AGE = 400 * 24 * 3600


def current_station() -> Station | None:
    code = (request.cookies.get(STATION_COOKIE) or "").strip()
    return station_for(db(), code) if code else None


def remember_station(response, station: Station):
    response.set_cookie(STATION_COOKIE, station.code, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def settings() -> PackSettings:
    """The station's document settings; without FLOORAPP_RETURNS_URL the slip's returns QR opens our own
    returns screen for the order (scanning it at the returns desk starts the return)."""
    found = PackSettings.from_config(current_app.config)
    if found.returns_url:
        return found
    ours = url_for("returns.order", external_id="ORDER", _external=True)
    return dataclasses.replace(found, returns_url=ours[: ours.rindex("ORDER")] + "{order}")


def commit_and_print() -> None:
    """Commit (emitting what was recorded), then send the queued print jobs at once in the background."""
    commit()
    kick(current_app._get_current_object())
