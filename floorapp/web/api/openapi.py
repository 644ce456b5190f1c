"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json without a token.

tests/web/test_api_openapi.py checks that every rule of the blueprint appears here with its methods.
"""
from __future__ import annotations

from typing import Any

from ...domain.outbox import EVENTS as OUTBOX_EVENTS
from ...domain.states import OrderState
from ..security import api
from . import bp, floor_openapi
from .metrics import METRICS_OPERATION, METRICS_SCHEMAS
from .schemas import PAGING_PARAMETERS, SCHEMAS, ref


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/{name}"} for code, name in
            ((400, "BadRequest"), (401, "Unauthorized"), (404, "NotFound"), (409, "Conflict"),
             (422, "ValidationFailed")) if code in codes}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


PATHS: dict[str, Any] = {
    "/orders": {
        "post": {
            "operationId": "createOrder", "tags": ["orders"], "summary": "Create an order and allocate stock to it",
            "description": "Idempotent by external_id: the same payload again answers 200 with the first order; "
                           "a different payload under the same external_id answers 409. A refused order saves "
                           "nothing; details name each bad field or line (e.g. lines[1].sku, ship_to.city).",
            "requestBody": _body("OrderInput"),
            "responses": {"201": _json(ref("Order"), "created; status and per-line allocated/backordered"),
                          "200": _json(ref("Order"), "the same order was sent before: the first order"),
                          **_errors(400, 401, 409, 422)},
        },
        "get": {
            "operationId": "listOrders", "tags": ["orders"], "summary": "Orders, oldest first, a page at a time",
            "parameters": [{"name": "status", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": [s.value for s in OrderState]}},
                           *PAGING_PARAMETERS],
            "responses": {"200": _json(ref("OrderPage"), "one page"), **_errors(401, 422)},
        },
    },
    "/orders/{external_id}": {
        "get": {
            "operationId": "getOrder", "tags": ["orders"], "summary": "One order with its lines and cartons",
            "parameters": [_path_param("external_id", "the id the order was created with")],
            "responses": {"200": _json(ref("Order"), "the order"), **_errors(401, 404)},
        },
    },
    "/orders/{external_id}/cancel": {
        "post": {
            "operationId": "cancelOrder", "tags": ["orders"], "summary": "Cancel an order",
            "description": "Before picking starts every reservation is freed. After picking started the order "
                           "is cancelled too, and a floor exception tells the supervisor which picked goods to "
                           "put back (listed in put_back). Cancelling a cancelled order answers 200 again; a "
                           "shipped order answers 409. The body is optional.",
            "parameters": [_path_param("external_id", "the id the order was created with")],
            "requestBody": {"required": False, "content": {"application/json": {"schema": ref("CancelInput")}}},
            "responses": {"200": _json(ref("CancelResult"), "cancelled"), **_errors(400, 401, 404, 409, 422)},
        },
    },
    "/orders/{external_id}/lines": {
        "post": {
            "operationId": "changeOrderLines", "tags": ["orders"], "summary": "Replace an order's lines",
            "description": "Only before the order is released to the floor (else 409). The order is allocated "
                           "again; the same lines again change nothing (changed: false).",
            "parameters": [_path_param("external_id", "the id the order was created with")],
            "requestBody": _body("LinesInput"),
            "responses": {"200": _json(ref("LinesResult"), "the order as it is now"),
                          **_errors(400, 401, 404, 409, 422)},
        },
    },
    "/stock": {
        "get": {
            "operationId": "listStock", "tags": ["stock"],
            "summary": "Stock on hand per product, location and lot, a page at a time",
            "parameters": [{"name": "sku", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "location", "in": "query", "required": False, "schema": {"type": "string"},
                            "description": "location code"},
                           *PAGING_PARAMETERS],
            "responses": {"200": _json(ref("StockPage"), "one page"), **_errors(401, 422)},
        },
    },
    "/products/{sku}": {
        "put": {
            "operationId": "putProduct", "tags": ["catalog"], "summary": "Create or update a product",
            "description": "barcodes, when sent, replace the product's barcodes. GTIN check digits are verified.",
            "parameters": [_path_param("sku", "the product's SKU")],
            "requestBody": _body("ProductInput"),
            "responses": {"201": _json(ref("Product"), "created"), "200": _json(ref("Product"), "updated"),
                          **_errors(400, 401, 409, 422)},
        },
        "get": {
            "operationId": "getProduct", "tags": ["catalog"], "summary": "One product with its barcodes",
            "parameters": [_path_param("sku", "the product's SKU")],
            "responses": {"200": _json(ref("Product"), "the product"), **_errors(401, 404)},
        },
    },
    "/locations/{code}": {
        "put": {
            "operationId": "putLocation", "tags": ["catalog"], "summary": "Create or update a location",
            "parameters": [_path_param("code", "the location code, e.g. A-01-02-3 (also its barcode)")],
            "requestBody": _body("LocationInput"),
            "responses": {"201": _json(ref("Location"), "created"), "200": _json(ref("Location"), "updated"),
                          **_errors(400, 401, 422)},
        },
    },
    "/receipts": {
        "post": {
            "operationId": "createReceipt", "tags": ["stock"],
            "summary": "Book arriving stock and fill waiting backorders from it",
            "description": "Every line is booked or none is; details name each bad line.",
            "requestBody": _body("Receipt"),
            "responses": {"201": _json(ref("ReceiptResult"), "booked"), **_errors(400, 401, 422)},
        },
    },
    **{path: {"get": {
        "operationId": op, "tags": ["documents"], "summary": summary,
        "parameters": [_path_param(name, what)] + ([{"name": "carrier", "in": "query", "required": False,
                                                    "schema": {"type": "string"},
                                                    "description": "carrier code; needed when several shipped"}]
                                                  if name == "date" else []),
        "responses": {"200": {"description": "the document", "content": {mime: {"schema": {"type": "string",
                                                                                           "format": "binary"}}}},
                      **_errors(401, 404, 409, 422)}}}
       for path, op, summary, name, what, mime in (
           ("/orders/{external_id}/packing-slip.pdf", "getPackingSlip", "The order's packing slip (PDF)",
            "external_id", "the order's external id", "application/pdf"),
           ("/cartons/{sscc}/label.pdf", "getCartonLabelPdf", "The carton's SSCC label, 4x6 PDF", "sscc",
            "the carton's 18-digit SSCC", "application/pdf"),
           ("/cartons/{sscc}/label.zpl", "getCartonLabelZpl", "The carton's SSCC label, ZPL (203 dpi)", "sscc",
            "the carton's 18-digit SSCC", "application/vnd.zebra.zpl"),
           ("/cartons/{sscc}/shipping-label.pdf", "getShippingLabelPdf", "The carton's 4x6 shipping label (PDF)",
            "sscc", "the carton's 18-digit SSCC", "application/pdf"),
           ("/cartons/{sscc}/shipping-label.zpl", "getShippingLabelZpl", "The carton's 4x6 shipping label (ZPL)",
            "sscc", "the carton's 18-digit SSCC", "application/vnd.zebra.zpl"),
           ("/manifests/{date}.pdf", "getManifest", "The day's manifest of one carrier (PDF)", "date",
            "YYYY-MM-DD", "application/pdf"))},
    "/metrics": {"get": METRICS_OPERATION},
    "/openapi.json": {
        "get": {
            "operationId": "getOpenapi", "tags": ["meta"], "summary": "This document", "security": [],
            "responses": {"200": {"description": "the OpenAPI 3.1 document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        },
    },
}

RESPONSES = {
    name: _json(ref("Error"), description) for name, description in (
        ("BadRequest", "the body is not JSON, or not a JSON object"),
        ("Unauthorized", "no valid bearer token"),
        ("NotFound", "no such record"),
        ("Conflict", "the external id is taken by a different payload, or a concurrent write won"),
        ("ValidationFailed", "refused; details name each bad field, line or parameter; nothing was saved"),
    )
}

floor_openapi.extend(PATHS, SCHEMAS)  # expected receipts, counts, returns (issue 7)

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {"title": "floorapp API", "version": "1",
             "description": "Orders in, stock and catalogue kept in step with the warehouse floor. JSON only. "
                            "Errors always have the shape of the Error schema."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "tags": [{"name": "orders"}, {"name": "stock"}, {"name": "catalog"}, {"name": "documents"}, {"name": "metrics"},
             {"name": "meta"}],
    "paths": PATHS,
    "webhooks": {name: {"post": {
        "summary": f"{name} (see floorapp/domain/webhooks.py for the signature scheme)",
        "description": "Signed: X-Floorapp-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, '<t>.' + body)>. "
                       "Answer 2xx; anything else is retried with exponential backoff.",
        "requestBody": {"content": {"application/json": {"schema": ref("WebhookEvent")}}},
        "responses": {"200": {"description": "received"}}}}
        for name in sorted(OUTBOX_EVENTS)},
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "An API token made with `floorapp token create NAME` (only its hash is stored)."}},
        "schemas": {**SCHEMAS, **METRICS_SCHEMAS},
        "responses": RESPONSES,
    },
}


@bp.get("/openapi.json")
@api
def openapi():
    return DOCUMENT
