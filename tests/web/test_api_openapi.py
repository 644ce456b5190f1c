"""The OpenAPI document cannot drift: every API route is in it, and real answers fit its schemas."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from floorapp.domain.models import Carton, CartonLine, Order

DOC = "/api/v1/openapi.json"
PREFIX = "/api/v1"


@pytest.fixture
def document(client) -> dict:
    return client.get(DOC).get_json()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def test_every_api_route_is_documented_with_its_methods(app, document):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            routes.setdefault(_openapi_path(rule.rule), set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert routes, "no API routes found"
    documented = {path: {m for m in item if m in ("get", "put", "post", "patch", "delete")}
                  for path, item in document["paths"].items()}
    assert documented == routes


def test_the_document_is_openapi_31_with_bearer_security(document):
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    assert {"Order", "OrderLine", "Carton", "StockRow", "Product", "Location", "Receipt", "Error"} <= set(
        document["components"]["schemas"])


def test_every_operation_has_responses_and_every_ref_resolves(document):
    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                _, section, name = node["$ref"].lstrip("#/").split("/")
                assert name in document["components"][section], f"{where}: {node['$ref']}"
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(document, "#")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (path, method)
            assert operation["operationId"]
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


# -- real answers fit the documented schemas ------------------------------------------------------

def _fits(value, schema: dict, document: dict, where: str = "$") -> None:
    """A small JSON Schema check: $ref, type (incl. null), enum, required, properties (no undocumented keys),
    items, oneOf."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in schema:
        errors = []
        for option in schema["oneOf"]:
            try:
                _fits(value, option, document, where)
                return
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{where}: fits no oneOf option: {errors}")
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    python = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}
    if kinds:
        assert any(isinstance(value, python[k]) and not (k == "integer" and isinstance(value, bool))
                   for k in kinds), f"{where}: {value!r} is not {kinds}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in enum"
    if isinstance(value, dict) and "properties" in schema:
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {missing}"
        extra = set(value) - set(schema["properties"])
        assert not extra, f"{where}: undocumented {extra}"
        for key, item in value.items():
            _fits(item, schema["properties"][key], document, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _fits(item, schema["items"], document, f"{where}[{i}]")


def _response_schema(document: dict, path: str, method: str, status: int) -> dict:
    response = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def test_real_answers_fit_the_documented_schemas(api, document, db_session):
    def check(response, path: str, method: str, status: int):
        assert response.status_code == status, response.get_json()
        _fits(response.get_json(), _response_schema(document, path, method, status), document, f"{method} {path}")

    check(api.put("/api/v1/locations/A-01", json={"zone": "A", "pick_sequence": 1}), "/locations/{code}", "put", 201)
    check(api.put("/api/v1/products/JAM", json={"name": "Jam", "barcodes": ["4006381333931"]}),
          "/products/{sku}", "put", 201)
    check(api.get("/api/v1/products/JAM"), "/products/{sku}", "get", 200)
    check(api.post("/api/v1/receipts", json={"lines": [{"sku": "JAM", "location": "A-01", "qty": 2}]}),
          "/receipts", "post", 201)
    order = {"external_id": "J-1", "customer": {"name": "Bo"}, "ship_to": {
        "name": "Bo", "line1": "1 Road", "city": "Oslo", "postal_code": "0150", "country": "NO"},
        "lines": [{"sku": "JAM", "qty": 3}]}
    check(api.post("/api/v1/orders", json=order), "/orders", "post", 201)
    check(api.post("/api/v1/orders", json=order), "/orders", "post", 200)
    saved = db_session.scalar(select(Order).where(Order.external_id == "J-1"))
    db_session.add(Carton(order=saved, lines=[CartonLine(order_line=saved.lines[0], qty=2)]))  # open: no SSCC yet
    db_session.commit()
    check(api.get("/api/v1/orders/J-1"), "/orders/{external_id}", "get", 200)
    check(api.get("/api/v1/orders?limit=1"), "/orders", "get", 200)
    check(api.get("/api/v1/stock"), "/stock", "get", 200)
    check(api.post("/api/v1/orders", json={**order, "lines": [{"sku": "JAM", "qty": 1}]}), "/orders", "post", 409)
    check(api.post("/api/v1/orders", json={**order, "external_id": "J-2", "lines": []}), "/orders", "post", 422)
    check(api.post("/api/v1/orders", data="[", content_type="application/json"), "/orders", "post", 400)
    check(api.get("/api/v1/orders/NOPE"), "/orders/{external_id}", "get", 404)
