"""Receipts: stock arrives at a location, and waiting backorders are filled from it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import events, messages
from .errors import ValidationFailed
from .models import Location, Order, Product
from .orders import fill_backorders
from .states import MoveReason, Tracking
from .stock import move


def receive(session: Session, payload: Any, user_id: int | None = None, reference: str = "") -> list[Order]:
    """Book every line or none; returns the orders whose backorders it filled."""
    lines = payload.get("lines") if isinstance(payload, dict) else None
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed("A receipt needs at least one line.", [{"field": "lines", "message": "required"}])
    details: list[dict] = []
    booked: list[tuple[Product, Location, int, str, dt.date | None]] = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if not isinstance(line, dict):
            details.append({"field": where, "message": "A line is an object with sku, location and qty."})
            continue
        product = session.scalar(select(Product).where(Product.sku == line.get("sku")))
        location = session.scalar(select(Location).where(Location.code == line.get("location")))
        qty, lot = line.get("qty"), line.get("lot") or ""
        if product is None:
            details.append({"field": f"{where}.sku", "message": messages.UNKNOWN_SKU.format(sku=line.get("sku"))})
        if location is None:
            details.append({"field": f"{where}.location", "message": f"Unknown location {line.get('location')}."})
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= messages.MAX_QTY:
            details.append({"field": f"{where}.qty", "message": messages.QTY_NOT_POSITIVE})
        if not isinstance(lot, str) or len(lot) > 40:
            details.append({"field": f"{where}.lot", "message": "lot is text of at most 40 characters."})
            lot = ""
        if product is not None and product.tracking == Tracking.LOT and not lot:
            details.append({"field": f"{where}.lot", "message": f"{product.sku} is lot-tracked: a lot is required."})
        expiry = None
        if line.get("expiry") is not None:
            try:
                expiry = dt.date.fromisoformat(str(line["expiry"]))
            except ValueError:
                details.append({"field": f"{where}.expiry", "message": "expiry is a date like 2027-03-31."})
        if product is not None and location is not None and isinstance(qty, int) and qty > 0:
            booked.append((product, location, qty, lot, expiry))
    if details:
        raise ValidationFailed("The receipt was not booked: fix the lines named in details.", details)
    for product, location, qty, lot, expiry in booked:
        move(session, product=product, qty=qty, reason=MoveReason.RECEIPT, target=location, lot=lot,
             expiry=expiry, user_id=user_id, reference=reference)
    session.flush()
    filled = fill_backorders(session, {p.id for p, *_ in booked})
    events.record(session, "stock.received", {"lines": len(booked), "orders_filled": [o.external_id for o in filled]})
    return filled
