"""Counts on a schedule, ABC by movement (`floorapp counts schedule`).

The rule: over the last 90 days, rank products by units picked. The fast movers that together make up
80% of the units picked are class A, the next 15% class B, the rest (and products not picked at all) C.
A storage location is due for a count when it holds stock of a product and has had no finished count for
that product's class interval: A every 30 days, B every 90, C every 180 (a location holding several
products follows the most demanding one). Due locations get a count (source `schedule`), A first, then
the longest uncounted, at most `limit` per run; an open count for a location is never asked for twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .counting import request_count
from .models import CycleCount, Location, ProductPlanning, Stock, StockMove, utcnow
from .states import CountSource, CountState, LocationKind, MoveReason

WINDOW_DAYS = 90
A_SHARE, B_SHARE = 0.80, 0.95
INTERVAL_DAYS = {"A": 30, "B": 90, "C": 180}
STORAGE = (LocationKind.PICK, LocationKind.BULK)


@dataclass(frozen=True)
class Scheduled:
    classes: dict[int, str]     # product id -> A/B/C
    created: list[CycleCount]


def classify(session: Session, now: dt.datetime) -> dict[int, str]:
    """A/B/C per product that has stock, by units picked in the window; kept in product_planning."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    picked = dict(session.execute(select(StockMove.product_id, func.sum(StockMove.qty))
                                  .where(StockMove.reason == MoveReason.PICK, StockMove.created_at >= since)
                                  .group_by(StockMove.product_id)).all())
    stocked = set(session.scalars(select(Stock.product_id).where(Stock.on_hand > 0).distinct()))
    total = sum(picked.values()) or 1
    classes, running = {}, 0
    for product_id, units in sorted(picked.items(), key=lambda kv: (-kv[1], kv[0])):
        share_before = running / total
        running += units
        classes[product_id] = "A" if share_before < A_SHARE else "B" if share_before < B_SHARE else "C"
    for product_id in stocked - set(classes):
        classes[product_id] = "C"
    plans = {p.product_id: p for p in session.scalars(select(ProductPlanning))}
    for product_id, abc in classes.items():
        plan = plans.get(product_id)
        if plan is None:
            session.add(ProductPlanning(product_id=product_id, abc_class=abc))
        else:
            plan.abc_class = abc
    session.flush()
    return classes


def schedule(session: Session, *, now: dt.datetime | None = None, limit: int = 50) -> Scheduled:
    now = now or utcnow()
    classes = classify(session, now)
    last_done = dict(session.execute(select(CycleCount.location_id, func.max(CycleCount.finished_at))
                                     .where(CycleCount.state == CountState.DONE)
                                     .group_by(CycleCount.location_id)).all())
    rank = {"A": 0, "B": 1, "C": 2}
    due: list[tuple[int, dt.datetime, Location]] = []
    best: dict[int, str] = {}
    locations: dict[int, Location] = {}
    for stock in session.scalars(select(Stock).join(Stock.location)
                                 .where(Stock.on_hand > 0, Location.kind.in_(STORAGE))):
        abc = classes.get(stock.product_id, "C")
        if stock.location_id not in best or rank[abc] < rank[best[stock.location_id]]:
            best[stock.location_id] = abc
        locations[stock.location_id] = stock.location
    for location_id, abc in best.items():
        last = last_done.get(location_id)
        if last is None or last < now - dt.timedelta(days=INTERVAL_DAYS[abc]):
            due.append((rank[abc], last or dt.datetime.min, locations[location_id]))
    due.sort(key=lambda row: (row[0], row[1], row[2].pick_sequence))
    created = [request_count(session, location, CountSource.SCHEDULE,
                             f"class {best[location.id]} (every {INTERVAL_DAYS[best[location.id]]} days)")
               for _, _, location in due[:limit]]
    return Scheduled(classes, created)
