"""Models as API JSON. Timestamps are ISO 8601 UTC with 'Z'; dates are YYYY-MM-DD."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ...domain.returns import returns_json
from ...domain.models import Carton, Location, Order, OrderLine, Product, Stock

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


def timestamp(value: dt.datetime | None) -> str | None:
    """The database keeps naive UTC; an aware value is converted first."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def order_line_json(line: OrderLine) -> dict[str, Any]:
    return {"line_no": line.line_no, "sku": line.product.sku, "name": line.product.name, "qty": line.qty,
            "allocated": line.allocated, "backordered": line.backordered, "picked": line.picked,
            "packed": line.packed, "shipped": line.shipped}


def carton_json(carton: Carton) -> dict[str, Any]:
    return {"id": carton.id, "sscc": carton.sscc, "state": carton.state.value, "box_type": carton.box_type,
            "weight_g": carton.weight_g, "carrier": carton.carrier, "service": carton.service,
            "tracking_number": carton.tracking_number, "tracking": carton.tracking_number,
            "lines": [{"sku": cl.order_line.product.sku, "qty": cl.qty} for cl in carton.lines]}


def order_json(order: Order) -> dict[str, Any]:
    ship_to = order.ship_to or {}
    return {"external_id": order.external_id, "status": order.status.value,
            "customer": {"name": order.customer_name, "email": order.customer_email},
            "ship_to": {field: ship_to.get(field, "") for field in ADDRESS_FIELDS},
            "priority": order.priority, "ship_by": day(order.ship_by), "carrier": order.carrier,
            "created_at": timestamp(order.created_at), "updated_at": timestamp(order.updated_at),
            "lines": [order_line_json(line) for line in order.lines],
            "cartons": [carton_json(carton) for carton in order.cartons],
            "returns": returns_json(order)}


def stock_json(row: Stock) -> dict[str, Any]:
    return {"sku": row.product.sku, "location": row.location.code, "lot": row.lot, "expiry": day(row.expiry),
            "on_hand": row.on_hand, "reserved": row.reserved}


def product_json(product: Product) -> dict[str, Any]:
    return {"sku": product.sku, "name": product.name,
            "barcodes": [{"code": b.code, "kind": b.kind.value} for b in product.barcodes],
            "weight_g": product.weight_g, "length_mm": product.length_mm, "width_mm": product.width_mm,
            "height_mm": product.height_mm, "tracking": product.tracking.value}


def location_json(location: Location) -> dict[str, Any]:
    return {"code": location.code, "zone": location.zone.code, "pick_sequence": location.pick_sequence,
            "kind": location.kind.value}
