"""Products (with their barcodes) and locations, created or updated by SKU / code."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanners import is_valid_gtin

from .errors import NotFound, ValidationFailed
from .models import Barcode, Location, Product, Zone
from .states import BarcodeKind, LocationKind, Tracking

_GTIN_LENGTHS = {BarcodeKind.GTIN13: 13, BarcodeKind.UPCA: 12, BarcodeKind.EAN8: 8}


def barcode_problem(code: str, kind: BarcodeKind) -> str | None:
    if kind in _GTIN_LENGTHS:
        if len(code) != _GTIN_LENGTHS[kind] or not code.isdigit():
            return f"{kind.value} barcode {code} must be {_GTIN_LENGTHS[kind]} digits."
        if not is_valid_gtin(code):
            return f"{kind.value} barcode {code} has a wrong check digit."
    elif not code or not code.isascii() or not code.isprintable() or len(code) > 48:
        return f"code128 barcode {code!r} must be 1 to 48 printable ASCII characters."
    return None


def _int_field(data: dict[str, Any], name: str, details: list[dict]) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        details.append({"field": name, "message": f"{name} must be a whole number, 0 or more."})
        return None
    return value


def get_product(session: Session, sku: str) -> Product:
    product = session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise NotFound(f"No product {sku}.", [{"field": "sku", "message": "unknown product"}])
    return product


def upsert_product(session: Session, sku: str, data: dict[str, Any]) -> tuple[Product, bool]:
    details: list[dict] = []
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        details.append({"field": "name", "message": "name is required."})
    elif len(name.strip()) > 200:
        details.append({"field": "name", "message": "name is longer than 200 characters."})
    if not sku or len(sku) > 40 or not sku.isprintable():
        details.append({"field": "sku", "message": "a SKU is 1 to 40 printable characters."})
    try:
        tracking = Tracking(data.get("tracking", "none"))
    except ValueError:
        details.append({"field": "tracking", "message": "tracking is one of none, lot, serial."})
        tracking = Tracking.NONE
    sizes = {f: _int_field(data, f, details) for f in ("weight_g", "length_mm", "width_mm", "height_mm")}
    product = session.scalar(select(Product).where(Product.sku == sku))
    barcodes: list[tuple[str, BarcodeKind]] = []
    for i, entry in enumerate(data.get("barcodes") or []):
        code, kind_text = (entry.get("code"), entry.get("kind")) if isinstance(entry, dict) else (entry, None)
        if not isinstance(code, str):
            details.append({"field": f"barcodes[{i}]", "message": "a barcode is a string."})
            continue
        try:
            kind = BarcodeKind(kind_text) if kind_text else _guess_kind(code)
        except ValueError:
            details.append({"field": f"barcodes[{i}].kind", "message": "kind is gtin13, upca, ean8 or code128."})
            continue
        if problem := barcode_problem(code, kind):
            details.append({"field": f"barcodes[{i}]", "message": problem})
            continue
        owner = session.scalar(select(Barcode).where(Barcode.code == code))
        if owner and (product is None or owner.product_id != product.id):
            details.append({"field": f"barcodes[{i}]", "message": f"barcode {code} belongs to another product."})
            continue
        barcodes.append((code, kind))
    if details:
        raise ValidationFailed(f"Product {sku} was not saved.", details)
    created = product is None
    if product is None:
        product = Product(sku=sku, name=name.strip())
        session.add(product)
    product.name = name.strip()
    product.tracking = tracking
    for field, value in sizes.items():
        if value is not None:
            setattr(product, field, value)
    if "barcodes" in data:
        keep = {code for code, _ in barcodes}
        product.barcodes = [b for b in product.barcodes if b.code in keep]
        have = {b.code for b in product.barcodes}
        product.barcodes.extend(Barcode(code=c, kind=k) for c, k in barcodes if c not in have)
    session.flush()
    return product, created


def _guess_kind(code: str) -> BarcodeKind:
    if code.isdigit() and len(code) == 13:
        return BarcodeKind.GTIN13
    if code.isdigit() and len(code) == 12:
        return BarcodeKind.UPCA
    if code.isdigit() and len(code) == 8:
        return BarcodeKind.EAN8
    return BarcodeKind.CODE128


def zone_by_code(session: Session, code: str, create: bool = False) -> Zone | None:
    zone = session.scalar(select(Zone).where(Zone.code == code))
    if zone is None and create:
        zone = Zone(code=code, name=code)
        session.add(zone)
        session.flush()
    return zone


def upsert_location(session: Session, code: str, data: dict[str, Any]) -> tuple[Location, bool]:
    details: list[dict] = []
    zone_code = data.get("zone")
    if not isinstance(zone_code, str) or not zone_code.strip() or len(zone_code.strip()) > 20:
        details.append({"field": "zone", "message": "zone is required (at most 20 characters)."})
    sequence = data.get("pick_sequence", 0)
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        details.append({"field": "pick_sequence", "message": "pick_sequence must be a whole number, 0 or more."})
    try:
        kind = LocationKind(data.get("kind", "pick"))
    except ValueError:
        details.append({"field": "kind", "message": "kind is one of " + ", ".join(k.value for k in LocationKind) + "."})
    if not code or len(code) > 40 or not code.isascii() or not code.isprintable():
        details.append({"field": "code", "message": "a location code is 1 to 40 printable ASCII characters."})
    if details:
        raise ValidationFailed(f"Location {code} was not saved.", details)
    zone = zone_by_code(session, zone_code.strip(), create=True)
    location = session.scalar(select(Location).where(Location.code == code))
    created = location is None
    if location is None:
        location = Location(code=code, zone=zone, pick_sequence=sequence, kind=kind)
        session.add(location)
    location.zone, location.pick_sequence, location.kind = zone, sequence, kind
    session.flush()
    return location, created
