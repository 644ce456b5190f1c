"""The catalogue: products (with barcodes) by SKU, locations by code. PUT creates or updates."""
from __future__ import annotations

from flask import url_for

from ...domain import catalog as domain_catalog
from ..common import commit
from ..security import api, db
from . import bp
from .inputs import json_object
from .serializers import location_json, product_json


@bp.put("/products/<path:sku>")
@api
def put_product(sku: str):
    product, created = domain_catalog.upsert_product(db(), sku, json_object())
    commit()
    headers = {"Location": url_for("api.get_product", sku=product.sku)}
    return product_json(product), 201 if created else 200, headers


@bp.get("/products/<path:sku>")
@api
def get_product(sku: str):
    return product_json(domain_catalog.get_product(db(), sku))


@bp.put("/locations/<path:code>")
@api
def put_location(code: str):
    location, created = domain_catalog.upsert_location(db(), code, json_object())
    commit()
    return location_json(location), 201 if created else 200
