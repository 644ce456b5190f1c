"""Receipts: stock arrives at a location, and waiting backorders are filled from it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import events, messages
from .errors import Conflict, ValidationFailed
from .models import ExpectedReceipt, ExpectedReceiptLine, Location, Order, Product, utcnow
from .orders import fill_backorders
from .states import FlowState, MoveReason, Tracking
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
        sku, code = (value if isinstance(value, str) else None for value in (line.get("sku"), line.get("location")))
        product = session.scalar(select(Product).where(Product.sku == sku)) if sku else None
        location = session.scalar(select(Location).where(Location.code == code)) if code else None
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


# Expected receipts (advance shipping notices), booked through the API, received on the handheld.

def _expected_lines(session: Session, lines: Any, details: list[dict]) -> list[tuple[Product, int, str]]:
    if not isinstance(lines, list) or not lines:
        details.append({"field": "lines", "message": "An expected receipt needs at least one line."})
        return []
    out = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if not isinstance(line, dict):
            details.append({"field": where, "message": "A line is an object with sku and qty."})
            continue
        sku, qty, lot = line.get("sku"), line.get("qty"), line.get("lot") or ""
        product = session.scalar(select(Product).where(Product.sku == sku)) if isinstance(sku, str) else None
        if product is None:
            details.append({"field": f"{where}.sku", "message": messages.UNKNOWN_SKU.format(sku=sku)})
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= messages.MAX_QTY:
            details.append({"field": f"{where}.qty", "message": messages.QTY_NOT_POSITIVE})
        if not isinstance(lot, str) or len(lot) > 40:
            details.append({"field": f"{where}.lot", "message": "lot is text of at most 40 characters."})
            lot = ""
        if product is not None and isinstance(qty, int) and not isinstance(qty, bool) and qty > 0:
            out.append((product, qty, lot))
    return out


def create_expected(session: Session, payload: dict[str, Any]) -> tuple[ExpectedReceipt, bool]:
    """(receipt, created). The same reference with the same lines returns the first; different lines: 409."""
    details: list[dict] = []
    reference = payload.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference.strip()) > 80:
        details.append({"field": "reference", "message": "reference (the delivery note or ASN number) is required, "
                                                         "at most 80 characters."})
        reference = ""
    supplier = payload.get("supplier") or ""
    if not isinstance(supplier, str) or len(supplier) > 200:
        details.append({"field": "supplier", "message": messages.TOO_LONG.format(field="supplier", limit=200)})
        supplier = ""
    lines = _expected_lines(session, payload.get("lines"), details)
    if details:
        raise ValidationFailed("The expected receipt was not saved: fix the fields named in details.", details)
    reference = reference.strip()
    digest = hashlib.sha256(json.dumps([supplier, [(p.sku, q, lot) for p, q, lot in lines]]).encode()).hexdigest()
    existing = receipt_for(session, reference)
    if existing is not None:
        if existing.payload_hash != digest:
            raise Conflict(f"Receipt {reference} already exists with different lines.")
        return existing, False
    receipt = ExpectedReceipt(reference=reference, supplier=supplier, payload_hash=digest,
                              lines=[ExpectedReceiptLine(line_no=i, product=p, qty=q, lot=lot)
                                     for i, (p, q, lot) in enumerate(lines, start=1)])
    session.add(receipt)
    session.flush()
    events.record(session, "receipt.expected", {"receipt": reference, "lines": len(lines)})
    return receipt, True


def receipt_for(session: Session, reference: str) -> ExpectedReceipt | None:
    return session.scalar(select(ExpectedReceipt).where(ExpectedReceipt.reference == reference))


def receipts_page(session: Session, *, state: FlowState | None = None, after_id: int = 0,
                  limit: int = 50) -> list[ExpectedReceipt]:
    query = select(ExpectedReceipt).where(ExpectedReceipt.id > after_id).order_by(ExpectedReceipt.id).limit(limit)
    if state is not None:
        query = query.where(ExpectedReceipt.state == state)
    return list(session.scalars(query))


def left_on_receipt(receipt: ExpectedReceipt, product: Product) -> int:
    return sum(line.qty - line.received for line in receipt.lines if line.product_id == product.id)


def _book_on_receipt(receipt: ExpectedReceipt, product: Product, qty: int, lot: str) -> None:
    lines = sorted((line for line in receipt.lines if line.product_id == product.id),
                   key=lambda line: (line.lot != lot, line.line_no))
    for line in lines:
        take = min(qty, line.qty - line.received)
        line.received += take
        qty -= take
    if all(line.received >= line.qty for line in receipt.lines):
        receipt.state, receipt.finished_at = FlowState.DONE, utcnow()
    elif receipt.state == FlowState.OPEN:
        receipt.state = FlowState.ASSIGNED
