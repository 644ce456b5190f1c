"""Order files (JSON or CSV) checked as a whole, then imported fast and in batches.

1. `read_file` turns the file into entries, one per order (CSV: the rows sharing an external_id).
2. `check` validates every entry with the same rules as the API (orders.validate), loading products
   once for the whole file and existing orders in a few queries; each problem names its row, column
   and reason. Nothing should be imported unless `check(...).problems` is empty - or the user chose
   "import the good rows", which imports the orders all of whose rows are good (an order is never
   imported in part: its other rows are listed as skipped).
3. `import_orders` creates the good orders in batches: insert, then allocate from stock read once per
   batch, and calls `on_batch` after each batch so the caller (CLI, import job) commits and shows
   progress. The domain never commits; a short transaction per batch keeps the floor's scans flowing.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from . import events, messages
from .errors import ValidationFailed
from .models import Allocation, Location, Order, OrderLine, Product, Stock, utcnow
from .orders import _ALLOCATABLE_KINDS, payload_hash, record_allocation, unexpired, validate
from .outbox import EMAIL_HINTS
from .states import LocationKind, OrderState

CSV_COLUMNS = ("external_id", "customer_name", "customer_email", "ship_to_name", "ship_to_line1",
               "ship_to_line2", "ship_to_city", "ship_to_region", "ship_to_postal_code", "ship_to_country",
               "priority", "ship_by", "carrier", "sku", "qty")
CSV_REQUIRED = ("external_id", "sku", "qty")
ORDER_COLUMNS = CSV_COLUMNS[:13]  # the same on every row of one order
BATCH_ORDERS = 500
CHUNK = 500  # values per IN (...) query


@dataclass(frozen=True)
class Problem:
    row: int        # CSV: the line in the file (header = 1); JSON: the order's position (first = 1)
    column: str     # CSV: the column; JSON: the field, e.g. lines[0].sku
    reason: str
    kind: str = "csv"

    def describe(self) -> str:
        if self.kind == "json":
            return f"order {self.row}: {self.column}: {self.reason}"
        return f"row {self.row}, {self.column}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Entry:
    """One order of the file: its payload, the rows its lines came from, what is wrong with it."""
    payload: dict[str, Any]
    rows: list[int]
    kind: str = "csv"
    problems: list[Problem] = field(default_factory=list)
    normal: dict[str, Any] | None = None
    products: dict[str, Product] | None = None
    existing: bool = False

    def problem(self, row: int, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason, self.kind))


@dataclass
class Check:
    entries: list[Entry]
    rows_total: int

    @property
    def problems(self) -> list[Problem]:
        return sorted((p for e in self.entries for p in e.problems), key=lambda p: (p.row, p.column))

    @property
    def good(self) -> list[Entry]:
        return [e for e in self.entries if not e.problems]

    @property
    def skipped_rows(self) -> list[int]:
        """Rows not imported with "import the good rows": every row of an order that has a bad row."""
        return sorted(r for e in self.entries if e.problems for r in e.rows)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_done: int = 0


def read_file(name: str, text: str) -> tuple[list[Entry], int]:
    """(entries, rows); ValidationFailed when the file as a whole cannot be read."""
    if name.lower().endswith(".csv"):
        return entries_from_csv(text)
    try:
        return entries_from_json(text)
    except ValueError as error:
        raise ValidationFailed(f"The file is not valid JSON: {error}.") from None


def entries_from_json(text: str) -> tuple[list[Entry], int]:
    data = json.loads(text)
    orders = data.get("orders") if isinstance(data, dict) else data
    if not isinstance(orders, list):
        raise ValidationFailed("A JSON order file is a list of orders, or {\"orders\": [...]}.")
    return [Entry(order, [i + 1], "json") for i, order in enumerate(orders)], len(orders)


def entries_from_csv(text: str) -> tuple[list[Entry], int]:
    """One row per order line; rows with the same external_id form one order."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ValidationFailed("The CSV file lacks columns: " + ", ".join(missing) + ".")
    reader.fieldnames = header
    grouped: dict[str, Entry] = {}
    first_values: dict[str, tuple[int, dict[str, str]]] = {}
    loose: list[Entry] = []
    rows = 0
    for row_no, row in enumerate(reader, start=2):
        rows += 1
        g = {name: (row.get(name) or "").strip() for name in CSV_COLUMNS}
        if None in row:
            extra = Entry({}, [row_no])
            extra.problem(row_no, "-", "The row has more values than the header has columns.")
            loose.append(extra)
            continue
        key = g["external_id"]
        if not key:
            bad = Entry({}, [row_no])
            bad.problem(row_no, "external_id", messages.FIELD_MISSING.format(field="external_id"))
            loose.append(bad)
            continue
        qty_text = g["qty"]
        qty: Any = int(qty_text) if qty_text.isascii() and qty_text.isdigit() and len(qty_text) < 10 else qty_text
        line = {"sku": g["sku"], "qty": qty}
        entry = grouped.get(key)
        if entry is None:
            entry = grouped[key] = Entry({
                "external_id": key, "customer": {"name": g["customer_name"], "email": g["customer_email"]},
                "ship_to": {"name": g["ship_to_name"], "line1": g["ship_to_line1"], "line2": g["ship_to_line2"],
                            "city": g["ship_to_city"], "region": g["ship_to_region"],
                            "postal_code": g["ship_to_postal_code"], "country": g["ship_to_country"]},
                "priority": g["priority"] or "normal", "ship_by": g["ship_by"] or None,
                "carrier": g["carrier"], "lines": []}, [])
            first_values[key] = (row_no, {c: g[c] for c in ORDER_COLUMNS})
        else:
            first_row, values = first_values[key]
            for column in ORDER_COLUMNS:
                if g[column] and g[column] != values[column]:
                    entry.problem(row_no, column, messages.ROW_DIFFERS.format(
                        first=first_row, order=key, value=values[column] or "empty"))
        entry.payload["lines"].append(line)
        entry.rows.append(row_no)
    return list(grouped.values()) + loose, rows


