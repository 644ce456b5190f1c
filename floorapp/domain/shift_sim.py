"""A simulated morning shift for the demo: orders received, released, picked, packed and shipped by the demo
users through the real domain services, then every record of each step dated where it happened on a
realistic timeline over the last hours (scans, stock moves, tasks, cartons, print jobs, exceptions).

So the floor board, the figures and the documents have something to show on first start. The ledger stays
true (every unit moves by `stock.move`); nothing here commits. Deterministic for a given seed and `now`.
"""
from __future__ import annotations

import datetime as dt
import random
import weakref
from dataclasses import dataclass, field

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from . import counting, documents, orders, packing, picking, scans, waves
from .models import (
    Carton,
    FloorException,
    Location,
    Order,
    PickTask,
    PrintJob,
    Product,
    Stock,
    StockMove,
    Tote,
    User,
    Wave,
    utcnow,
)
from .models.counting import CycleCount
from .orders import set_state
from .scans import Outcome
from .states import (
    CountSource,
    ExceptionKind,
    LocationKind,
    MoveReason,
    OrderState,
    PickStep,
    PrintState,
    TaskLineState,
    TaskState,
    Tracking,
    WaveStrategy,
)

ORDERS = 28
SHIFT_HOURS = 4
FIRST_NUMBER = 901          # SO-0901 ...: apart from the demo's open orders SO-1001 ...
SHIP_FROM = {"name": "floorapp demo warehouse", "line1": "1 Dock Road", "city": "Springfield", "region": "IL",
             "postal_code": "62701", "country": "US"}


@dataclass
class ShiftSummary:
    orders: int = 0
    shipped: int = 0
    packed: int = 0
    picked: int = 0
    scans: int = 0
    exceptions: list[str] = field(default_factory=list)


DATED = {StockMove: ("created_at",), Wave: ("created_at",),  # the times a step sets (scans are dated as kept)
         FloorException: ("created_at",), CycleCount: ("created_at",), PrintJob: ("created_at", "sent_at")}


class _Clock:
    """Dates the rows each step made: every row added since the last step gets the step's time."""

    def __init__(self, session: Session):
        self.session, self.pending, self.stamped = session, [], weakref.WeakSet()  # not id(): ids are reused
        event.listen(session, "after_flush", self._collect)

    def _collect(self, session: Session, _context=None) -> None:
        for obj in session.new:  # still the rows being inserted, in after_flush
            if type(obj) in DATED and obj not in self.stamped:
                self.stamped.add(obj)
                self.pending.append(obj)

    def at(self, when: dt.datetime) -> None:
        self._collect(self.session)
        for obj in self.pending:
            for column in DATED[type(obj)]:
                if column == "created_at" or getattr(obj, column) is not None:
                    setattr(obj, column, when)
        self.pending = []

    def close(self) -> None:
        self.session.flush()
        event.remove(self.session, "after_flush", self._collect)


def _products(session: Session, rng: random.Random) -> list[Product]:
    """Plain products with a well-stocked pick face (so the shift does not starve the demo's own orders)."""
    rows = session.scalars(select(Product).join(Stock, Stock.product_id == Product.id)
                           .join(Location, Location.id == Stock.location_id)
                           .where(Location.kind == LocationKind.PICK, Product.tracking == Tracking.NONE,
                                  Stock.on_hand - Stock.reserved >= 12).order_by(Product.id)).unique().all()
    return rng.sample(list(rows), min(60, len(rows)))


def _keep(session: Session, sim_id: str, user: User, context: str, raw: str, step: str, outcome: Outcome,
          when: dt.datetime) -> None:
    scans.keep(session, client_id=sim_id, user_id=user.id, device="shift simulation", context=context, raw=raw,
               step=step, outcome=outcome, at=when)


