"""API v1 plumbing: bearer token, error shape for bad bodies and unknown routes."""
from __future__ import annotations

import pytest

ORDERS = "/api/v1/orders"


def _is_error(body: dict, code: str) -> dict:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer fa_wrong"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_no_or_wrong_token_is_401(client, api_token, headers):
    for method, path in (("get", ORDERS), ("post", ORDERS), ("get", "/api/v1/stock"),
                         ("put", "/api/v1/products/SKU-1"), ("post", "/api/v1/receipts")):
        response = getattr(client, method)(path, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        _is_error(response.get_json(), "unauthorized")


def test_a_valid_token_is_let_in(api):
    assert api.get(ORDERS).status_code == 200


def test_malformed_json_is_400_naming_the_body(api):
    response = api.post(ORDERS, data='{"external_id": "A-1",', content_type="application/json")
    assert response.status_code == 400
    error = _is_error(response.get_json(), "bad_request")
    assert error["details"][0]["field"] == "body"
    assert "line 1" in error["details"][0]["message"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_a_body_that_is_not_an_object_is_400(api, body):
    for method, path in (("post", ORDERS), ("post", "/api/v1/receipts"), ("put", "/api/v1/products/SKU-1"),
                         ("put", "/api/v1/locations/A-01")):
        response = getattr(api, method)(path, data=body, content_type="application/json")
        assert response.status_code == 400, (method, path)
        assert _is_error(response.get_json(), "bad_request")["details"][0]["field"] == "body"


def test_an_empty_or_non_utf8_body_is_400(api):
    assert api.post(ORDERS, data=b"", content_type="application/json").status_code == 400
    assert api.post(ORDERS, data=b'{"a": "\xff"}', content_type="application/json").status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/orders", "/api/"])
def test_unknown_routes_under_api_are_404_json(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.is_json
    _is_error(response.get_json(), "not_found")


def test_a_wrong_method_is_405_json(api):
    response = api.delete(ORDERS)
    assert response.status_code == 405
    assert response.is_json
    _is_error(response.get_json(), "method_not_allowed")


def test_openapi_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")
