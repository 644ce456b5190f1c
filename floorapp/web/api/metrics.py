"""The board's figures as JSON: GET /api/v1/metrics?window=shift|today|last_hour or ?start=&end= (ISO, UTC)."""
from __future__ import annotations

import datetime as dt

from flask import request

from ...domain import metrics
from ...domain.errors import ValidationFailed
from ...domain.models import utcnow
from ..security import api, db
from . import bp

WINDOWS = {"shift": metrics.shift_window, "today": metrics.today_window, "last_hour": metrics.last_hour}
MAX_DAYS = 92


def _when(name: str) -> dt.datetime | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{name} must be an ISO 8601 time, e.g. 2026-03-02T06:00:00.",
                               [{"field": name, "message": "not an ISO 8601 date-time"}]) from None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def window_from_args(now: dt.datetime) -> metrics.Window:
    start, end = _when("start"), _when("end")
    name = request.args.get("window", "shift")
    if start is None and end is None:
        if name not in WINDOWS:
            raise ValidationFailed("window must be shift, today or last_hour.",
                                   [{"field": "window", "message": f"one of {', '.join(WINDOWS)}"}])
        return WINDOWS[name](now)
    if start is None:
        raise ValidationFailed("Give start with end.", [{"field": "start", "message": "required with end"}])
    end = end or now
    if end <= start or end - start > dt.timedelta(days=MAX_DAYS):
        raise ValidationFailed(f"end must be after start, at most {MAX_DAYS} days later.",
                               [{"field": "end", "message": "after start, within the limit"}])
    return metrics.Window(start, end)


@bp.get("/metrics")
@api
def get_metrics():
    now = utcnow()
    return metrics.figures(db(), window_from_args(now), now)


# --- Its part of the OpenAPI document (floorapp/web/api/openapi.py) ------------------------------------------
_NUM = {"type": "number"}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_COUNT = {"type": "integer", "minimum": 0}
_MINUTES = {"type": ["number", "null"], "description": "minutes"}


def _obj(props: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": props, "required": list(props)}
    return {**schema, "description": description} if description else schema


METRICS_SCHEMAS = {"Metrics": _obj({
    "window": _obj({"start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
                    "hours": _NUM}, "UTC, naive ISO; hours = the part of the window that has passed"),
    "lines_picked": _COUNT, "units_picked": _COUNT, "lines_per_hour": _NUM,
    "zones": {"type": "array", "items": _obj({"zone": {"type": "string"}, "lines": _COUNT, "units": _COUNT,
                                              "lines_per_hour": _NUM})},
    "pickers": {"type": "array", "items": _obj({"badge": {"type": "string"}, "name": {"type": "string"},
                                                "lines": _COUNT, "units": _COUNT, "lines_per_hour": _NUM})},
    "pick_scans": _COUNT, "pick_scans_refused": _COUNT,
    "pick_accuracy": {**_RATE, "description": "1 - refused pick scans / pick scans"},
    "orders_shipped": _COUNT, "lines_ordered": _COUNT, "lines_shipped_complete": _COUNT,
    "fill_rate": {**_RATE, "description": "lines shipped complete / lines ordered, of the orders shipped"},
    "cycle_time_minutes": _obj({"median": _MINUTES, "p90": _MINUTES}, "received to shipped; p90 by nearest rank"),
    "on_time": _obj({"shipped_with_ship_by": _COUNT, "on_time": _COUNT, "rate": _RATE}),
    "open_backorders": _obj({"lines": _COUNT, "units": _COUNT}, "now, whatever the window"),
    "throughput": {"type": "array", "items": _obj({"hour": {"type": "string"}, "lines": _COUNT, "units": _COUNT})},
}, "The floor board's figures for one time window, computed from scans, stock moves and order times.")}

METRICS_OPERATION = {
    "operationId": "getMetrics", "tags": ["metrics"], "summary": "The floor's figures for a time window",
    "description": "The same figures the floor board shows. Give window=shift|today|last_hour (default shift), "
                   "or start and end (ISO 8601; UTC when no offset is given; at most 92 days).",
    "parameters": [
        {"name": "window", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(WINDOWS), "default": "shift"}},
        {"name": "start", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"}},
        {"name": "end", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
         "description": "default now"},
    ],
    "responses": {"200": {"description": "the figures",
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Metrics"}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "422": {"$ref": "#/components/responses/ValidationFailed"}},
}
