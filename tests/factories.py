"""Factory helpers for tests (domain, API, browser): a tiny warehouse, order payloads, and helpers that
walk an order through release, pick and pack with real scans.

Everything goes through the domain services, so the stock ledger stays true. Import as
`from tests.factories import warehouse, order_payload`.

The tiny warehouse (`warehouse(session)`), pick sequence in brackets:

    zone A  A-01-01-1 [10]  MUG-350   Blue Enamel Mug 350ml       10 units (+24 in BULK-01-01)
            A-01-02-1 [20]  GLOVE-L   Nitrile Gloves L (100)       5 units
            A-02-01-1 [30]  VITC-60   Vitamin C Tablets (60)       6 units lot L-LATE  (expires in 200 days)
            A-02-02-1 [40]  (empty)
    zone B  B-01-01-1 [50]  VITC-60                                4 units lot L-SOON  (expires in 30 days)
            BULK-01-01 [60] bulk: MUG-350 24 units, UMB-RED 12 units
    zone PACK  PACK-01 [100] pack station (picked goods land here)
    no stock at all: THERMO-1L Stainless Steel Thermos 1L

    totes T-0001 .. T-0010; users (PIN 1234 for all): P-0001 Pat Picker, P-0002 Robin Reyes (pickers),
    K-0001 Kim Packer, S-0001 Sam Supervisor, A-0001 Alex Admin - the same badges as the demo.
"""
from __future__ import annotations

import copy
import datetime as dt
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from floorapp.domain import catalog, orders, packing, picking, receiving, waves
from floorapp.domain.models import Carton, Order, PickTask, Product, Tote, User, Wave
from floorapp.domain.scans import Outcome
from floorapp.domain.states import BarcodeKind, PickStep, Role, TaskState, WaveStrategy
from floorapp.domain.users import hash_pin
from scanners import gtin_check_digit

PIN = "1234"
USERS = {  # namespace attribute: (badge, name, role)
    "picker": ("P-0001", "Pat Picker", Role.PICKER),
    "picker2": ("P-0002", "Robin Reyes", Role.PICKER),
    "packer": ("K-0001", "Kim Packer", Role.PACKER),
    "supervisor": ("S-0001", "Sam Supervisor", Role.SUPERVISOR),
    "admin": ("A-0001", "Alex Admin", Role.ADMIN),
}
LOCATIONS = (  # code, zone, pick sequence, kind
    ("A-01-01-1", "A", 10, "pick"), ("A-01-02-1", "A", 20, "pick"), ("A-02-01-1", "A", 30, "pick"),
    ("A-02-02-1", "A", 40, "pick"), ("B-01-01-1", "B", 50, "pick"), ("BULK-01-01", "B", 60, "bulk"),
    ("PACK-01", "PACK", 100, "pack"),
)


def gtin(prefix: str, item: int, length: int = 13) -> str:
    """A GTIN with a valid check digit: gtin("4006381", 90001) -> '4006381900010'."""
    body = f"{prefix}{item:0{length - 1 - len(prefix)}d}"
    return body + str(gtin_check_digit(body))


PRODUCTS = {  # sku: (name, tracking, barcodes as (code, kind))
    "MUG-350": ("Blue Enamel Mug 350ml", "none",
                [(gtin("4006381", 90001), "gtin13"), ("FA-MUG-350", "code128")]),
    "GLOVE-L": ("Nitrile Gloves L (100)", "none", [(gtin("061414", 90002, 12), "upca")]),
    "VITC-60": ("Vitamin C Tablets (60)", "lot",
                [(gtin("4006381", 90003), "gtin13"), (gtin("061414", 90003, 12), "upca")]),
    "UMB-RED": ("Red Compact Umbrella", "none", [(gtin("4006381", 90004), "gtin13")]),
    "THERMO-1L": ("Stainless Steel Thermos 1L", "none", [(gtin("4006381", 90005), "gtin13")]),
}


@lru_cache(maxsize=1)
def _pin_hash() -> str:
    # scrypt costs ~50 ms; tests share one hash of PIN 1234 (each hash carries its own salt, so it checks).
    return hash_pin(PIN)


def warehouse(session: Session, *, commit: bool = True, today: dt.date | None = None) -> SimpleNamespace:
    """Create the tiny warehouse above in an empty database and return a namespace with:

    zones {code: Zone}, locations {code: Location}, products {sku: Product},
    barcode {sku: the product's first barcode code}, totes [Tote], pin "1234",
    picker, picker2, packer, supervisor, admin (User), users {attribute: User}, today.
    Commits unless commit=False (the route/API under test reads with its own session).
    """
    today = today or dt.date.today()
    locations = {code: catalog.upsert_location(session, code, {"zone": zone, "pick_sequence": seq, "kind": kind})[0]
                 for code, zone, seq, kind in LOCATIONS}
    products = {}
    for sku, (name, tracking, codes) in PRODUCTS.items():
        products[sku], _ = catalog.upsert_product(session, sku, {
            "name": name, "tracking": tracking, "weight_g": 300, "length_mm": 120, "width_mm": 90, "height_mm": 95,
            "barcodes": [{"code": code, "kind": kind} for code, kind in codes]})
    users = {attr: User(name=name, badge=badge, pin_hash=_pin_hash(), role=role)
             for attr, (badge, name, role) in USERS.items()}
    session.add_all(users.values())
    totes = [Tote(code=f"T-{i:04d}") for i in range(1, 11)]
    session.add_all(totes)
    session.flush()
    receiving.receive(session, {"lines": [
        {"sku": "MUG-350", "location": "A-01-01-1", "qty": 10},
        {"sku": "MUG-350", "location": "BULK-01-01", "qty": 24},
        {"sku": "GLOVE-L", "location": "A-01-02-1", "qty": 5},
        {"sku": "VITC-60", "location": "A-02-01-1", "qty": 6, "lot": "L-LATE",
         "expiry": (today + dt.timedelta(days=200)).isoformat()},
        {"sku": "VITC-60", "location": "B-01-01-1", "qty": 4, "lot": "L-SOON",
         "expiry": (today + dt.timedelta(days=30)).isoformat()},
        {"sku": "UMB-RED", "location": "BULK-01-01", "qty": 12},
    ]}, user_id=users["supervisor"].id, reference="factories.warehouse")
    if commit:
        session.commit()
    zones = {loc.zone.code: loc.zone for loc in locations.values()}
    return SimpleNamespace(zones=zones, locations=locations, products=products,
                           barcode={sku: p.barcodes[0].code for sku, p in products.items()},
                           totes=totes, pin=PIN, users=users, today=today, **users)


