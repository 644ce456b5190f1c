"""The demo warehouse: big enough to look real, true to the ledger, and ready for two pickers at once.

Seeding takes seconds, so the module seeds once per backend and each test reads (and rolls back).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from sqlalchemy import func, select, text

from floorapp.db import create_all, make_engine, make_sessionmaker
from floorapp.domain import demo, picking, picking_demo, stock
from floorapp.domain.errors import DomainError
from floorapp.domain.models import (
    Barcode, Base, Location, Order, OrderLine, PickTask, PickTaskLine, Product, Stock, StockMove, Tote, User, Wave,
    Zone,
)
from floorapp.domain.states import BarcodeKind, LocationKind, MoveReason, OrderState, Role, Tracking, WaveStrategy
from floorapp.domain.users import authenticate
from scanners import is_valid_gtin

# The clock's date, not a fixed one: allocation skips lots expired by the clock, so a demo seeded for a
# date long past would hold only expired lots.
TODAY = dt.datetime.now(dt.UTC).date()
POSTGRES_URL = os.environ.get("FLOORAPP_TEST_DATABASE_URL", "")


@pytest.fixture(scope="module", params=["sqlite"] + (["postgres"] if POSTGRES_URL else []))
def seeded(request, tmp_path_factory):
    """(sessionmaker, summary, seconds, rows visible to others before commit), seeded once per backend."""
    if request.param == "postgres":
        request.getfixturevalue("_postgres_engine")  # the suite's Postgres schema
        url = POSTGRES_URL
        engine = make_engine(url)
        with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        engine = make_engine(url)
        create_all(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        started = time.perf_counter()
        summary = demo.seed(session, today=TODAY)
        seconds = time.perf_counter() - started
        with engine.connect() as other:
            visible_before_commit = other.scalar(select(func.count()).select_from(Product))
        session.commit()
    yield request.param, sessions, summary, seconds, visible_before_commit
    engine.dispose()


@pytest.fixture
def db(seeded):
    _, sessions, *_ = seeded
    with sessions() as session:
        yield session
        session.rollback()


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_seeding_leaves_the_commit_to_the_caller(seeded):
    _, _, _, _, visible_before_commit = seeded
    assert visible_before_commit == 0  # how long seeding takes is for a benchmark, not a test


def test_zones_and_locations(db):
    assert {z.code for z in db.scalars(select(Zone))} >= {"A", "B", "C", "BULK", "PACK", "RET", "QUA"}
    assert count(db, Location, Location.kind == LocationKind.PICK) >= 200
    assert 35 <= count(db, Location, Location.kind == LocationKind.BULK) <= 45
    kinds = dict(db.execute(select(Location.code, Location.kind).where(
        Location.kind.notin_((LocationKind.PICK, LocationKind.BULK)))).all())
    assert kinds == {"PACK-01": LocationKind.PACK, "PACK-02": LocationKind.PACK, "PACK-03": LocationKind.PACK,
                     "PACK-04": LocationKind.PACK, "SHIP-01": LocationKind.SHIP, "SHIP-02": LocationKind.SHIP,
                     "RET-01": LocationKind.RETURNS, "QUA-01": LocationKind.QUARANTINE,
                     "DOCK-01": LocationKind.RECEIVING}
    pattern = re.compile(r"^[ABC]-\d{2}-\d{2}-\d$")
    assert all(pattern.match(code) for code in db.scalars(
        select(Location.code).where(Location.kind == LocationKind.PICK)))
    assert db.scalar(select(Location.zone_id).where(Location.code == "BULK-01-01")) == \
        db.scalar(select(Zone.id).where(Zone.code == "BULK"))


def test_pick_sequence_walks_the_aisles_in_a_serpentine(db):
    walk = db.scalars(select(Location.code).where(Location.kind == LocationKind.PICK, Location.code.like("A-%"))
                      .order_by(Location.pick_sequence)).all()
    bays_by_aisle: dict[str, list[int]] = {}
    for code in walk:
        _, aisle, bay, _ = code.split("-")
        bays = bays_by_aisle.setdefault(aisle, [])
        if not bays or bays[-1] != int(bay):
            bays.append(int(bay))
    aisles = sorted(bays_by_aisle)
    assert len(aisles) >= 2
    assert [a for a in dict.fromkeys(code.split("-")[1] for code in walk)] == aisles  # aisle after aisle
    for i, aisle in enumerate(aisles):
        bays = bays_by_aisle[aisle]
        assert bays == sorted(bays, reverse=bool(i % 2)), f"aisle {aisle} walked {bays}"
    sequences = db.scalars(select(Location.pick_sequence)).all()
    assert len(set(sequences)) == len(sequences)


def test_products_have_names_sizes_and_valid_barcodes(db):
    assert count(db, Product) >= 500
    skus = db.scalars(select(Product.sku)).all()
    assert all(re.fullmatch(r"SKU-\d{5}", sku) for sku in skus)
    names = db.scalars(select(Product.name)).all()
    assert len(set(names)) == len(names)
    assert count(db, Product, (Product.weight_g <= 0) | (Product.length_mm <= 0)
                 | (Product.width_mm <= 0) | (Product.height_mm <= 0)) == 0

    for product in db.scalars(select(Product)):
        kinds = {b.kind for b in product.barcodes}
        assert kinds & {BarcodeKind.GTIN13, BarcodeKind.UPCA}, product.sku
        assert f"FA{product.sku[4:]}" in {b.code for b in product.barcodes if b.kind == BarcodeKind.CODE128}
    numeric = db.scalars(select(Barcode).where(Barcode.kind.in_((BarcodeKind.GTIN13, BarcodeKind.UPCA)))).all()
    assert all(is_valid_gtin(b.code) and len(b.code) == (13 if b.kind == BarcodeKind.GTIN13 else 12)
               for b in numeric)
    both = db.scalar(select(func.count()).select_from(
        select(Barcode.product_id).where(Barcode.kind.in_((BarcodeKind.GTIN13, BarcodeKind.UPCA)))
        .group_by(Barcode.product_id).having(func.count() == 2).subquery()))
    assert both > 0
    assert count(db, Barcode, Barcode.kind == BarcodeKind.UPCA) > 0


def test_stock_is_all_receipts_with_shared_faces_lots_and_gaps(db):
    assert stock.ledger_mismatches(db) == []
    # receipts, and the one order floor_demo ships (picked, then shipped) so returns have something to take back
    assert set(db.scalars(select(StockMove.reason).distinct())) == {MoveReason.RECEIPT, MoveReason.PICK,
                                                                    MoveReason.SHIP}
    faces = db.execute(select(Stock.location_id, func.count()).join(Stock.location)
                       .where(Location.kind == LocationKind.PICK).group_by(Stock.location_id)).all()
    assert any(n == 2 for _, n in faces), "some pick faces hold two products"
    face_qty = db.scalars(select(Stock.on_hand).join(Stock.location).where(Location.kind == LocationKind.PICK)).all()
    assert sum(5 <= q <= 60 for q in face_qty) > 400
    assert count(db, Stock, Stock.location_id.in_(select(Location.id).where(Location.kind == LocationKind.BULK))) > 100
    lotted = db.scalars(select(Product).where(Product.tracking == Tracking.LOT)).all()
    assert 3 <= len(lotted) <= 20
    lot_rows = db.scalars(select(Stock).where(Stock.product_id.in_([p.id for p in lotted]))).all()
    expired = [r for r in lot_rows if r.lot.startswith(picking_demo.EXPIRED_LOT_PREFIX)]
    assert len(expired) == 1 and expired[0].expiry < TODAY  # picking's training order: an expired lot in the bin
    assert lot_rows and all(r.lot and r.expiry and r.expiry > TODAY for r in lot_rows if r not in expired)
    unstocked = count(db, Product, Product.id.notin_(select(Stock.product_id)))
    assert unstocked >= 5


def test_totes_and_users(db):
    assert db.scalars(select(Tote.code).order_by(Tote.code)).all() == [f"T-{i:04d}" for i in range(1, 201)]
    users = {u.badge: (u.name, u.role) for u in db.scalars(select(User))}
    assert users == {"P-0001": ("Pat Picker", Role.PICKER), "P-0002": ("Robin Reyes", Role.PICKER),
                     "K-0001": ("Kim Packer", Role.PACKER), "S-0001": ("Sam Supervisor", Role.SUPERVISOR),
                     "A-0001": ("Alex Admin", Role.ADMIN)}
    for badge in users:
        assert authenticate(db, badge, "1234") is not None


def test_orders(db):
    external = db.scalars(select(Order.external_id).order_by(Order.id)).all()
    assert external == [f"SO-{n}" for n in range(1001, 1051)] + [picking_demo.LOT_ORDER, picking_demo.SHORT_ORDER]
    line_counts = db.execute(select(OrderLine.order_id, func.count()).group_by(OrderLine.order_id)).all()
    assert all(1 <= n <= 8 for _, n in line_counts)
    assert len({n for _, n in line_counts}) >= 4  # mixed sizes
    orders = db.scalars(select(Order)).all()
    assert {o.ship_to["country"] for o in orders} == {"US", "DE", "GB", "NL"}
    assert all(o.ship_to[f] for o in orders for f in ("name", "line1", "city", "postal_code", "country"))
    assert 0 < sum(o.priority == "rush" for o in orders) < 25
    assert all(abs((o.ship_by - TODAY).days) <= 7 for o in orders)
    asked = [o.carrier for o in sorted(orders, key=lambda o: o.external_id) if o.external_id.startswith("SO-1")]
    assert asked[:5] == ["DHL", "UPS", "Local courier", "", "UPS"]  # SO-1001.. : by the order's number
    assert set(asked) == {"UPS", "DHL", "Local courier", ""}
    short = db.scalars(select(Order).where(Order.id.in_(
        select(OrderLine.order_id).where(OrderLine.backordered > 0)))).all()
    assert len(short) >= 3
    assert all(o.status in (OrderState.PARTIALLY_ALLOCATED, OrderState.BACKORDERED) for o in short)
    assert any(o.status == OrderState.BACKORDERED for o in short)


def test_a_dozen_orders_are_released(seeded, db):
    _, _, summary, *_ = seeded
    released = count(db, Order, Order.status == OrderState.RELEASED)
    assert 10 <= released <= 16
    waves = db.execute(select(Wave.strategy, func.count()).group_by(Wave.strategy)).all()
    assert dict(waves) == {WaveStrategy.PIECE: 2, WaveStrategy.BATCH: 1, WaveStrategy.ZONE: 1}
    with_lines = select(OrderLine.order_id).join(PickTaskLine, PickTaskLine.order_line_id == OrderLine.id)
    assert count(db, Order, Order.status == OrderState.RELEASED, Order.id.notin_(with_lines)) == 0
    assert count(db, PickTask) >= 8  # 6 + 2 piece, 1 cart of 3, one task per zone of the zone wave
    assert (summary.orders, summary.released_orders, summary.products) == (50 + 2, released, count(db, Product))
    assert summary.first_task_order == "SO-1001"
    assert [u.badge for u in summary.users] == ["P-0001", "P-0002", "K-0001", "S-0001", "A-0001"]
    assert "P-0001" in summary.describe()


def test_both_pickers_get_work_at_once_and_the_first_task_is_small(db):
    pat = db.scalar(select(User).where(User.badge == "P-0001"))
    robin = db.scalar(select(User).where(User.badge == "P-0002"))

    first = picking.take_next_task(db, pat)
    second = picking.take_next_task(db, robin)

    assert first.id != second.id
    assert first.order.external_id == "SO-1001"
    assert first.order.status == OrderState.RELEASED
    assert 1 <= len(first.order.lines) <= 2
    assert all(line.qty <= 2 and line.allocated == line.qty for line in first.order.lines)
    assert len(first.lines) == len(first.order.lines)  # one visit per line
    assert all(line.lot == "" and line.product.tracking == Tracking.NONE for line in first.lines)
    assert all(line.location.kind == LocationKind.PICK for line in first.lines)
    assert picking.prompt(first).startswith(f"Go to {first.lines[0].location.code}")


def test_seeding_again_is_refused(db):
    with pytest.raises(DomainError, match="already holds data"):
        demo.seed(db, today=TODAY)


def test_the_same_seed_gives_the_same_warehouse(seeded, db, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    create_all(engine)
    with make_sessionmaker(engine)() as again:
        demo.seed(again, today=TODAY)
        assert _fingerprint(again) == _fingerprint(db)
    engine.dispose()


def _fingerprint(session) -> tuple:
    products = session.execute(select(Product.sku, Product.name, Product.weight_g).order_by(Product.sku)).all()
    barcodes = session.execute(select(Barcode.code, Barcode.kind).order_by(Barcode.code)).all()
    lines = session.execute(select(Order.external_id, Order.customer_name, Order.carrier, Order.status, OrderLine.qty,
                                   OrderLine.allocated, Product.sku)
                            .join(OrderLine.order).join(OrderLine.product)
                            .order_by(Order.external_id, OrderLine.line_no)).all()
    placed = session.execute(select(Product.sku, Location.code, Stock.lot, Stock.on_hand, Stock.reserved)
                             .join(Stock.product).join(Stock.location)
                             .order_by(Product.sku, Location.code, Stock.lot)).all()
    return tuple(map(tuple, products)), tuple(map(tuple, barcodes)), tuple(map(tuple, lines)), tuple(map(tuple, placed))
