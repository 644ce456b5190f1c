"""The figures, from a seeded shift with known scans and moves, against values worked out by hand."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from floorapp.domain import board, metrics, orders, scans
from floorapp.domain.models import StockMove
from floorapp.domain.scans import Outcome
from floorapp.domain.states import MoveReason, ScanResult
from floorapp.domain.stock import ledger_mismatches
from tests.factories import pack_order, pick_order, place_order, warehouse

DAY = dt.date(2026, 3, 2)
AT = lambda h, m=0: dt.datetime.combine(DAY, dt.time(h, m))
WINDOW = metrics.Window(AT(8), AT(10))


def _backdate(session, reason, times):
    moves = session.scalars(select(StockMove).where(StockMove.reason == reason).order_by(StockMove.id)).all()
    assert len(moves) == len(times)
    for move, when in zip(moves, times):
        move.created_at = when


def _scans(session, user, context, results, start):
    for n, result in enumerate(results):
        scans.keep(session, client_id=f"{user.badge}-{context}-{n}", user_id=user.id, device="test",
                   context=context, raw="X", step="", outcome=Outcome(result, ""), at=start + dt.timedelta(minutes=n))


def _seeded_shift(session):
    """Orders A (2 lines, on time), B (2 lines, one backordered, late), C (picked only), D (all backordered).

    Picks: Pat picks A (MUG x2 at A-01-01-1, GLOVE x1 at A-01-02-1) and C (MUG x1); Robin picks B (VITC x3
    at B-01-01-1). 4 lines, 7 units in the window 08:00-10:00 -> 2.0 lines per hour; zone A 3, zone B 1.
    """
    w = warehouse(session)  # lots expire relative to the real today: picking refuses expired lots
    a = place_order(session, "SO-A", [("MUG-350", 2), ("GLOVE-L", 1)], ship_by=DAY.isoformat())
    b = place_order(session, "SO-B", [("VITC-60", 3), ("THERMO-1L", 1)], ship_by=(DAY - dt.timedelta(days=1)).isoformat())
    c = place_order(session, "SO-C", [("MUG-350", 1)])
    place_order(session, "SO-D", [("THERMO-1L", 2)])
    pick_order(session, a, w.picker, "T-0001")
    pick_order(session, b, w.picker2, "T-0002")
    pick_order(session, c, w.picker, "T-0003")
    for order in (a, b):
        pack_order(session, order, w.packer)
        orders.ship_order(session, order, carrier="DHL", user_id=w.packer.id)
    a.created_at, b.created_at = AT(7), AT(7, 30)
    _backdate(session, MoveReason.PICK, [AT(8, 10), AT(8, 20), AT(8, 40), AT(9, 50)])
    _backdate(session, MoveReason.SHIP, [AT(9), AT(9), AT(9, 40)])  # A: two lines, B: one
    ok, refused = ScanResult.OK, ScanResult.REFUSED
    _scans(session, w.picker, "pick:1", [ok] * 4 + [refused] + [ok] * 5, AT(8, 5))      # 10 scans, 1 refused
    _scans(session, w.picker2, "pick:2", [ok, ok, refused, ok, ok], AT(8, 30))         # 5 scans, 1 refused
    _scans(session, w.packer, "pack", [ok] * 4, AT(9, 5))
    _scans(session, w.picker, "pick:9", [refused] * 3, AT(10, 30))                     # after the window
    session.commit()
    return w


def test_a_known_shift_gives_the_hand_computed_figures(session):
    _seeded_shift(session)
    figures = metrics.figures(session, WINDOW, now=AT(10))

    assert figures["window"]["hours"] == 2.0
    assert (figures["lines_picked"], figures["units_picked"], figures["lines_per_hour"]) == (4, 7, 2.0)
    assert [(z["zone"], z["lines"], z["lines_per_hour"]) for z in figures["zones"]] == [("A", 3, 1.5), ("B", 1, 0.5)]
    assert [(p["badge"], p["lines"], p["units"]) for p in figures["pickers"]] == [("P-0001", 3, 4), ("P-0002", 1, 3)]
    # 15 pick scans, 2 refused (the packer's scans and the scans after 10:00 do not count)
    assert (figures["pick_scans"], figures["pick_scans_refused"]) == (15, 2)
    assert figures["pick_accuracy"] == round(1 - 2 / 15, 4)
    # A and B shipped: 4 lines ordered, 3 shipped complete (B's thermos was never in stock)
    assert (figures["orders_shipped"], figures["lines_ordered"], figures["lines_shipped_complete"]) == (2, 4, 3)
    assert figures["fill_rate"] == 0.75
    # received -> shipped: A 07:00 -> 09:00 = 120 min, B 07:30 -> 09:40 = 130 min
    assert figures["cycle_time_minutes"] == {"median": 125.0, "p90": 130.0}
    # A due today shipped today: on time; B was due yesterday
    assert figures["on_time"] == {"shipped_with_ship_by": 2, "on_time": 1, "rate": 0.5}
    # 08:10 A mug x2, 08:20 A gloves x1, 08:40 B vitamins x3 | 09:50 C mug x1
    # D waits for 2 thermos; B's missing thermos left with B (shipped)
    assert figures["open_backorders"] == {"lines": 1, "units": 2}
    assert [(h["hour"][11:16], h["lines"], h["units"]) for h in figures["throughput"]] == [("08:00", 3, 6), ("09:00", 1, 1)]
    assert ledger_mismatches(session) == []


def test_figures_are_recomputed_from_the_records_and_follow_the_window(session):
    _seeded_shift(session)
    first_hour = metrics.figures(session, metrics.Window(AT(8), AT(9)), now=AT(12))
    assert (first_hour["lines_picked"], first_hour["lines_per_hour"], first_hour["orders_shipped"]) == (3, 3.0, 0)
    later = metrics.figures(session, metrics.Window(AT(10), AT(11)), now=AT(12))
    assert (later["pick_scans"], later["pick_scans_refused"], later["pick_accuracy"]) == (3, 3, 0.0)
    # half-way through a window, rates use the time that has passed
    running = metrics.figures(session, WINDOW, now=AT(9))
    assert running["window"]["hours"] == 1.0 and running["lines_picked"] == 3 and running["lines_per_hour"] == 3.0


def test_shift_windows_and_percentiles():
    assert metrics.shift_window(AT(7, 30)) == metrics.Window(AT(6), AT(14))
    assert metrics.shift_window(AT(23)) == metrics.Window(AT(22), AT(6) + dt.timedelta(days=1))
    assert metrics.shift_window(AT(3)) == metrics.Window(AT(22) - dt.timedelta(days=1), AT(6))
    assert metrics.percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 90) == 9
    assert metrics.percentile([], 90) is None


def test_people_show_their_rates_accuracy_and_idle_time(session):
    _seeded_shift(session)
    people = {p.user.badge: p for p in board.people(session, now=AT(11))}
    pat, robin = people["P-0001"], people["P-0002"]
    # shift 06:00-14:00, 5 hours passed at 11:00; Pat: A (2 lines, 3 units) + C (1 line, 1 unit);
    # 10 scans with 1 refused in the morning, 3 refused at 10:30-10:32
    assert (pat.shift["lines"], pat.shift["units"], pat.shift["scans"], pat.shift["refused"]) == (3, 4, 13, 4)
    assert (pat.shift["lines_per_hour"], pat.shift["units_per_hour"]) == (0.6, 0.8)
    assert pat.shift["accuracy"] == round(1 - 4 / 13, 4)
    assert (pat.last_hour["lines"], pat.last_hour["scans"], pat.last_hour["accuracy"]) == (0, 3, 0.0)
    assert pat.idle_minutes == 28
    assert (robin.shift["lines"], robin.shift["units"], robin.shift["accuracy"]) == (1, 3, 0.8)
    assert (pat.doing, robin.doing) == ("", "")
