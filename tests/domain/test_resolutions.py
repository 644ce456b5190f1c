"""The board resolves exceptions that other areas own: each shows once, with its actions, and the action
does what the owning area does (stock adjusted, backordered, put back), recorded for the audit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from floorapp.domain import changes, counting, exceptions, packing, resolutions, shipping, stations  # noqa: F401
from floorapp.domain.counting import Tolerance
from floorapp.domain.errors import DomainError
from floorapp.domain.models import Stock, SupervisorAction
from floorapp.domain.states import CountSource, OrderState
from floorapp.domain.stock import ledger_mismatches
from tests.factories import pick_order, place_order, warehouse
from tests.flows_data import flows_warehouse


def _issue(session, kind):
    found = [issue for issue in exceptions.feed(session) if issue.kind == kind]
    assert len(found) == 1, found  # shown once, not once as an exception and again as a count
    return found[0]


def test_a_count_variance_is_approved_from_the_board(session):
    w = flows_warehouse(session)
    counting.request_count(session, w.locations["A-01-02-1"], CountSource.SUPERVISOR, "test")
    count = counting.next_count_for(session, w.picker)
    for raw in ("A-01-02-1", w.barcode["GLOVE-L"], "2"):
        counting.scan(session, count, w.picker, raw)
    counting.scan(session, count, w.picker, "DONE", Tolerance(units=1))
    session.commit()
    issue = _issue(session, "count_variance")
    assert {a.code for a in issue.actions} == {"approve", "recount", "reject"}
    with pytest.raises(DomainError, match="Only a supervisor"):
        exceptions.resolve(session, issue.key, "approve", w.picker)
    message = exceptions.resolve(session, issue.key, "approve", w.supervisor)
    session.commit()
    assert message == "Count at A-01-02-1 approved; the stock now shows what was counted."
    on_hand = session.scalar(select(Stock.on_hand).where(Stock.product_id == w.products["GLOVE-L"].id,
                                                         Stock.location_id == w.locations["A-01-02-1"].id))
    assert on_hand == 2
    assert [i for i in exceptions.feed(session) if i.kind == "count_variance"] == []
    assert session.scalars(select(SupervisorAction.subject)).all() == [issue.key]
    assert ledger_mismatches(session) == []


@pytest.fixture
def packed_short(session):
    wh = warehouse(session)
    stations.seed_demo(session)
    order = place_order(session, "SO-SHORT", [("MUG-350", 2)])
    pick_order(session, order, wh.picker, tote="T-0001")
    carton, _ = packing.start(session, wh.packer, "SO-SHORT")
    assert packing.verify(session, carton, wh.packer, wh.barcode["MUG-350"]).ok
    packing.report_missing(session, carton, wh.packer, order.lines[0].id, 1)
    session.commit()
    return wh, order, carton


def test_a_missing_item_at_packing_ships_partial_from_the_board(session, packed_short):
    wh, order, carton = packed_short
    issue = _issue(session, "missing_at_pack")
    assert {a.code for a in issue.actions} == {"ship_partial", "repick"}
    message = exceptions.resolve(session, issue.key, "ship_partial", wh.supervisor)
    session.commit()
    assert message == "Order SO-SHORT ships without 1 x MUG-350; they are backordered."
    packing.close(session, carton, wh.packer)
    shipping.confirm(session, carton, wh.packer)
    session.commit()
    assert order.status == OrderState.SHIPPED and (order.lines[0].shipped, order.lines[0].backordered) == (1, 1)
    assert ledger_mismatches(session) == []


def test_a_missing_item_at_packing_is_picked_again_from_the_board(session, packed_short):
    wh, order, _ = packed_short
    message = exceptions.resolve(session, _issue(session, "missing_at_pack").key, "repick", wh.supervisor)
    session.commit()
    assert message.startswith("Pick task ") and message.endswith(" made for the missing items.")


def test_the_goods_of_an_order_cancelled_after_picking_go_back_from_the_board(session):
    wh = warehouse(session)
    order = place_order(session, "SO-PB", [("MUG-350", 2)])
    pick_order(session, order, wh.picker, tote="T-0004")
    changes.cancel(session, order)
    session.commit()
    issue = _issue(session, "order_cancelled")
    message = exceptions.resolve(session, issue.key, "put_back", wh.supervisor)
    session.commit()
    assert message == "2 units go back to their locations; the totes are free."
    assert [i for i in exceptions.feed(session) if i.kind == "order_cancelled"] == []
    assert ledger_mismatches(session) == []
