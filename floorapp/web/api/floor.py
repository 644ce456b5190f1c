"""Expected receipts, cycle counts and what came back of an order (issue 7), over API v1."""
from __future__ import annotations

from sqlalchemy import select

from ...domain import counting, lookup, putaway, receiving, replenishment
from ...domain.errors import NotFound, ValidationFailed
from ...domain.lookup import order_for
from ...domain.models import CycleCount, ExpectedReceipt, PickFace, Product
from ...domain.returns import returns_json
from ...domain.states import CountState, FlowState
from ..common import commit
from ..security import api, db
from . import bp
from .inputs import json_object, listing_args, page
from .serializers import timestamp


def receipt_json(receipt: ExpectedReceipt) -> dict:
    return {"reference": receipt.reference, "supplier": receipt.supplier, "status": receipt.state.value,
            "created_at": timestamp(receipt.created_at), "finished_at": timestamp(receipt.finished_at),
            "lines": [{"line_no": x.line_no, "sku": x.product.sku, "lot": x.lot, "qty": x.qty, "received": x.received}
                      for x in receipt.lines]}


def count_json(count: CycleCount) -> dict:
    return {"id": count.id, "location": count.location.code, "sku": count.product.sku if count.product else None,
            "state": count.state.value, "source": count.source.value, "reason": count.reason,
            "created_at": timestamp(count.created_at), "finished_at": timestamp(count.finished_at),
            # the figures only once counted: a count stays blind while it is open
            "lines": [{"sku": x.product.sku, "lot": x.lot, "counted": x.counted, "expected": x.expected}
                      for x in count.lines] if count.finished_at else []}


@bp.post("/receipts/expected")
@api
def create_expected_receipt():
    receipt, created = receiving.create_expected(db(), json_object())
    commit()
    return receipt_json(receipt), 201 if created else 200


@bp.get("/receipts")
@api
def list_receipts():
    args = listing_args(enums={"status": FlowState})
    rows = receiving.receipts_page(db(), state=args["status"], after_id=args["after_id"], limit=args["limit"] + 1)
    return page(rows, args["limit"], receipt_json)


@bp.get("/receipts/<reference>")
@api
def get_receipt(reference: str):
    receipt = receiving.receipt_for(db(), reference)
    if receipt is None:
        raise NotFound(f"No expected receipt {reference}.")
    return receipt_json(receipt)


@bp.get("/orders/<external_id>/returns")
@api
def order_returns(external_id: str):
    order = order_for(db(), external_id)
    if order is None:
        raise NotFound(f"No order {external_id}.")
    return {"order": order.external_id, "status": order.status.value, "returns": returns_json(order)}


@bp.post("/counts")
@api
def create_counts():
    body = json_object()
    picked = {k: body[k] for k in ("zone", "location", "sku") if isinstance(body.get(k), str) and body[k]}
    made = counting.create_counts(db(), None, **picked)
    commit()
    return {"items": [count_json(c) for c in made], "next": None}, 201


@bp.get("/counts")
@api
def list_counts():
    args = listing_args(enums={"state": CountState})
    query = select(CycleCount).where(CycleCount.id > args["after_id"]).order_by(CycleCount.id).limit(args["limit"] + 1)
    if args["state"] is not None:
        query = query.where(CycleCount.state == args["state"])
    return page(list(db().scalars(query)), args["limit"], count_json)


@bp.get("/counts/<int:count_id>")
@api
def get_count(count_id: int):
    count = db().get(CycleCount, count_id) if count_id < 2**31 else None  # ids are 32-bit in the database
    if count is None:
        raise NotFound(f"No count {count_id}.")
    return count_json(count)



def _int_field(body: dict, name: str, details: list[dict]) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
        details.append({"field": name, "message": f"{name} is a whole number from 0 to 1000000."})
        return 0
    return value


def _product_and_location(sku: str, code: str | None = None):
    product = db().scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise NotFound(f"No product {sku}.")
    if code is None:
        return product, None
    location = lookup.location_for(db(), code)
    if location is None:
        raise NotFound(f"No location {code}.")
    return product, location


def face_json(face: PickFace) -> dict:
    return {"location": face.location.code, "sku": face.product.sku, "capacity": face.capacity,
            "min": face.min_qty, "max": face.max_qty}


@bp.put("/pick-faces/<code>/<sku>")
@api
def put_pick_face(code: str, sku: str):
    """A product's pick face at a location: capacity, and the min/max replenishment keeps it between."""
    body, details = json_object(), []
    numbers = {name: _int_field(body, name, details) for name in ("capacity", "min", "max")}
    if details:
        raise ValidationFailed("The pick face was not saved: fix the fields named in details.", details)
    product, location = _product_and_location(sku, code)
    created = putaway.face_at(db(), product, location) is None
    face = putaway.set_face(db(), product, location, capacity=numbers["capacity"], min_qty=numbers["min"],
                            max_qty=numbers["max"])
    replenishment.check(db(), product, location)
    commit()
    return face_json(face), 201 if created else 200


@bp.put("/reorder-points/<sku>")
@api
def put_reorder_point(sku: str):
    """Below this many in storage (pick and bulk together) the product raises stock.low."""
    body, details = json_object(), []
    point = _int_field(body, "reorder_point", details)
    if details:
        raise ValidationFailed("The reorder point was not saved.", details)
    product, _ = _product_and_location(sku)
    replenishment.set_reorder_point(db(), product, point)
    low = replenishment.check_low(db(), product)
    commit()
    return {"sku": product.sku, "reorder_point": point, "low": low}
