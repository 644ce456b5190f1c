"""components/schemas of the OpenAPI document: the JSON shapes the API reads and writes."""
from __future__ import annotations

from typing import Any

from ...domain.states import BarcodeKind, CartonState, LocationKind, OrderState, Tracking
from .inputs import MAX_LIMIT


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {**schema, **extra}


def values(kind) -> list[str]:
    return [member.value for member in kind]


TEXT = {"type": "string"}
COUNT = {"type": "integer", "minimum": 0}
POSITIVE = {"type": "integer", "minimum": 1}
DATE = {"type": "string", "format": "date", "examples": ["2026-12-24"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with Z",
             "examples": ["2026-05-01T09:30:00Z"]}
CURSOR = {"type": ["string", "null"], "description": "Pass as `after` for the next page; null on the last page."}

ADDRESS_PROPS = {"name": TEXT, "line1": TEXT, "line2": TEXT, "city": TEXT, "region": TEXT,
                 "postal_code": TEXT, "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}
ADDRESS_REQUIRED = ["name", "line1", "city", "postal_code", "country"]
CUSTOMER = obj({"name": TEXT, "email": {"type": "string", "format": "email"}}, ["name"])


def _page(item: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(item)}, "next": CURSOR}, ["items", "next"])


SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({
        "code": {"type": "string", "examples": ["validation_failed", "not_found", "conflict", "unauthorized"]},
        "message": TEXT,
        "details": {"type": "array", "items": obj(
            {"field": {"type": "string", "description": "The offending field, line or parameter, "
                                                          "e.g. lines[1].sku, ship_to.city, limit"},
             "message": TEXT}, ["field", "message"])},
    }, ["code", "message", "details"])}, ["error"]),
    "Address": obj(ADDRESS_PROPS, ADDRESS_REQUIRED),
    "Customer": CUSTOMER,
    "OrderInput": obj({
        "external_id": {"type": "string", "minLength": 1, "maxLength": 80},
        "customer": ref("Customer"),
        "ship_to": ref("Address"),
        "priority": {"type": "string", "enum": ["normal", "rush"], "default": "normal"},
        "ship_by": DATE,
        "carrier": {"type": "string", "maxLength": 40, "examples": ["UPS"],
                    "description": "the carrier the customer or the shop asked for; leading and trailing "
                                   "spaces are dropped; empty or left out: any carrier"},
        "lines": {"type": "array", "minItems": 1, "items": obj({"sku": TEXT, "qty": POSITIVE}, ["sku", "qty"])},
    }, ["external_id", "customer", "ship_to", "lines"]),
    "OrderLine": obj({
        "line_no": POSITIVE, "sku": TEXT, "name": TEXT, "qty": POSITIVE, "allocated": COUNT,
        "backordered": COUNT, "picked": COUNT, "packed": COUNT, "shipped": COUNT,
    }, ["line_no", "sku", "name", "qty", "allocated", "backordered", "picked", "packed", "shipped"]),
    "Carton": obj({
        "id": {"type": "integer"}, "sscc": {"type": ["string", "null"], "pattern": "^[0-9]{18}$"},
        "state": {"type": "string", "enum": values(CartonState)}, "box_type": TEXT,
        "weight_g": {"type": ["integer", "null"]}, "carrier": TEXT, "service": TEXT, "tracking_number": TEXT,
        "tracking": {**TEXT, "description": "the tracking number (same as tracking_number)"},
        "lines": {"type": "array", "items": obj({"sku": TEXT, "qty": COUNT}, ["sku", "qty"])},
    }, ["id", "sscc", "state", "box_type", "weight_g", "carrier", "service", "tracking_number", "lines"]),
    "Order": obj({
        "external_id": TEXT, "status": {"type": "string", "enum": values(OrderState)},
        "customer": ref("Customer"), "ship_to": ref("Address"),
        "priority": {"type": "string", "enum": ["normal", "rush"]}, "ship_by": NULLABLE_DATE,
        "carrier": {**TEXT, "description": "the requested carrier; empty: any"},
        "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        "lines": {"type": "array", "items": ref("OrderLine")},
        "cartons": {"type": "array", "items": ref("Carton")},
    }, ["external_id", "status", "customer", "ship_to", "priority", "ship_by", "carrier", "created_at", "lines",
        "cartons"]),
    "OrderPage": _page("Order"),
    "StockRow": obj({
        "sku": TEXT, "location": TEXT, "lot": {"type": "string", "description": "empty when not lot-tracked"},
        "expiry": NULLABLE_DATE, "on_hand": COUNT, "reserved": COUNT,
    }, ["sku", "location", "lot", "expiry", "on_hand", "reserved"]),
    "StockPage": _page("StockRow"),
    "Barcode": obj({"code": TEXT, "kind": {"type": "string", "enum": values(BarcodeKind)}}, ["code", "kind"]),
    "ProductInput": obj({
        "name": {"type": "string", "minLength": 1},
        "barcodes": {"type": "array", "description": "GTIN-13, UPC-A, EAN-8 (check digit verified) or "
                                                     "Code 128; the kind is guessed from a bare string.",
                     "items": {"oneOf": [TEXT, obj({"code": TEXT, "kind": {"type": "string", "enum":
                                                                           values(BarcodeKind)}}, ["code"])]}},
        "weight_g": COUNT, "length_mm": COUNT, "width_mm": COUNT, "height_mm": COUNT,
        "tracking": {"type": "string", "enum": values(Tracking), "default": "none"},
    }, ["name"]),
    "Product": obj({
        "sku": TEXT, "name": TEXT, "barcodes": {"type": "array", "items": ref("Barcode")},
        "weight_g": COUNT, "length_mm": COUNT, "width_mm": COUNT, "height_mm": COUNT,
        "tracking": {"type": "string", "enum": values(Tracking)},
    }, ["sku", "name", "barcodes", "weight_g", "length_mm", "width_mm", "height_mm", "tracking"]),
    "LocationInput": obj({
        "zone": {"type": "string", "minLength": 1, "description": "zone code; created when new"},
        "pick_sequence": {**COUNT, "default": 0},
        "kind": {"type": "string", "enum": values(LocationKind), "default": "pick"},
    }, ["zone"]),
    "Location": obj({
        "code": TEXT, "zone": TEXT, "pick_sequence": COUNT, "kind": {"type": "string", "enum": values(LocationKind)},
    }, ["code", "zone", "pick_sequence", "kind"]),
    "Receipt": obj({
        "lines": {"type": "array", "minItems": 1, "items": obj({
            "sku": TEXT, "location": {"type": "string", "description": "location code"}, "qty": POSITIVE,
            "lot": {"type": "string", "description": "required for lot-tracked products"}, "expiry": DATE,
        }, ["sku", "location", "qty"])},
    }, ["lines"], description="The stock moves it books carry the reference api:<token name>."),
    "ReceiptResult": obj({
        "lines": {"type": "integer", "description": "lines booked"},
        "orders_filled": {"type": "array", "items": TEXT,
                          "description": "external ids of orders whose backorders this receipt filled"},
    }, ["lines", "orders_filled"]),
}

