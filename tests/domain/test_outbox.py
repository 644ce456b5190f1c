"""The outbox: rows are written with the change they tell about, and two workers never take the same row."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from floorapp.db import make_sessionmaker
from floorapp.domain import events, outbox, webhooks
from floorapp.domain.models import OutboxMessage, utcnow
from tests.factories import place_order, warehouse


def _rows(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_rows_are_committed_with_the_change_and_rolled_back_with_it(session):
    warehouse(session)
    hook = webhooks.subscribe(session, "http://erp.invalid/hook", ["order.allocated", "order.backordered"])
    session.commit()
    place_order(session, "SO-GONE", [("MUG-350", 1)])
    session.rollback()  # the order was refused later in the same request: no message may go out
    assert _rows(session) == []
    place_order(session, "SO-OUT", [("MUG-350", 1)], customer__email="")
    place_order(session, "SO-WAIT", [("THERMO-1L", 2)])
    session.commit()
    rows = _rows(session)
    assert [(r.event, r.channel, r.recipient) for r in rows] == [
        ("order.allocated", "webhook", hook.url),
        ("order.backordered", "webhook", hook.url),
        ("order.backordered", "email", "erika.mustermann@example.com")]
    assert rows[0].payload["data"]["order"] == "SO-OUT" and rows[0].state == "pending"
    assert rows[1].payload["data"]["lines"] == [{"sku": "THERMO-1L", "qty": 2, "allocated": 0, "backordered": 2}]
    assert rows[1].event_id == rows[2].event_id  # one event, two receivers


def test_events_nobody_listens_to_write_no_rows_and_floor_events_never_do(session):
    warehouse(session)
    webhooks.subscribe(session, "http://erp.invalid/hook", ["stock.low"])
    place_order(session, "SO-1", [("MUG-350", 1)])
    events.record(session, "pick.confirmed", {"order": "SO-1"})
    events.record(session, "stock.low", {"sku": "MUG-350", "on_hand": 3, "reorder_point": 10})
    session.commit()
    assert [(r.event, r.payload["data"]) for r in _rows(session)] == [
        ("stock.low", {"sku": "MUG-350", "on_hand": 3, "reorder_point": 10})]


def _queue(session, count: int) -> None:
    hook = webhooks.subscribe(session, "http://erp.invalid/hook", ["stock.low"])
    for i in range(count):
        events.record(session, "stock.low", {"sku": f"SKU-{i}", "on_hand": 0, "reorder_point": 1})
    session.commit()
    assert hook.id


def test_a_claimed_row_is_nobody_elses_until_its_lease_runs_out(engine, session):
    _queue(session, 5)
    make = make_sessionmaker(engine)
    with make() as first, make() as second:
        mine = outbox.claim(first, limit=3)
        theirs = outbox.claim(second, limit=10)
        assert len(mine) == 3 and len(theirs) == 2
        assert not {r.id for r in mine} & {r.id for r in theirs}
    with make() as later:  # a worker that died: after the lease the rows are due again
        assert len(outbox.claim(later, now=utcnow() + dt.timedelta(minutes=5), limit=10)) == 5


def test_workers_claiming_at_the_same_time_never_share_a_row(engine, session):
    _queue(session, 60)
    make = make_sessionmaker(engine)
    claimed: list[list[int]] = []
    start = threading.Barrier(6)

    def worker():
        start.wait()
        with make() as own:
            got = []
            while rows := outbox.claim(own, limit=4):
                got.extend(r.id for r in rows)
            claimed.append(got)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    every = [row_id for got in claimed for row_id in got]
    assert len(every) == 60 and len(set(every)) == 60
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.locked_until.is_not(None))) == 60


def test_backoff_doubles_and_is_capped():
    settings = outbox.Settings(backoff_seconds=30, max_backoff_seconds=3600)
    assert [outbox.backoff(settings, n).total_seconds() for n in (1, 2, 3, 4, 10)] == [30, 60, 120, 240, 3600]