def _csv_column(entry: Entry, where: str) -> tuple[int, str]:
    """orders.validate's field name -> (row, column) of the file."""
    if entry.kind == "json":
        return entry.rows[0], where or "order"
    if where.startswith("lines["):
        index, _, column = where[6:].partition("].")
        return entry.rows[int(index)] if index.isdigit() and int(index) < len(entry.rows) else entry.rows[0], column
    return entry.rows[0], where.replace(".", "_") or "external_id"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check(session: Session, entries: list[Entry], rows_total: int) -> Check:
    """Validate every order of the file; products and existing orders are read in a few queries."""
    skus = sorted({line["sku"] for e in entries if isinstance(e.payload, dict)
                   and isinstance(e.payload.get("lines"), list) for line in e.payload["lines"]
                   if isinstance(line, dict) and isinstance(line.get("sku"), str)})
    known: dict[str, Product] = {}
    for chunk in _chunks(skus):
        known.update((p.sku, p) for p in session.scalars(select(Product).where(Product.sku.in_(chunk))))
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.problems:
            continue
        try:
            entry.normal, entry.products = validate(session, entry.payload, known)
        except ValidationFailed as error:
            for detail in error.details or [{"field": "", "message": error.message}]:
                entry.problem(*_csv_column(entry, detail["field"]), detail["message"])
            continue
        key = entry.normal["external_id"]
        if key in seen:
            entry.problem(entry.rows[0], "external_id", messages.ORDER_TWICE_IN_FILE.format(order=key, where=seen[key]))
        seen.setdefault(key, entry.rows[0])
    by_id = {e.normal["external_id"]: e for e in entries if e.normal is not None and not e.problems}
    for chunk in _chunks(list(by_id)):
        for external_id, digest in session.execute(
                select(Order.external_id, Order.payload_hash).where(Order.external_id.in_(chunk))):
            entry = by_id[external_id]
            if digest == payload_hash(entry.normal):
                entry.existing = True
            else:
                entry.problem(entry.rows[0], "external_id",
                              messages.DUPLICATE_ORDER.format(external_id=external_id))
    return Check(entries, rows_total)


def _stock_pool(session: Session, product_ids: set[int]) -> dict[int, list[list[int]]]:
    """Stock to reserve from, per product, as orders.allocate reserves it (unexpired, FEFO, pick faces,
    pick sequence): [[stock id, available], ...], the rows locked until the batch commits."""
    pool: dict[int, list[list[int]]] = {}
    for chunk in _chunks(sorted(product_ids)):
        query = (select(Stock.id, Stock.product_id, Stock.on_hand - Stock.reserved).join(Stock.location)
                 .where(Stock.product_id.in_(chunk), Stock.on_hand > Stock.reserved,
                        Location.kind.in_(_ALLOCATABLE_KINDS), unexpired())
                 .order_by(Stock.product_id, case((Stock.expiry.is_(None), 1), else_=0), Stock.expiry,
                           case((Location.kind == LocationKind.PICK, 0), else_=1), Location.pick_sequence,
                           Stock.id)
                 .with_for_update())
        for stock_id, product_id, available in session.execute(query):
            pool.setdefault(product_id, []).append([stock_id, available])
    return pool


