"""The figures the floor lives by, computed from the records alone, so anyone can recompute them.

- lines picked: one PICK stock move is one confirmed pick line (units = its qty), by its user and the zone
  of the bin it left; per hour = lines / the hours of the window that have passed;
- pick accuracy: 1 - refused pick scans / pick scans (scans whose context starts with "pick");
  a person's accuracy counts all their scans;
- an order's ship time: its last SHIP move (reference `orders.ship_reference`); for the orders shipped
  in the window: fill rate = lines shipped complete (shipped >= ordered) / lines ordered,
  cycle time = ship time - received (order created), median and p90 (nearest rank),
  on time = shipped on or before its ship-by date;
- open backorders: order lines of open orders still waiting for stock (now, not windowed).

All times are naive UTC, like the records. `figures()` is what the board shows and the API returns.
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .models import Location, Order, OrderLine, Scan, StockMove, User, Zone, utcnow
from .states import OPEN_ORDER_STATES, MoveReason, ScanResult

SHIFT_STARTS = (6, 14, 22)  # UTC hours at which a shift begins; a shift lasts until the next one
SHIP_PREFIX = "order:"  # what orders.ship_reference puts before the external id


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    def hours(self, now: dt.datetime) -> float:
        """Hours of the window that have passed (at least a minute, so rates stay finite)."""
        passed = (min(self.end, now) - self.start).total_seconds() / 3600
        return max(passed, 1 / 60)


def shift_window(now: dt.datetime | None = None) -> Window:
    """The shift `now` falls in (06-14, 14-22, 22-06 UTC)."""
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [midnight + dt.timedelta(hours=h) for h in (SHIFT_STARTS[-1] - 24, *SHIFT_STARTS, SHIFT_STARTS[0] + 24)]
    begin = max(s for s in starts if s <= now)
    return Window(begin, min(s for s in starts if s > begin))


def today_window(now: dt.datetime | None = None) -> Window:
    now = now or utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Window(midnight, midnight + dt.timedelta(days=1))


def last_hour(now: dt.datetime | None = None) -> Window:
    now = now or utcnow()
    return Window(now - dt.timedelta(hours=1), now)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest rank: the smallest value with at least pct % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def pick_moves(session: Session, window: Window) -> list[tuple[int | None, str, int, dt.datetime]]:
    """(user id, zone code, qty, when) of every pick line confirmed in the window."""
    source = aliased(Location)
    return [tuple(row) for row in session.execute(
        select(StockMove.user_id, Zone.code, StockMove.qty, StockMove.created_at)
        .join(source, source.id == StockMove.from_location_id).join(Zone, Zone.id == source.zone_id)
        .where(StockMove.reason == MoveReason.PICK, StockMove.created_at >= window.start,
               StockMove.created_at < window.end))]


def scan_counts(session: Session, window: Window) -> dict[tuple[int | None, bool, ScanResult], int]:
    """Scans in the window per (user, is a pick scan, result)."""
    is_pick = Scan.context.like("pick%")
    rows = session.execute(select(Scan.user_id, is_pick, Scan.result, func.count())
                           .where(Scan.created_at >= window.start, Scan.created_at < window.end)
                           .group_by(Scan.user_id, is_pick, Scan.result))
    return {(user_id, bool(pick), result): n for user_id, pick, result, n in rows}


def ship_times(session: Session, window: Window) -> dict[str, dt.datetime]:
    """Order external id -> its ship time, for orders whose last ship move lies in the window."""
    last = func.max(StockMove.created_at)
    rows = session.execute(select(StockMove.reference, last).where(
        StockMove.reason == MoveReason.SHIP, StockMove.reference.like(SHIP_PREFIX + "%"))
        .group_by(StockMove.reference).having(last >= window.start, last < window.end))
    return {reference[len(SHIP_PREFIX):]: when for reference, when in rows}


def _shipped_orders(session: Session, window: Window) -> dict:
    times = ship_times(session, window)
    orders = session.scalars(select(Order).where(Order.external_id.in_(times))).all() if times else []
    lines = session.execute(select(OrderLine.qty, OrderLine.shipped)
                            .where(OrderLine.order_id.in_([o.id for o in orders]))).all() if orders else []
    complete = sum(1 for qty, shipped in lines if shipped >= qty)
    cycle = [(times[o.external_id] - o.created_at).total_seconds() / 60 for o in orders]
    with_date = [o for o in orders if o.ship_by is not None]
    on_time = sum(1 for o in with_date if times[o.external_id].date() <= o.ship_by)
    median = statistics.median(cycle) if cycle else None
    return {
        "orders_shipped": len(orders), "lines_ordered": len(lines), "lines_shipped_complete": complete,
        "fill_rate": _rate(complete, len(lines)),
        "cycle_time_minutes": {"median": round(median, 1) if median is not None else None,
                               "p90": round(percentile(cycle, 90), 1) if cycle else None},
        "on_time": {"shipped_with_ship_by": len(with_date), "on_time": on_time,
                    "rate": _rate(on_time, len(with_date))},
    }


def open_backorders(session: Session) -> dict:
    row = session.execute(select(func.count(), func.coalesce(func.sum(OrderLine.backordered), 0))
                          .join(OrderLine.order)
                          .where(OrderLine.backordered > 0, Order.status.in_(OPEN_ORDER_STATES))).one()
    return {"lines": row[0], "units": int(row[1])}


def throughput(moves: list, window: Window, now: dt.datetime) -> list[dict]:
    """Lines and units picked per hour of the window, up to now."""
    buckets: dict[dt.datetime, list[int]] = {}
    hour = window.start.replace(minute=0, second=0, microsecond=0)
    while hour < min(window.end, now):
        buckets[hour] = [0, 0]
        hour += dt.timedelta(hours=1)
    for _, _, qty, when in moves:
        bucket = buckets.setdefault(when.replace(minute=0, second=0, microsecond=0), [0, 0])
        bucket[0] += 1
        bucket[1] += qty
    return [{"hour": h.isoformat(), "lines": v[0], "units": v[1]} for h, v in sorted(buckets.items())]


def figures(session: Session, window: Window, now: dt.datetime | None = None) -> dict:
    """Every figure for one time window, as plain JSON-ready data (the board and the API show this)."""
    now = now or utcnow()
    hours = window.hours(now)
    window_so_far = Window(window.start, max(window.start, min(window.end, now)))
    moves = pick_moves(session, window_so_far)
    scans = scan_counts(session, window_so_far)
    per_zone: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_user: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for user_id, zone, qty, _ in moves:
        per_zone[zone][0] += 1
        per_zone[zone][1] += qty
        per_user[user_id][0] += 1
        per_user[user_id][1] += qty
    pick_scans = sum(n for (_, pick, _), n in scans.items() if pick)
    pick_refused = sum(n for (_, pick, result), n in scans.items() if pick and result == ScanResult.REFUSED)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([k for k in per_user if k])))}
    return {
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "hours": round(hours, 3)},
        "lines_picked": len(moves), "units_picked": sum(m[2] for m in moves),
        "lines_per_hour": round(len(moves) / hours, 1),
        "zones": [{"zone": z, "lines": v[0], "units": v[1], "lines_per_hour": round(v[0] / hours, 1)}
                  for z, v in sorted(per_zone.items())],
        "pickers": [{"badge": users[u].badge if u in users else "", "name": users[u].name if u in users else "?",
                     "lines": v[0], "units": v[1], "lines_per_hour": round(v[0] / hours, 1)}
                    for u, v in sorted(per_user.items(), key=lambda kv: -kv[1][0])],
        "pick_scans": pick_scans, "pick_scans_refused": pick_refused,
        "pick_accuracy": round(1 - pick_refused / pick_scans, 4) if pick_scans else None,
        **_shipped_orders(session, window_so_far),
        "open_backorders": open_backorders(session),
        "throughput": throughput(moves, window, now),
    }