class _Shift:
    def __init__(self, session: Session, rng: random.Random, now: dt.datetime):
        self.session, self.rng, self.now = session, rng, now
        self.clock = _Clock(session)
        self.users = {u.badge: u for u in session.scalars(select(User))}
        self.summary = ShiftSummary()
        self.totes = [t for t in session.scalars(select(Tote).where(Tote.order_id.is_(None))
                                                 .order_by(Tote.code.desc()).limit(40))]
        self.n_scan = 0

    def later(self, when: dt.datetime, low: float, high: float) -> dt.datetime:
        return when + dt.timedelta(seconds=self.rng.uniform(low, high))

    def scan(self, task: PickTask, user: User, raw: str, when: dt.datetime) -> Outcome:
        step = task.step.value
        outcome = picking.scan(self.session, task, user, raw)
        self.n_scan += 1
        _keep(self.session, f"sim-{task.id}-{self.n_scan}", user, f"pick:{task.id}", raw, step, outcome, when)
        self.clock.at(when)
        return outcome

    def pick(self, task: PickTask, user: User, when: dt.datetime, *, slips: int = 0,
             short_line: int | None = None) -> dt.datetime:
        """Walk the task with real scans; `slips` wrong scans on the way; `short_line` reported empty."""
        task.user_id, task.state, task.started_at = user.id, TaskState.ASSIGNED, when
        task.current_line = task.lines[0]
        task.step = PickStep.LOCATION
        tote = self.totes.pop(0)
        n = 0
        while task.step != PickStep.DONE:
            line, n = task.current_line, n + 1
            when = self.later(when, 60, 200)  # walk to the bin
            if short_line == n:
                when = self._short(task, line, user, when)
                continue
            self.scan(task, user, line.location.code, when)
            for _ in range(slips if n == 1 else 0):
                when = self.later(when, 8, 20)
                other = self.session.scalar(select(Product).where(Product.id != line.product_id).limit(1))
                self.scan(task, user, other.barcodes[0].code, when)
            when = self.later(when, 10, 30)
            self.scan(task, user, line.product.barcodes[0].code, when)
            if task.step == PickStep.QTY:
                when = self.later(when, 5, 15)
                self.scan(task, user, str(line.qty), when)
            when = self.later(when, 8, 25)
            self.scan(task, user, tote.code, when)
        task.finished_at = when
        return when

    def _short(self, task: PickTask, line, user: User, when: dt.datetime) -> dt.datetime:
        """The bin is empty: the line is closed short, an exception and a count are raised (as picking does)."""
        self.scan(task, user, line.location.code, when)
        line.state = TaskLineState.SHORT
        self.session.add(FloorException(kind=ExceptionKind.SHORT_PICK, order_id=task.order_id,
                                        location_id=line.location_id, product_id=line.product_id, qty=line.qty,
                                        user_id=user.id, note="Bin empty when the picker got there."))
        counting.request_count(self.session, line.location, CountSource.SHORT_PICK, "short pick in the demo shift",
                               product=line.product, user=user)
        self.clock.at(when)
        open_lines = [li for li in task.lines if li.state == TaskLineState.OPEN]
        task.current_line = open_lines[0] if open_lines else None
        task.step = PickStep.LOCATION if open_lines else PickStep.DONE
        if not open_lines:
            task.state = TaskState.DONE
            if task.order.status == OrderState.PICKING:
                set_state(self.session, task.order, OrderState.PICKED)
        self.summary.exceptions.append(f"short pick {task.order.external_id}")
        return when

    def pack(self, order: Order, packer: User, when: dt.datetime) -> dt.datetime:
        tote = self.session.scalar(select(Tote).where(Tote.order_id == order.id).limit(1))
        carton, outcome = packing.start(self.session, packer, tote.code)
        self.n_scan += 1
        _keep(self.session, f"sim-pack-{self.n_scan}", packer, "pack", tote.code, "start", outcome, when)
        self.clock.at(when)
        for progress in packing.progress(carton):
            for _ in range(progress.missing):
                when = self.later(when, 8, 30)
                code = progress.line.product.barcodes[0].code
                result = packing.verify(self.session, carton, packer, code)
                self.n_scan += 1
                _keep(self.session, f"sim-pack-{self.n_scan}", packer, f"carton:{carton.id}", code, "verify", result,
                      when)
                self.clock.at(when)
        when = self.later(when, 30, 90)
        packing.close(self.session, carton, packer)
        carton.created_at, carton.closed_at, carton.box_type, carton.weight_g = when, when, "S", 900
        documents.print_packing_slip(self.session, order, SHIP_FROM, user_id=packer.id)
        self.clock.at(when)
        return when


def _payload(rng: random.Random, number: int, products: list[Product], today: dt.date, rush: bool) -> dict:
    from .demo import (  # the demo's customers and carriers; imported here, the demo imports this module
        _customer,
        requested_carrier,
    )

    customer, ship_to = _customer(rng)
    lines = [{"sku": p.sku, "qty": rng.choice((1, 1, 1, 2, 2, 3))}
             for p in rng.sample(products, rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0])]
    ship_by = today - dt.timedelta(days=1) if number % 9 == 4 else today + dt.timedelta(days=rng.choice((0, 0, 1)))
    return {"external_id": f"SO-{number:04d}", "customer": customer, "ship_to": ship_to,
            "priority": "rush" if rush else "normal", "ship_by": ship_by.isoformat(),
            "carrier": requested_carrier(number), "lines": lines}


