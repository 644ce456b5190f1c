"""Orders: validate as a whole, save idempotently, allocate (partially, with backorders)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from sqlalchemy import ColumnElement, case, or_, select
from sqlalchemy.orm import Session, selectinload

from . import events, messages
from .errors import Conflict, ValidationFailed
from .models import Allocation, Carton, CartonLine, Location, Order, OrderLine, Product, Stock
from .picking_checks import today
from .states import LocationKind, OrderState, check_order_transition

ADDRESS_REQUIRED = ("name", "line1", "city", "postal_code", "country")
ADDRESS_OPTIONAL = ("line2", "region")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ALLOCATABLE_KINDS = (LocationKind.PICK, LocationKind.BULK)
CARRIER_LIMIT = 40


def set_state(session: Session, order: Order, new: OrderState) -> None:
    if order.status == new:
        return
    check_order_transition(order.status, new)
    old, order.status = order.status, new
    events.record(session, "order.state", {"order": order.external_id, "from": old.value, "to": new.value})


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def validate(session: Session, payload: Any, known: dict[str, Product] | None = None
             ) -> tuple[dict[str, Any], dict[str, Product]]:
    """The payload normalised, and its products by SKU; ValidationFailed names every bad field/line.

    `known`: products already loaded by SKU (a file import loads them once for all its orders)."""
    if not isinstance(payload, dict):
        raise ValidationFailed("The order must be a JSON object.", [{"field": "", "message": "expected an object"}])
    details: list[dict] = []
    bad = lambda field, msg: details.append({"field": field, "message": msg})  # noqa: E731
    external_id = _text(payload.get("external_id"))
    if external_id is None or len(external_id) > 80:
        bad("external_id", "external_id is required (at most 80 characters).")
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    if not _text(customer.get("name")):
        bad("customer.name", messages.FIELD_MISSING.format(field="customer.name"))
    elif len(_text(customer.get("name"))) > 200:
        bad("customer.name", messages.TOO_LONG.format(field="customer.name", limit=200))
    email = _text(customer.get("email")) or ""
    if email and (not _EMAIL.match(email) or len(email) > 200):
        bad("customer.email", "customer.email is not an email address.")
    ship_to_in = payload.get("ship_to") if isinstance(payload.get("ship_to"), dict) else {}
    ship_to: dict[str, str] = {}
    for field in ADDRESS_REQUIRED:
        value = _text(ship_to_in.get(field))
        if value is None:
            bad(f"ship_to.{field}", messages.FIELD_MISSING.format(field=f"ship_to.{field}"))
        elif len(value) > 200:
            bad(f"ship_to.{field}", messages.TOO_LONG.format(field=f"ship_to.{field}", limit=200))
        else:
            ship_to[field] = value
    for field in ADDRESS_OPTIONAL:
        ship_to[field] = _text(ship_to_in.get(field)) or ""
    if "country" in ship_to and not re.fullmatch(r"[A-Za-z]{2}", ship_to["country"]):
        bad("ship_to.country", "ship_to.country is a two-letter country code, like US or DE.")
    priority = payload.get("priority", "normal")
    if priority not in ("normal", "rush"):
        bad("priority", "priority is normal or rush.")
    carrier = payload.get("carrier")
    if carrier is not None and (not isinstance(carrier, str) or any(c < " " or c == "\x7f" for c in carrier)):
        bad("carrier", messages.CARRIER_NOT_TEXT)
    elif carrier and len(carrier) > CARRIER_LIMIT:
        bad("carrier", messages.TOO_LONG.format(field="carrier", limit=CARRIER_LIMIT))
    ship_by = None
    if payload.get("ship_by") is not None:
        try:
            ship_by = dt.date.fromisoformat(str(payload["ship_by"]))
        except ValueError:
            bad("ship_by", "ship_by is a date like 2026-12-24.")
    lines_in = payload.get("lines")
    lines: list[dict[str, Any]] = []
    products: dict[str, Product] = {}
    if not isinstance(lines_in, list) or not lines_in:
        bad("lines", "An order needs at least one line.")
        lines_in = []
    skus = {line.get("sku") for line in lines_in if isinstance(line, dict) and isinstance(line.get("sku"), str)}
    if skus and known is not None:
        products = {sku: known[sku] for sku in skus if sku in known}
    elif skus:
        products = {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(skus)))}
    for i, line in enumerate(lines_in):
        where = f"lines[{i}]"
        if not isinstance(line, dict):
            bad(where, "A line is an object with sku and qty.")
            continue
        sku, qty = line.get("sku"), line.get("qty")
        if not isinstance(sku, str) or sku not in products:
            bad(f"{where}.sku", messages.UNKNOWN_SKU.format(sku=sku))
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= messages.MAX_QTY:
            bad(f"{where}.qty", messages.QTY_NOT_POSITIVE)
        lines.append({"sku": sku, "qty": qty})
    if details:
        raise ValidationFailed("The order was not saved: fix the fields named in details.", details)
    normal = {"external_id": external_id, "customer": {"name": _text(customer["name"]), "email": email},
              "ship_to": ship_to, "priority": priority, "ship_by": ship_by.isoformat() if ship_by else None,
              "carrier": _text(carrier) or "", "lines": lines}
    return normal, products


def payload_hash(normal: dict[str, Any]) -> str:
    """An order without a carrier hashes as before the field existed, so orders imported earlier are
    still recognised when they are sent again."""
    if not normal.get("carrier"):
        normal = {key: value for key, value in normal.items() if key != "carrier"}
    return hashlib.sha256(json.dumps(normal, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def create_order(session: Session, payload: Any) -> tuple[Order, bool]:
    """(order, created). The same external id with the same payload returns the first order."""
    normal, products = validate(session, payload)
    digest = payload_hash(normal)
    existing = session.scalar(select(Order).where(Order.external_id == normal["external_id"]))
    if existing is not None:
        if existing.payload_hash != digest:
            raise Conflict(messages.DUPLICATE_ORDER.format(external_id=normal["external_id"]))
        return existing, False
    order = Order(external_id=normal["external_id"], payload_hash=digest,
                  customer_name=normal["customer"]["name"], customer_email=normal["customer"]["email"],
                  ship_to=normal["ship_to"], priority=normal["priority"], carrier=normal["carrier"],
                  ship_by=dt.date.fromisoformat(normal["ship_by"]) if normal["ship_by"] else None,
                  status=OrderState.RECEIVED)
    order.lines = [OrderLine(line_no=i + 1, product=products[line["sku"]], qty=line["qty"],
                             backordered=line["qty"]) for i, line in enumerate(normal["lines"])]
    session.add(order)
    session.flush()
    events.record(session, "order.received", {"order": order.external_id})
    allocate(session, order)
    return order, True


def unexpired() -> ColumnElement[bool]:
    """Stock a picker may take today: no expiry, or not expired yet (picking refuses an expired lot, so
    reserving one would send the picker to a bin only to be refused there)."""
    return or_(Stock.expiry.is_(None), Stock.expiry >= today())


def _candidates(session: Session, product_id: int) -> list[Stock]:
    """Stock to reserve from: unexpired, first-expiry-first-out, pick faces before bulk, in pick sequence."""
    query = (select(Stock).join(Stock.location)
             .where(Stock.product_id == product_id, Stock.on_hand > Stock.reserved,
                    Location.kind.in_(_ALLOCATABLE_KINDS), unexpired())
             .order_by(case((Stock.expiry.is_(None), 1), else_=0), Stock.expiry,
                       case((Location.kind == LocationKind.PICK, 0), else_=1),
                       Location.pick_sequence, Stock.id)
             .with_for_update())
    return list(session.scalars(query))


def allocate(session: Session, order: Order) -> None:
    """Reserve stock for what each line still lacks; the rest waits as a backorder."""
    before = order.status
    for line in order.lines:
        need = line.qty - line.allocated
        for stock in _candidates(session, line.product_id) if need > 0 else []:
            take = min(need, stock.available)
            stock.reserved += take
            session.add(Allocation(order_line=line, stock=stock, qty=take))
            line.allocated += take
            need -= take
            if need == 0:
                break
        line.backordered = line.qty - line.allocated
    allocated = sum(line.allocated for line in order.lines)
    if order.status in (OrderState.RECEIVED, OrderState.BACKORDERED, OrderState.PARTIALLY_ALLOCATED):
        if allocated == sum(line.qty for line in order.lines):
            set_state(session, order, OrderState.ALLOCATED)
        elif allocated:
            set_state(session, order, OrderState.PARTIALLY_ALLOCATED)
        elif order.status == OrderState.RECEIVED:
            set_state(session, order, OrderState.BACKORDERED)
    announce_allocation(session, order, before)
    session.flush()


def announce_allocation(session: Session, order: Order, before: OrderState) -> None:
    """The integration events of an allocation that changed the order's state (webhooks, emails)."""
    if order.status != before:
        record_allocation(session, order.external_id, order.status, [
            (line.product.sku, line.qty, line.allocated, line.backordered) for line in order.lines])