def _insert_batch(session: Session, batch: list[Entry], product_ids: dict[str, int]) -> None:
    """Reserve stock for one batch of orders, then insert the orders, lines and allocations with a few
    multi-row statements (the ORM's unit of work costs ~1 ms an order), recording create_order's events."""
    pool = _stock_pool(session, {product_ids[line["sku"]] for e in batch for line in e.normal["lines"]})
    lines: list[dict[str, Any]] = []
    reservations: list[list[tuple[int, int]]] = []
    statuses: list[OrderState] = []
    reserved: dict[int, int] = {}
    for entry in batch:
        allocated_total = qty_total = 0
        for line_no, line in enumerate(entry.normal["lines"], start=1):
            product_id, need = product_ids[line["sku"]], line["qty"]
            takes = []
            for stock in pool.get(product_id, ()):
                take = min(need, stock[1])
                if take > 0:
                    stock[1] -= take
                    reserved[stock[0]] = reserved.get(stock[0], 0) + take
                    takes.append((stock[0], take))
                    need -= take
                    if need == 0:
                        break
            allocated = line["qty"] - need
            lines.append({"order_id": None, "line_no": line_no, "product_id": product_id, "qty": line["qty"],
                          "allocated": allocated, "backordered": need, "picked": 0, "packed": 0, "shipped": 0})
            reservations.append(takes)
            allocated_total, qty_total = allocated_total + allocated, qty_total + line["qty"]
        statuses.append(OrderState.ALLOCATED if allocated_total == qty_total else
                        OrderState.PARTIALLY_ALLOCATED if allocated_total else OrderState.BACKORDERED)
    connection, now = session.connection(), utcnow()
    orders, order_lines, stock = Order.__table__, OrderLine.__table__, Stock.__table__
    # Plain multi-row INSERTs, then one SELECT each for the new ids (SQLite cannot return ids of a
    # multi-row INSERT in order, and one statement per row costs more than the whole rest of the import).
    connection.execute(orders.insert(), [
        {"external_id": e.normal["external_id"], "payload_hash": payload_hash(e.normal),
         "customer_name": e.normal["customer"]["name"], "customer_email": e.normal["customer"]["email"],
         "ship_to": e.normal["ship_to"], "priority": e.normal["priority"], "carrier": e.normal["carrier"],
         "ship_by": dt.date.fromisoformat(e.normal["ship_by"]) if e.normal["ship_by"] else None,
         "status": status, "created_at": now, "updated_at": now} for e, status in zip(batch, statuses)])
    ids = dict(connection.execute(select(orders.c.external_id, orders.c.id).where(
        orders.c.external_id.in_([e.normal["external_id"] for e in batch]))).all())
    order_ids = [ids[e.normal["external_id"]] for e in batch]
    position = 0
    for entry, order_id in zip(batch, order_ids):
        for line in lines[position:position + len(entry.normal["lines"])]:
            line["order_id"] = order_id
        position += len(entry.normal["lines"])
    connection.execute(order_lines.insert(), lines)
    line_id = {(order_id, line_no): line_id for line_id, order_id, line_no in connection.execute(
        select(order_lines.c.id, order_lines.c.order_id, order_lines.c.line_no)
        .where(order_lines.c.order_id.in_(order_ids)))}
    line_ids = [line_id[(line["order_id"], line["line_no"])] for line in lines]
    allocations = [{"order_line_id": line_id, "stock_id": stock_id, "qty": qty, "released": False}
                   for line_id, takes in zip(line_ids, reservations) for stock_id, qty in takes]
    if allocations:
        connection.execute(Allocation.__table__.insert(), allocations)
    if reserved:
        connection.execute(
            update(stock).where(stock.c.id == bindparam("stock_id")).values(reserved=stock.c.reserved + bindparam("add")),
            [{"stock_id": stock_id, "add": qty} for stock_id, qty in reserved.items()])
    session.info[EMAIL_HINTS] = {e.normal["external_id"]: e.normal["customer"]["email"] for e in batch}
    position = 0
    for entry, status in zip(batch, statuses):
        external_id, count = entry.normal["external_id"], len(entry.normal["lines"])
        mine = lines[position:position + count]
        position += count
        events.record(session, "order.received", {"order": external_id})
        events.record(session, "order.state", {"order": external_id, "from": OrderState.RECEIVED.value,
                                               "to": status.value})
        record_allocation(session, external_id, status, [
            (line["sku"], line["qty"], row["allocated"], row["backordered"])
            for line, row in zip(entry.normal["lines"], mine)])
    session.info.pop(EMAIL_HINTS, None)


def import_orders(session: Session, entries: list[Entry], *, batch_orders: int = BATCH_ORDERS,
                  on_batch: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """Create the checked, good entries (skip those already present); `on_batch` after each batch."""
    report = ImportReport()
    todo = [e for e in entries if not e.problems and e.normal is not None]
    for entry in todo:
        if entry.existing:
            report.unchanged.append(entry.normal["external_id"])
            report.rows_done += len(entry.rows)
    session.flush()
    fresh = [e for e in todo if not e.existing]
    product_ids = {sku: product.id for e in fresh for sku, product in e.products.items()}
    for batch in _chunks(fresh, batch_orders):
        _insert_batch(session, batch, product_ids)
        session.flush()  # the outbox rows of the batch's events
        report.created.extend(entry.normal["external_id"] for entry in batch)
        report.rows_done += sum(len(entry.rows) for entry in batch)
        session.expire_all()  # stock and orders changed behind the ORM's back: read them afresh
        if on_batch:
            on_batch(report)
    return report
