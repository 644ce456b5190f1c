"""Cancel an order, or change its lines, from the shop or ERP (see floorapp/domain/changes.py)."""
from __future__ import annotations

from flask import g, request

from ...domain import changes, lookup
from ...domain.errors import NotFound, ValidationFailed
from ..common import commit
from ..security import api, db
from . import bp
from .inputs import json_object
from .serializers import order_json


def _order(external_id: str):
    order = lookup.order_for(db(), external_id)
    if order is None:
        raise NotFound(f"No order {external_id}.")
    return order


@bp.post("/orders/<path:external_id>/cancel")
@api
def cancel_order(external_id: str):
    body = json_object() if request.get_data(cache=True).strip() else {}
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 200:
        raise ValidationFailed("reason is text of at most 200 characters.",
                               [{"field": "reason", "message": "text of at most 200 characters"}])
    result = changes.cancel(db(), _order(external_id), reason=f"{reason} (api:{g.api_token.name})".strip()
                            if reason else f"api:{g.api_token.name}")
    commit()
    return {"order": order_json(result.order), "already_cancelled": result.already, "freed": result.freed,
            "put_back": result.put_back, "exception": result.exception.id if result.exception else None}


@bp.post("/orders/<path:external_id>/lines")
@api
def change_lines(external_id: str):
    order, changed = changes.change_lines(db(), _order(external_id), json_object().get("lines"))
    commit()
    return {"order": order_json(order), "changed": changed}