def record_allocation(session: Session, external_id: str, status: OrderState,
                      lines: list[tuple[str, int, int, int]]) -> None:
    """order.allocated (all reserved) or order.backordered (some lines wait); lines: (sku, qty, allocated,
    backordered). The import uses it too, so both tell integrators the same."""
    if status == OrderState.ALLOCATED:
        events.record(session, "order.allocated", {"order": external_id, "lines": [
            {"sku": sku, "qty": qty, "allocated": allocated} for sku, qty, allocated, _ in lines]})
    elif status in (OrderState.PARTIALLY_ALLOCATED, OrderState.BACKORDERED):
        events.record(session, "order.backordered", {"order": external_id, "lines": [
            {"sku": sku, "qty": qty, "allocated": allocated, "backordered": waiting}
            for sku, qty, allocated, waiting in lines if waiting]})


def fill_backorders(session: Session, product_ids: set[int]) -> list[Order]:
    """After a receipt: allocate waiting lines of orders not yet released, rush and oldest first."""
    # A subquery, not JOIN + DISTINCT: Postgres refuses DISTINCT with ORDER BY expressions not selected.
    lines_waiting = select(OrderLine.order_id).where(OrderLine.product_id.in_(product_ids), OrderLine.backordered > 0)
    waiting = session.scalars(
        select(Order)
        .where(Order.id.in_(lines_waiting),
               Order.status.in_((OrderState.BACKORDERED, OrderState.PARTIALLY_ALLOCATED)))
        .order_by(case((Order.priority == "rush", 0), else_=1), Order.created_at, Order.id)).all()
    for order in waiting:
        allocate(session, order)
    return list(waiting)


