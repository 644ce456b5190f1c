"""The demo's simulated morning shift: real flows, consistent times, a true ledger, something on the board."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import func, or_, select, text

from floorapp.db import create_all, make_engine, make_sessionmaker
from floorapp.domain import board, demo, exceptions, metrics, picking, shift_sim
from floorapp.domain.models import Base, Order, PickTask, Scan, StockMove, User
from floorapp.domain.states import MoveReason, OrderState, ScanResult, TaskState
from floorapp.domain.stock import ledger_mismatches

# Yesterday's midday by the clock, not a fixed date: allocation skips lots expired by the clock, so a demo
# seeded for a date long past would hold only expired lots. Yesterday, so the whole shift is in the past.
NOW = dt.datetime.combine(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1), dt.time(12, 30))
POSTGRES_URL = os.environ.get("FLOORAPP_TEST_DATABASE_URL", "")


@pytest.fixture(scope="module", params=["sqlite"] + (["postgres"] if POSTGRES_URL else []))
def seeded(request, tmp_path_factory):
    """The demo and its shift, seeded once per backend (it takes a while); each test reads and rolls back."""
    if request.param == "postgres":
        request.getfixturevalue("_postgres_engine")
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
    else:
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shift') / 'shift.db'}")
        create_all(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        demo.seed(session, today=NOW.date())
        summary = shift_sim.simulate(session, now=NOW)
        session.commit()
    yield sessions, summary
    engine.dispose()


@pytest.fixture
def session(seeded):
    with seeded[0]() as session:
        yield session
        session.rollback()


@pytest.fixture
def shift(seeded):
    return seeded[1]


def test_the_shift_runs_through_the_real_flows_and_keeps_the_ledger_true(session, shift):
    assert ledger_mismatches(session) == []
    sim = session.scalars(select(Order).where(Order.external_id.like("SO-09%"))).all()
    states = {o.status for o in sim}
    assert len(sim) == shift_sim.ORDERS and OrderState.SHIPPED in states and len(states) >= 3
    assert shift.shipped >= 15 and shift.scans > 100
    shipped = [o for o in sim if o.status == OrderState.SHIPPED]
    assert all(line.shipped == line.qty for o in shipped for line in o.lines)
    assert {o.carrier for o in sim} == {"UPS", "DHL", "Local courier", ""}  # what shops ask for, as in the demo


def test_every_record_of_the_shift_lies_in_the_last_hours_in_the_order_it_happened(session, shift):
    start = NOW - dt.timedelta(hours=shift_sim.SHIFT_HOURS)
    first, last = session.execute(select(func.min(Scan.created_at), func.max(Scan.created_at))).one()
    assert start <= first < last < NOW
    sim_orders = session.execute(select(Order.id, Order.external_id).where(Order.external_id.like("SO-09%"))).all()
    tasks = session.scalars(select(PickTask.id).where(PickTask.order_id.in_([order_id for order_id, _ in sim_orders])))
    ours = or_(StockMove.reference.in_([f"order:{external_id}" for _, external_id in sim_orders]),
               *[StockMove.reference.like(f"task {task_id} %") for task_id in tasks])  # the shift's, not the seed's
    for reason in (MoveReason.PICK, MoveReason.SHIP):
        low, high = session.execute(select(func.min(StockMove.created_at), func.max(StockMove.created_at))
                                    .where(StockMove.reason == reason, ours)).one()
        assert start <= low <= high < NOW, reason
    assert session.scalar(select(func.max(StockMove.created_at)).where(StockMove.reason == MoveReason.RECEIPT)) < start
    for order in session.scalars(select(Order).where(Order.status == OrderState.SHIPPED,
                                                     Order.external_id.like("SO-09%"))):
        picked = session.scalar(select(func.max(StockMove.created_at)).where(
            StockMove.reason == MoveReason.PICK, StockMove.reference.like("task %"),
            StockMove.product_id.in_([line.product_id for line in order.lines])))
        shipped = metrics.ship_times(session, metrics.Window(start, NOW))[order.external_id]
        assert order.created_at < shipped and picked is not None
    # no picker is left holding a task: the demo's first task is still the first handed out
    assert session.scalar(select(func.count()).select_from(PickTask).where(PickTask.state == TaskState.ASSIGNED)) == 0


def test_the_board_has_figures_people_and_exceptions_to_show(session, shift):
    figures = metrics.figures(session, metrics.shift_window(NOW), NOW)
    assert figures["lines_picked"] > 30 and figures["orders_shipped"] >= 15
    assert 0.8 < figures["pick_accuracy"] < 1 and figures["fill_rate"] == 1.0
    assert figures["cycle_time_minutes"]["median"] > 0 and 0 < figures["on_time"]["rate"] < 1
    assert sum(h["lines"] for h in figures["throughput"]) == figures["lines_picked"]
    kinds = {issue.kind for issue in exceptions.feed(session, NOW)}
    assert {"short_pick", "print_failed", "wrong_item_streak"} <= kinds
    people = {p.user.badge: p for p in board.people(session, NOW)}
    assert people["P-0001"].shift["lines"] > 5 and people["K-0001"].shift["lines"] > 5
    assert people["P-0002"].shift["refused"] >= 3
    stages = {s.name: s.count for s in board.stages(session, NOW)}
    assert stages["shipped"] >= 15 and stages["released"] >= 10


def test_the_demo_pickers_still_get_the_demo_first_task(session, shift):
    pat = session.scalar(select(User).where(User.badge == "P-0001"))
    assert picking.take_next_task(session, pat).order.external_id == "SO-1001"
    assert session.scalar(select(func.count()).select_from(Scan).where(Scan.result == ScanResult.REFUSED)) >= 3
