"""API v1 catalogue: products (with checked barcodes) and locations, created or updated by PUT."""
from __future__ import annotations

PRODUCT = "/api/v1/products/TEA-GREEN"


def test_put_creates_then_updates_a_product(api):
    created = api.put(PRODUCT, json={"name": "Green tea", "barcodes": ["4006381333931", {"code": "TEA-GRN-01"}],
                                     "weight_g": 250, "length_mm": 120, "width_mm": 80, "height_mm": 60,
                                     "tracking": "lot"})
    assert created.status_code == 201
    assert created.headers["Location"].endswith(PRODUCT)
    assert created.get_json() == {
        "sku": "TEA-GREEN", "name": "Green tea", "tracking": "lot", "weight_g": 250, "length_mm": 120,
        "width_mm": 80, "height_mm": 60,
        "barcodes": [{"code": "4006381333931", "kind": "gtin13"}, {"code": "TEA-GRN-01", "kind": "code128"}]}

    updated = api.put(PRODUCT, json={"name": "Green tea, loose", "barcodes": [{"code": "036000291452",
                                                                               "kind": "upca"}]})
    assert updated.status_code == 200
    product = api.get(PRODUCT).get_json()
    assert product == updated.get_json()
    assert product["name"] == "Green tea, loose"
    assert product["barcodes"] == [{"code": "036000291452", "kind": "upca"}]
    assert product["weight_g"] == 250  # not sent: kept


def test_a_wrong_check_digit_is_422_and_saves_nothing(api):
    response = api.put(PRODUCT, json={"name": "Green tea", "barcodes": ["4006381333931", "4006381333932"]})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [d["field"] for d in details] == ["barcodes[1]"]
    assert "check digit" in details[0]["message"]
    assert api.get(PRODUCT).status_code == 404


def test_bad_product_fields_are_each_named(api):
    response = api.put(PRODUCT, json={"name": " ", "weight_g": -1, "tracking": "gps",
                                      "barcodes": [{"code": "123", "kind": "qr"}]})
    assert response.status_code == 422
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {
        "name", "weight_g", "tracking", "barcodes[0].kind"}


def test_a_barcode_of_another_product_is_refused(api):
    assert api.put("/api/v1/products/TEA-BLACK", json={"name": "Black tea", "barcodes": ["4006381333931"]}
                   ).status_code == 201
    response = api.put(PRODUCT, json={"name": "Green tea", "barcodes": ["4006381333931"]})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "barcodes[0]"


def test_an_unknown_product_is_404(api):
    response = api.get("/api/v1/products/NOPE")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_put_creates_then_updates_a_location(api):
    created = api.put("/api/v1/locations/A-01-02-3", json={"zone": "A", "pick_sequence": 1020, "kind": "pick"})
    assert created.status_code == 201
    assert created.get_json() == {"code": "A-01-02-3", "zone": "A", "pick_sequence": 1020, "kind": "pick"}
    updated = api.put("/api/v1/locations/A-01-02-3", json={"zone": "B", "pick_sequence": 5, "kind": "bulk"})
    assert updated.status_code == 200
    assert updated.get_json() == {"code": "A-01-02-3", "zone": "B", "pick_sequence": 5, "kind": "bulk"}


def test_bad_location_fields_are_each_named(api):
    response = api.put("/api/v1/locations/A-01", json={"pick_sequence": -3, "kind": "attic"})
    assert response.status_code == 422
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {"zone", "pick_sequence", "kind"}