def orders_page(session: Session, *, status: OrderState | None, after_id: int = 0, limit: int = 50) -> list[Order]:
    query = (select(Order).where(Order.id > after_id).order_by(Order.id).limit(limit)
             .options(selectinload(Order.lines).joinedload(OrderLine.product),  # one page, a few queries
                      selectinload(Order.cartons).selectinload(Carton.lines)
                      .joinedload(CartonLine.order_line).joinedload(OrderLine.product)))
    if status is not None:
        query = query.where(Order.status == status)
    return list(session.scalars(query))


# --- Shipping and supervisor resolutions (floor board, issue 6) --------------------------------------------
from .errors import DomainError
from .models import PickTaskLine, StockMove
from .states import CartonState, MoveReason, TaskLineState


def ship_reference(order: Order) -> str:
    """The reference every ship move of an order carries: metrics find an order's ship time by it."""
    return f"order:{order.external_id}"


def _pack_location(session: Session) -> Location:
    location = session.scalar(select(Location).where(Location.kind == LocationKind.PACK)
                              .order_by(Location.pick_sequence, Location.id).limit(1))
    if location is None:
        raise DomainError("No packing location is set up; ask an admin to add one.")
    return location


def ship_order(session: Session, order: Order, *, carrier: str, service: str = "", tracking: str = "",
               user_id: int | None = None) -> list[StockMove]:
    """Ship-confirm a packed order: its closed cartons leave the building (one ship move per line and lot)."""
    from .stock import move

    if order.status != OrderState.PACKED:
        raise DomainError(f"Order {order.external_id} is {order.status.value}; only packed orders can ship.")
    staging, moves = _pack_location(session), []
    for line in order.lines:
        to_ship = line.packed - line.shipped
        if to_ship <= 0:
            continue
        lots: dict[str, int] = {}
        for task_line in session.scalars(select(PickTaskLine).where(PickTaskLine.order_line_id == line.id)
                                         .order_by(PickTaskLine.id)):
            lots[task_line.lot] = lots.get(task_line.lot, 0) + task_line.picked
        already = line.shipped
        for lot, picked in lots.items():
            skip = min(already, picked)
            already, qty = already - skip, min(picked - skip, to_ship)
            if qty > 0:
                moves.append(move(session, product=line.product, qty=qty, reason=MoveReason.SHIP, source=staging,
                                  lot=lot, user_id=user_id, reference=ship_reference(order)))
                to_ship -= qty
        line.shipped = line.packed
    for carton in order.cartons:
        if carton.state == CartonState.CLOSED:
            carton.state = CartonState.SHIPPED
            carton.carrier, carton.service, carton.tracking_number = carrier[:40], service[:40], tracking[:60]
    set_state(session, order, OrderState.SHIPPED)
    session.flush()
    events.record(session, "order.shipped", {"order": order.external_id, "carrier": carrier})
    return moves


def release_unpicked(session: Session, line: OrderLine, location_id: int | None = None) -> int:
    """Free the stock an order line still reserves but will not get from a bin (a short pick, a cancel).

    Frees allocations not yet released to picking and the unpicked rest of allocations whose pick lines
    were closed short; an allocation still waiting on an open pick line is left to its picker.
    Returns how many units were freed.
    """
    freed = 0
    for allocation in session.scalars(select(Allocation).where(Allocation.order_line_id == line.id)
                                      .order_by(Allocation.id)):
        if location_id is not None and allocation.stock.location_id != location_id:
            continue
        task_lines = session.scalars(select(PickTaskLine).where(PickTaskLine.allocation_id == allocation.id)).all()
        if any(t.state == TaskLineState.OPEN for t in task_lines):
            continue
        take = min(allocation.qty - sum(t.picked for t in task_lines), allocation.stock.reserved)
        if take <= 0:
            continue
        allocation.stock.reserved -= take
        allocation.qty -= take
        line.allocated -= take
        freed += take
    session.flush()
    return freed


def reallocate_line(session: Session, line: OrderLine, exclude_location_ids: set[int]) -> list[Allocation]:
    """Reserve what the line still lacks from other stock (not from the bins named); the rest is backordered."""
    need, made = line.qty - line.allocated, []
    for stock in _candidates(session, line.product_id) if need > 0 else []:
        if stock.location_id in exclude_location_ids:
            continue
        take = min(need, stock.available)
        stock.reserved += take
        allocation = Allocation(order_line=line, stock=stock, qty=take)
        session.add(allocation)
        made.append(allocation)
        line.allocated += take
        need -= take
        if need == 0:
            break
    line.backordered = line.qty - line.allocated
    session.flush()
    return made
