"""One barcode lookup for every screen: tells "wrong thing" from "not found"."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from scanners import ParsedScan

from .models import Barcode, Location, Order, Product, Tote


def _gtin_candidates(code: str) -> list[str]:
    """A GTIN-14 from a GS1 code may carry the 13-, 12- or 8-digit code on the product with leading zeros."""
    out = [code]
    while len(code) > 12 and code.startswith("0"):
        code = code[1:]
        out.append(code)
    if len(code) == 12 and code.startswith("0000"):
        out.append(code[4:])  # an EAN-8 as GTIN-14 is 000000 + its 8 digits
    return out


# The hot lookups are built once (a statement built per scan costs more to build than to run, cached);
# values come in as bound parameters.
_PRODUCT_BY_BARCODE = (select(Product).join(Barcode, Barcode.product_id == Product.id)
                       .where(Barcode.code.in_(bindparam("codes", expanding=True))).limit(1))
_PRODUCT_BY_SKU = select(Product).where(Product.sku == bindparam("code"))
_LOCATION_BY_CODE = select(Location).where(Location.code == bindparam("code"))
_TOTE_BY_CODE = select(Tote).where(Tote.code == bindparam("code"))


def product_for(session: Session, scan: ParsedScan) -> Product | None:
    codes = _gtin_candidates(scan.gtin) if scan.gtin else [scan.text]
    if scan.gtin and scan.text not in codes:
        codes.append(scan.text)
    product = session.scalar(_PRODUCT_BY_BARCODE, {"codes": codes})  # one query: no Barcode object built
    if product is not None:
        return product
    return session.scalar(_PRODUCT_BY_SKU, {"code": scan.text})


def location_for(session: Session, text: str) -> Location | None:
    return session.scalar(_LOCATION_BY_CODE, {"code": text})


def tote_for(session: Session, text: str) -> Tote | None:
    return session.scalar(_TOTE_BY_CODE, {"code": text})


def order_for(session: Session, text: str) -> Order | None:
    return session.scalar(select(Order).where(Order.external_id == text))
