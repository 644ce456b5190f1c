"""What a product scan must prove while picking: the right item, an unexpired lot that lies here, a new serial.

Lots: the allocation reserved one stock row (product x location x lot, first-expiry-first-out), so the
lot picked must be that lot. Another lot at the same bin is refused ("Wrong lot ... it expires first"):
taking it would leave the reservation on the wrong row and break FEFO. An expired lot is refused before
anything else, from the GS1 expiry (AI 17) when the scan carries one, else from the stock row's expiry.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import ParsedScan

from . import messages
from .lookup import product_for
from .models import PickSerial, PickTaskLine, Stock
from .scans import Outcome
from .states import ScanResult


def refused(message: str) -> Outcome:
    return Outcome(ScanResult.REFUSED, message)


def ok(message: str) -> Outcome:
    return Outcome(ScanResult.OK, message)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def product_refusal(session: Session, line: PickTaskLine, parsed: ParsedScan) -> Outcome | None:
    """"Barcode not found" and "wrong item" are different sentences."""
    product = product_for(session, parsed)
    if product is None:
        return refused(messages.NOT_FOUND.format(scanned=parsed.text, sku=line.product.sku, name=line.product.name))
    if product.id != line.product_id:
        return refused(messages.WRONG_PRODUCT.format(scanned_sku=product.sku, scanned_name=product.name,
                                                     sku=line.product.sku, name=line.product.name))
    return None


def expiry_refusal(parsed: ParsedScan) -> Outcome | None:
    """A GS1 scan whose expiry (AI 17) has passed is refused, lot-tracked or not."""
    if parsed.expiry is not None and parsed.expiry < today():
        if parsed.lot:
            return refused(messages.LOT_EXPIRED.format(lot=parsed.lot, expiry=parsed.expiry.isoformat()))
        return refused(messages.ITEM_EXPIRED.format(expiry=parsed.expiry.isoformat()))
    return None


def lot_refusal(session: Session, line: PickTaskLine, lot: str, expiry: dt.date | None) -> Outcome | None:
    """The lot must lie at the location, be unexpired, and be the allocated lot (when one was allocated)."""
    row = session.scalar(select(Stock).where(Stock.product_id == line.product_id,
                                             Stock.location_id == line.location_id, Stock.lot == lot))
    expiry = expiry or (row.expiry if row is not None else None)
    if expiry is not None and expiry < today():
        return refused(messages.LOT_EXPIRED.format(lot=lot, expiry=expiry.isoformat()))
    if line.lot and lot != line.lot:
        if row is None or row.on_hand <= 0:
            return refused(messages.LOT_NOT_HERE.format(lot=lot, location=line.location.code, expected=line.lot))
        return refused(messages.WRONG_LOT.format(lot=lot, expected=line.lot))
    if row is None or row.on_hand <= 0:
        return refused(messages.LOT_NOT_HERE.format(lot=lot, location=line.location.code, expected=line.lot or "-"))
    return None


def lot_text(parsed: ParsedScan) -> str:
    """A lot label is either GS1 (AI 10) or the plain lot text."""
    return parsed.lot or parsed.text


def serial_refusal(session: Session, line: PickTaskLine, serial: str) -> Outcome | None:
    taken = session.scalar(select(PickSerial.id).where(PickSerial.line_id == line.id, PickSerial.serial == serial))
    if taken is not None:
        return refused(messages.SERIAL_TWICE.format(serial=serial, sku=line.product.sku))
    return None


def keep_serial(session: Session, line: PickTaskLine, serial: str) -> None:
    session.add(PickSerial(line_id=line.id, serial=serial[:40]))
