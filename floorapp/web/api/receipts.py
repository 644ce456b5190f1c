"""Receipts: book arriving stock (all lines or none) and fill waiting backorders from it."""
from __future__ import annotations

from flask import g

from ...domain.receiving import receive
from ..common import commit
from ..security import api, db
from . import bp
from .inputs import json_object


@bp.post("/receipts")
@api
def create_receipt():
    body = json_object()
    # The stock moves remember which integration booked them.
    filled = receive(db(), body, reference=f"api:{g.api_token.name}"[:120])
    commit()
    return {"lines": len(body["lines"]), "orders_filled": [order.external_id for order in filled]}, 201
