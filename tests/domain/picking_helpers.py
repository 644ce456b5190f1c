"""Small helpers the picking domain tests share: one scan with a commit, and where stock lies."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from floorapp.domain import picking
from floorapp.domain.models import Stock


def scanner(session, user):
    """scan(task, raw) -> Outcome, committed like a route does."""
    def scan(task, raw):
        outcome = picking.scan(session, task, user, raw)
        session.commit()
        return outcome
    return scan


def stock_at(session, wh, sku, location, lot=""):
    return session.scalar(select(Stock).where(Stock.product_id == wh.products[sku].id,
                                              Stock.location_id == wh.locations[location].id, Stock.lot == lot))


def gs1(code: str, *, lot: str | None = None, expiry: dt.date | None = None, serial: str | None = None,
        prefix: str = "]d2") -> str:
    """A GS1 DataMatrix scan: GTIN-14, expiry (fixed length), then lot / serial separated by GS."""
    text = prefix + "01" + code.zfill(14)
    if expiry:
        text += "17" + expiry.strftime("%y%m%d")
    variable = [f"10{lot}"] * bool(lot) + [f"21{serial}"] * bool(serial)
    return text + "\x1d".join(variable)