SCHEMAS.update({  # cancel and change (floorapp/web/api/changes.py)
    "CancelInput": obj({"reason": {"type": "string", "maxLength": 200}}),
    "PutBack": obj({"sku": TEXT, "qty": POSITIVE, "packed": COUNT, "totes": {"type": "array", "items": TEXT}},
                   ["sku", "qty", "packed", "totes"]),
    "CancelResult": obj({
        "order": ref("Order"), "already_cancelled": {"type": "boolean"},
        "freed": {**COUNT, "description": "units whose reservation was released"},
        "put_back": {"type": "array", "items": ref("PutBack"),
                     "description": "picked goods the supervisor puts back (cancelled after picking began)"},
        "exception": {"type": ["integer", "null"], "description": "the floor exception raised for the supervisor"},
    }, ["order", "already_cancelled", "freed", "put_back", "exception"]),
    "LinesInput": obj({"lines": {"type": "array", "minItems": 1, "items": obj({"sku": TEXT, "qty": POSITIVE},
                                                                               ["sku", "qty"])}}, ["lines"]),
    "LinesResult": obj({"order": ref("Order"), "changed": {"type": "boolean"}}, ["order", "changed"]),
    "WebhookEvent": obj({"id": {"type": "string", "format": "uuid"}, "event": TEXT, "created_at": TIMESTAMP,
                         "data": {"type": "object"}}, ["id", "event", "created_at", "data"]),
})

PAGING_PARAMETERS = [
    {"name": "after", "in": "query", "required": False, "description": "the `next` value of the previous page",
     "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    {"name": "limit", "in": "query", "required": False, "description": "items per page",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}},
]
