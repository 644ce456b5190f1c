"""The OpenAPI paths and schemas of the issue-7 endpoints (expected receipts, counts, returns)."""
from __future__ import annotations

from typing import Any

from ...domain.states import CountSource, CountState, Disposition, FlowState, ReturnReason
from .schemas import PAGING_PARAMETERS, obj, ref, values

TEXT = {"type": "string"}
COUNT = {"type": "integer", "minimum": 0}
POSITIVE = {"type": "integer", "minimum": 1}
STAMP = {"type": ["string", "null"], "format": "date-time"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    names = {400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict", 422: "ValidationFailed"}
    return {str(code): {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def _param(name: str, where: str = "path", schema: dict | None = None) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema or TEXT}


SCHEMAS: dict[str, Any] = {
    "ExpectedReceiptInput": obj({
        "reference": {"type": "string", "minLength": 1, "maxLength": 80, "description": "delivery note / ASN number"},
        "supplier": {"type": "string", "maxLength": 200},
        "lines": {"type": "array", "minItems": 1, "items": obj({"sku": TEXT, "qty": POSITIVE, "lot": TEXT},
                                                                ["sku", "qty"])},
    }, ["reference", "lines"]),
    "ExpectedReceipt": obj({
        "reference": TEXT, "supplier": TEXT, "status": {"type": "string", "enum": values(FlowState)},
        "created_at": STAMP, "finished_at": STAMP,
        "lines": {"type": "array", "items": obj({"line_no": POSITIVE, "sku": TEXT, "lot": TEXT, "qty": POSITIVE,
                                                 "received": COUNT},
                                                ["line_no", "sku", "lot", "qty", "received"])},
    }, ["reference", "supplier", "status", "lines"]),
    "ExpectedReceiptPage": obj({"items": {"type": "array", "items": ref("ExpectedReceipt")},
                                "next": {"type": ["string", "null"]}}, ["items", "next"]),
    "ReturnRow": obj({"sku": TEXT, "qty": POSITIVE, "reason": {"type": "string", "enum": values(ReturnReason)},
                      "disposition": {"type": "string", "enum": values(Disposition)},
                      "location": {"type": ["string", "null"]}, "at": {"type": "string", "format": "date-time"}},
                     ["sku", "qty", "reason", "disposition", "location", "at"]),
    "OrderReturns": obj({"order": TEXT, "status": TEXT, "returns": {"type": "array", "items": ref("ReturnRow")}},
                        ["order", "status", "returns"]),
    "CountInput": obj({"zone": TEXT, "location": TEXT, "sku": TEXT},
                      description="One of zone (every storage location in it), location, or sku (every location "
                                  "holding it); an open count of a location is not asked for twice."),
    "Count": obj({
        "id": {"type": "integer"}, "location": TEXT, "sku": {"type": ["string", "null"]},
        "state": {"type": "string", "enum": values(CountState)},
        "source": {"type": "string", "enum": values(CountSource)},
        "reason": TEXT, "created_at": STAMP, "finished_at": STAMP,
        "lines": {"type": "array", "description": "empty until counted: counts are blind",
                  "items": obj({"sku": TEXT, "lot": TEXT, "counted": COUNT, "expected": {"type": ["integer", "null"]}},
                               ["sku", "lot", "counted", "expected"])},
    }, ["id", "location", "sku", "state", "source", "lines"]),
    "CountPage": obj({"items": {"type": "array", "items": ref("Count")}, "next": {"type": ["string", "null"]}},
                     ["items", "next"]),
}

SCHEMAS.update({
    "PickFaceInput": obj({"capacity": COUNT, "min": COUNT, "max": COUNT}, ["capacity", "min", "max"],
                         description="0 <= min < max <= capacity; replenishment keeps the face between min and max"),
    "PickFace": obj({"location": TEXT, "sku": TEXT, "capacity": COUNT, "min": COUNT, "max": COUNT},
                    ["location", "sku", "capacity", "min", "max"]),
    "ReorderPointInput": obj({"reorder_point": COUNT}, ["reorder_point"]),
    "ReorderPoint": obj({"sku": TEXT, "reorder_point": COUNT, "low": {"type": "boolean"}},
                        ["sku", "reorder_point", "low"]),
})

PATHS: dict[str, Any] = {
    "/pick-faces/{code}/{sku}": {"put": {
        "operationId": "putPickFace", "tags": ["catalog"], "summary": "Create or change a product's pick face",
        "parameters": [_param("code"), _param("sku")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("PickFaceInput")}}},
        "responses": {"201": _json(ref("PickFace"), "created"), "200": _json(ref("PickFace"), "changed"),
                      **_errors(400, 401, 404, 422)}}},
    "/reorder-points/{sku}": {"put": {
        "operationId": "putReorderPoint", "tags": ["catalog"],
        "summary": "Set the stock level (pick and bulk together) below which stock.low is raised",
        "parameters": [_param("sku")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ReorderPointInput")}}},
        "responses": {"200": _json(ref("ReorderPoint"), "set"), **_errors(400, 401, 404, 422)}}},
    "/receipts/expected": {"post": {
        "operationId": "createExpectedReceipt", "tags": ["stock"],
        "summary": "Announce a delivery (ASN): receivers receive against it on the handheld",
        "description": "Idempotent by reference: the same lines again answer 200; different lines 409.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ExpectedReceiptInput")}}},
        "responses": {"201": _json(ref("ExpectedReceipt"), "created"), "200": _json(ref("ExpectedReceipt"), "known"),
                      **_errors(400, 401, 409, 422)}}},
    "/receipts/{reference}": {"get": {
        "operationId": "getExpectedReceipt", "tags": ["stock"], "summary": "An expected receipt and what came in",
        "parameters": [_param("reference")],
        "responses": {"200": _json(ref("ExpectedReceipt"), "the receipt"), **_errors(401, 404)}}},
    "/orders/{external_id}/returns": {"get": {
        "operationId": "getOrderReturns", "tags": ["orders"], "summary": "What came back of an order",
        "parameters": [_param("external_id")],
        "responses": {"200": _json(ref("OrderReturns"), "the returns"), **_errors(401, 404)}}},
    "/counts": {
        "post": {"operationId": "createCounts", "tags": ["stock"], "summary": "Ask for cycle counts",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("CountInput")}}},
                 "responses": {"201": _json(ref("CountPage"), "the counts now open"), **_errors(400, 401, 422)}},
        "get": {"operationId": "listCounts", "tags": ["stock"], "summary": "Cycle counts, a page at a time",
                "parameters": [_param("state", "query", {"type": "string", "enum": values(CountState)}),
                               *PAGING_PARAMETERS],
                "responses": {"200": _json(ref("CountPage"), "one page"), **_errors(401, 422)}}},
    "/counts/{count_id}": {"get": {
        "operationId": "getCount", "tags": ["stock"], "summary": "One cycle count",
        "parameters": [_param("count_id", schema={"type": "integer"})],
        "responses": {"200": _json(ref("Count"), "the count"), **_errors(401, 404)}}},
}

RECEIPTS_GET = {
    "operationId": "listExpectedReceipts", "tags": ["stock"], "summary": "Expected receipts, a page at a time",
    "parameters": [_param("status", "query", {"type": "string", "enum": values(FlowState)}), *PAGING_PARAMETERS],
    "responses": {"200": _json(ref("ExpectedReceiptPage"), "one page"), **_errors(401, 422)},
}


def extend(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Add these endpoints to the API document (GET /receipts joins the existing POST /receipts)."""
    paths.update(PATHS)
    paths.setdefault("/receipts", {})["get"] = RECEIPTS_GET
    schemas.update(SCHEMAS)
    order = schemas.get("Order")
    if order is not None:
        order["properties"]["returns"] = {"type": "array", "items": ref("ReturnRow")}
