"""Reading what a client sent: a JSON object body, and the paging/filter query parameters."""
from __future__ import annotations

import enum
import json
from typing import Any

from flask import request

from ...domain.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger cursor cannot come from us


class BadBody(Exception):
    """The body is not JSON, or not a JSON object: answered with 400."""

    def __init__(self, message: str, details: list[dict]):
        super().__init__(message)
        self.message = message
        self.details = details


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, whatever Content-Type it came with; else BadBody."""
    try:
        body = json.loads(request.get_data(cache=True))
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        where = f"line {error.lineno} column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise BadBody("The body is not valid JSON.",
                      [{"field": "body", "message": f"{error.msg} at {where}" if where else "not UTF-8 JSON"}]) \
            from None
    if not isinstance(body, dict):
        raise BadBody("The body must be a JSON object.",
                      [{"field": "body", "message": f"expected an object, got {type(body).__name__}"}])
    return body


def _cursor(details: list[dict]) -> int:
    raw = request.args.get("after")
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_ID:
        details.append({"field": "after", "message": "after is the 'next' value of the previous page."})
        return 0
    return int(raw)


def _limit(details: list[dict]) -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4 or not 1 <= int(raw) <= MAX_LIMIT:
        details.append({"field": "limit", "message": f"limit is a whole number from 1 to {MAX_LIMIT}."})
        return DEFAULT_LIMIT
    return int(raw)


def listing_args(enums: dict[str, type[enum.Enum]] | None = None, texts: tuple[str, ...] = ()) -> dict[str, Any]:
    """after (an id, 0 = from the start), limit, the named enum and text filters (None when absent).

    ValidationFailed names every bad parameter at once.
    """
    details: list[dict] = []
    args: dict[str, Any] = {"after_id": _cursor(details), "limit": _limit(details)}
    for name, kind in (enums or {}).items():
        raw = request.args.get(name) or None
        try:
            args[name] = kind(raw) if raw is not None else None
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            details.append({"field": name, "message": f"{name} is one of {choices}."})
    for name in texts:
        args[name] = request.args.get(name) or None
    if details:
        raise ValidationFailed("Fix the query parameters named in details.", details)
    return args


def page(items: list, limit: int, render) -> dict[str, Any]:
    """One page of a keyset listing. `items` was fetched with limit + 1 to tell whether more follow."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": [render(item) for item in items], "next": str(items[-1].id) if more else None}