def order_payload(external_id: str = "SO-T-1", lines: list[tuple[str, int]] | None = None,
                  **overrides: Any) -> dict[str, Any]:
    """A valid order payload for orders.create_order / POST /api/orders.

    lines: [(sku, qty)], default [("MUG-350", 1)]. Overrides replace top-level keys
    (priority="rush", ship_by="2030-01-31", ship_to={...}); a value of None removes the key.
    A double underscore reaches one level down: ship_to__city=None removes the city,
    customer__email="not-an-email" replaces the email.
    """
    payload: dict[str, Any] = {
        "external_id": external_id,
        "customer": {"name": "Erika Mustermann", "email": "erika.mustermann@example.com"},
        "ship_to": {"name": "Erika Mustermann", "line1": "Heidestraße 17", "line2": "", "city": "Köln",
                    "region": "", "postal_code": "51147", "country": "DE"},
        "priority": "normal",
        "lines": [{"sku": sku, "qty": qty} for sku, qty in (lines if lines is not None else [("MUG-350", 1)])],
    }
    for key, value in overrides.items():
        outer, _, inner = key.partition("__")
        target, name = (payload.setdefault(outer, {}), inner) if inner else (payload, outer)
        if value is None:
            target.pop(name, None)
        else:
            target[name] = copy.deepcopy(value)
    return payload


def place_order(session: Session, external_id: str = "SO-T-1", lines: list[tuple[str, int]] | None = None,
                **overrides: Any) -> Order:
    """Create (and allocate) an order through orders.create_order; no commit."""
    order, _ = orders.create_order(session, order_payload(external_id, lines, **overrides))
    return order


def release(session: Session, *orders_: Order, user: User | None = None) -> Wave:
    """Release the orders in one piece-picking wave; no commit."""
    return waves.release(session, list(orders_), strategy=WaveStrategy.PIECE, user_id=user.id if user else None)


def barcode_of(product: Product) -> str:
    """A product's GTIN-13 / UPC-A if it has one, else its first barcode."""
    codes = [b for b in product.barcodes if b.kind != BarcodeKind.CODE128] or product.barcodes
    return codes[0].code


def take_task(session: Session, user: User, order: Order | None = None) -> PickTask:
    """picking.take_next_task, checking (when `order` is given) that it hands out that order's task."""
    task = picking.take_next_task(session, user)
    if order is not None and task.order_id != order.id:
        raise AssertionError(f"next task is for {task.order.external_id}, not {order.external_id}")
    return task


def pick_task(session: Session, task: PickTask, user: User, tote: str = "T-0001") -> list[Outcome]:
    """Walk a taken task to the end with real scans: location, product (scanned, then the rest typed), tote.

    Returns every outcome; raises AssertionError on the first refused scan.
    """
    outcomes = []

    def scan(raw: str) -> None:
        outcome = picking.scan(session, task, user, raw)
        outcomes.append(outcome)
        if not outcome.ok:
            raise AssertionError(f"scan {raw!r} refused at {task.step.value}: {outcome.message}")

    free = iter(f"T-{n:04d}" for n in range(9, 0, -1))  # batch carts take empty totes from the top
    while task.step != PickStep.DONE:
        if task.step == PickStep.CART:
            scan(next(free))
            continue
        line = task.current_line
        if task.step == PickStep.LOCATION:
            scan(line.location.code)
        scan(barcode_of(line.product))
        if task.step == PickStep.LOT:
            scan(line.lot)
        if task.step == PickStep.QTY:
            scan(str(line.qty))
        scan(picking.target_tote(task) if picking.uses_cart(task) else tote)
    return outcomes


def pick_order(session: Session, order: Order, user: User, tote: str = "T-0001") -> PickTask:
    """Release the order if needed, take its task and pick it into `tote`; no commit."""
    if order.status in waves.RELEASABLE:
        release(session, order)
    task = take_task(session, user, order)
    pick_task(session, task, user, tote)
    assert task.state == TaskState.DONE
    return task


def pack_order(session: Session, order: Order, user: User, *, close: bool = True) -> Carton:
    """Start packing by order number, verify every picked item by scan, and close the carton; no commit."""
    carton, outcome = packing.start(session, user, order.external_id)
    if carton is None:
        raise AssertionError(outcome.message)
    for progress in packing.progress(carton):
        for _ in range(progress.missing):
            result = packing.verify(session, carton, user, barcode_of(progress.line.product))
            if not result.ok:
                raise AssertionError(result.message)
    if close:
        packing.close(session, carton, user)
    return carton


def tote(session: Session, code: str) -> Tote:
    return session.scalar(select(Tote).where(Tote.code == code))
