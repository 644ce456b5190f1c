"""A tiny released order ready to pick, for route tests (the smallest floor that exercises a flow)."""
from __future__ import annotations

from types import SimpleNamespace

from floorapp.domain import catalog, orders, receiving, users, waves
from floorapp.domain.models import Tote

MUG_GTIN = "5901234123457"
CUP_GTIN = "4006381333931"


def small_floor(session) -> SimpleNamespace:
    catalog.upsert_location(session, "A-01-01-1", {"zone": "A", "pick_sequence": 10})
    catalog.upsert_location(session, "A-01-01-2", {"zone": "A", "pick_sequence": 20})
    catalog.upsert_location(session, "PACK-01", {"zone": "PACK", "pick_sequence": 900, "kind": "pack"})
    catalog.upsert_product(session, "SKU-MUG", {"name": "Blue Mug", "barcodes": [MUG_GTIN]})
    catalog.upsert_product(session, "SKU-CUP", {"name": "Red Cup", "barcodes": [CUP_GTIN]})
    receiving.receive(session, {"lines": [{"sku": "SKU-MUG", "location": "A-01-01-1", "qty": 5},
                                          {"sku": "SKU-CUP", "location": "A-01-01-2", "qty": 5}]})
    order, _ = orders.create_order(session, {
        "external_id": "SO-1", "customer": {"name": "Ada"},
        "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701",
                    "country": "US"},
        "lines": [{"sku": "SKU-MUG", "qty": 2}]})
    session.add_all([Tote(code="T-0001"), Tote(code="T-0002")])
    for badge, role in (("P-0001", "picker"), ("P-0002", "picker"), ("K-0001", "packer"),
                        ("S-0001", "supervisor"), ("A-0001", "admin")):
        users.add_user(session, name=f"{role} {badge}", badge=badge, pin="1234", role=role)
    waves.release(session, [order])
    session.commit()
    return SimpleNamespace(order="SO-1")


def log_in(client, badge: str, pin: str = "1234"):
    return client.post("/login", data={"badge": badge, "pin": pin})
