"""Thin views: a camera frame in, the codes read out; an agent's scan in, an event to its station out.

Camera frames come as the body of an HTTP POST (a JPEG or WebP blob the device cut to the guide box),
not over Socket.IO: the session cookie, CSRF header and Flask-Limiter apply as to every other scan,
the answer to one frame paces the next (a slow network sends fewer frames, never a backlog), and
frames are only held in memory for the decode. They are never stored.
"""
from __future__ import annotations

import datetime as dt
import time

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

import scanners

from ...domain import messages
from ...domain import scanner_stations as stations
from ...domain.errors import DomainError
from ...extensions import csrf, limiter
from ..common import commit, page_or_fragment
from ..security import ALL_STAFF, api, db, roles
from ..pack.routes import PACKERS as STATION_ROLES
from .explain import explain

bp = Blueprint("scanning", __name__)


def _device_key() -> str:
    """Rate limits are per device: the signed-in user and the id the device's camera script made."""
    device = (request.headers.get("X-Floor-Device") or "")[:64] or get_remote_address()
    return f"camera:{current_user.get_id() if current_user.is_authenticated else '-'}:{device}"


@bp.post("/scan/frame")
@roles(*ALL_STAFF)
@limiter.limit(lambda: current_app.config["CAMERA_RATE_LIMIT"], key_func=_device_key,
               error_message=messages.CAMERA_TOO_FAST)
def frame():
    started = time.perf_counter()
    body = request.get_data(cache=False)
    try:
        decoded = scanners.decode(body, budget_ms=current_app.config["CAMERA_BUDGET_MS"])
    except scanners.ImageError as error:
        return jsonify(error={"code": "bad_image", "message": str(error)}), 422
    reads = stations.camera_reads(db(), decoded) if decoded else []
    return jsonify(codes=[{"text": d.text, "scan": d.scan, "symbology": d.symbology, "gs1": d.gs1} for d in reads],
                   message=None if reads else messages.CAMERA_NOTHING,
                   ms=round((time.perf_counter() - started) * 1000, 1))


@bp.get("/scanner-test")
@roles(*ALL_STAFF)
def scanner_test():
    return render_template("scanning/scanner_test.html", fragment="scanning/_arrived.html", arrived=None,
                           at_a_station=current_user.role in STATION_ROLES)


@bp.post("/scanner-test")
@roles(*ALL_STAFF)
def scanner_test_scan():
    raw = request.form.get("scan") or ""
    gaps = request.form.get("key_gaps") or ""
    arrived = explain(raw, gaps, request.form.get("source") or "")
    return page_or_fragment("scanning/scanner_test.html", "scanning/_arrived.html", arrived=arrived,
                            at_a_station=current_user.role in STATION_ROLES)


# --- the scanner agent's door: bearer station token, JSON in and out ----------------------------

def _json_error(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message, "details": []}), status


@bp.post("/stations/<station>/scans")
@api
@csrf.exempt
def agent_scan(station: str):
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    owner = stations.station_for_token(db(), token) if token else None
    if owner is None:
        response = _json_error(401, "unauthorized", messages.STATION_TOKEN_BAD)
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="floorapp-station"'
        return response
    if owner != station:
        return _json_error(403, "forbidden", messages.STATION_TOKEN_OTHER.format(station=owner, asked=station))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not isinstance(body.get("id"), str):
        return _json_error(400, "bad_request", 'Send JSON {"id": "...", "code": "..."}.')
    scanned_at = None
    if isinstance(body.get("scanned_at"), str):
        try:
            scanned_at = dt.datetime.fromisoformat(body["scanned_at"]).replace(tzinfo=None)
        except ValueError:
            scanned_at = None
    try:
        new = stations.receive_agent_scan(db(), station, body["id"], body["code"], scanned_at)
    except DomainError as error:
        db().rollback()
        return _json_error(422, error.code, error.message)
    if not new:
        db().rollback()
        return jsonify(status="duplicate", id=body["id"]), 200
    try:
        commit()
    except IntegrityError:  # the same scan id raced in on another connection
        db().rollback()
        return jsonify(status="duplicate", id=body["id"]), 200
    return jsonify(status="accepted", id=body["id"]), 202