def simulate(session: Session, *, rng_seed: int = 11, now: dt.datetime | None = None) -> ShiftSummary:
    """Run a morning shift over the SHIFT_HOURS before `now` (default: the clock). Never commits."""
    now = (now or utcnow()).replace(microsecond=0)
    rng = random.Random(rng_seed)
    shift = _Shift(session, rng, now)
    start = now - dt.timedelta(hours=SHIFT_HOURS)
    products = _products(session, rng)
    session.execute(update(StockMove).where(StockMove.reason == MoveReason.RECEIPT, StockMove.created_at > start)
                    .values(created_at=start - dt.timedelta(hours=12)))  # the opening stock came in last night
    supervisor, packer = shift.users["S-0001"], shift.users["K-0001"]
    pickers = [shift.users["P-0001"], shift.users["P-0002"]]
    span = (now - dt.timedelta(minutes=15) - (start - dt.timedelta(hours=1))).total_seconds()
    received = sorted(start - dt.timedelta(hours=1) + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(ORDERS))
    free = {p.id: start + dt.timedelta(minutes=rng.uniform(2, 10)) for p in pickers}
    packer_free, packed_at = start + dt.timedelta(minutes=20), {}
    trucks = [start + dt.timedelta(hours=2), now - dt.timedelta(minutes=12)]
    for i, when in enumerate(received):
        order, _ = orders.create_order(session, _payload(rng, FIRST_NUMBER + i, products, now.date(), i % 7 == 3))
        order.created_at = when
        shift.clock.at(when)
        if order.status != OrderState.ALLOCATED:
            continue  # waits for stock, like any short order
        picker = pickers[i % 2]
        released = max(when, start) + dt.timedelta(minutes=rng.uniform(3, 12))
        wave = waves.release(session, [order], strategy=WaveStrategy.PIECE, user_id=supervisor.id)
        shift.clock.at(released)
        task = session.scalar(select(PickTask).where(PickTask.wave_id == wave.id))
        begin = max(released, free[picker.id]) + dt.timedelta(minutes=rng.uniform(1, 4))
        if begin > now - dt.timedelta(minutes=22):
            continue  # released, waiting for a picker: the board shows it
        done = shift.pick(task, picker, begin, slips=3 if i == ORDERS - 6 else (1 if i % 5 == 0 else 0),
                          short_line=2 if i == 6 and len(task.lines) > 1 else None)
        free[picker.id] = done
        shift.summary.picked += 1
        if i == len(received) - 3 or done > now - dt.timedelta(minutes=18):
            continue  # picked, waiting in its tote for the packer
        pack_start = max(done + dt.timedelta(minutes=rng.uniform(4, 12)), packer_free)
        if pack_start > now - dt.timedelta(minutes=10):
            continue
        packer_free = packed_at[order.id] = shift.pack(order, packer, pack_start)
        shift.summary.packed += 1
    for order_id, closed in packed_at.items():
        truck = next((t for t in trucks if t > closed), None)
        order = session.get(Order, order_id)
        if truck is None or any(line.picked < line.qty for line in order.lines):
            continue  # after the last truck, or short: waits (the short one for a supervisor's decision)
        orders.ship_order(session, order, carrier=rng.choice(("UPS", "DHL", "FedEx")), service="Ground",
                          tracking=f"1Z{rng.randrange(10**15, 10**16)}", user_id=packer.id)
        shift.clock.at(truck)
        shift.summary.shipped += 1
    _failed_print(session, shift, now - dt.timedelta(minutes=35))
    shift.summary.orders, shift.summary.scans = ORDERS, shift.n_scan
    shift.clock.close()
    return shift.summary


def _failed_print(session: Session, shift: _Shift, when: dt.datetime) -> None:
    order = session.scalar(select(Order).join(Carton, Carton.order_id == Order.id)
                           .where(Order.external_id.like("SO-09%")).order_by(Order.id.desc()).limit(1))
    if order is None:
        return
    job = documents.print_packing_slip(session, order, SHIP_FROM, printer="PACK-02 laser")
    job.state, job.attempts, job.error = PrintState.FAILED, 3, "The printer did not answer (paper out or offline)."
    shift.clock.at(when)
    shift.summary.exceptions.append(f"failed print {order.external_id}")

