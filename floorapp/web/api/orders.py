"""Orders: create (idempotent by external id), read one, list by status."""
from __future__ import annotations

from flask import url_for

from ...domain import lookup
from ...domain import orders as domain_orders
from ...domain.errors import NotFound
from ...domain.states import OrderState
from ..common import commit
from ..security import api, db
from . import bp
from .inputs import json_object, listing_args, page
from .serializers import order_json


@bp.post("/orders")
@api
def create_order():
    order, created = domain_orders.create_order(db(), json_object())
    commit()
    headers = {"Location": url_for("api.get_order", external_id=order.external_id)}
    return order_json(order), 201 if created else 200, headers


@bp.get("/orders/<path:external_id>")
@api
def get_order(external_id: str):
    order = lookup.order_for(db(), external_id)
    if order is None:
        raise NotFound(f"No order {external_id}.", [{"field": "external_id", "message": "unknown order"}])
    return order_json(order)


@bp.get("/orders")
@api
def list_orders():
    args = listing_args(enums={"status": OrderState})
    orders = domain_orders.orders_page(db(), status=args["status"], after_id=args["after_id"], limit=args["limit"] + 1)
    return page(orders, args["limit"], order_json)
