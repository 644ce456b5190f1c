"""The tiny warehouse of tests/factories.py, plus what receiving, returns, counts and replenishment need:
a dock DOCK-01, RET-01 (returns), QUA-01 (quarantine), MUG-350's pick face A-01-01-1 (capacity 30, min 8,
max 20) and a reorder point of 30 for MUG-350 (it has 34 in storage)."""
from __future__ import annotations

from floorapp.domain import catalog, putaway, replenishment
from tests.factories import pack_order, pick_order, place_order, warehouse


def flows_warehouse(session, *, commit: bool = True):
    w = warehouse(session, commit=False)
    for code, zone, seq, kind in (("DOCK-01", "DOCK", 1, "receiving"), ("RET-01", "RET", 200, "returns"),
                                  ("QUA-01", "QUA", 210, "quarantine")):
        w.locations[code] = catalog.upsert_location(session, code, {"zone": zone, "pick_sequence": seq,
                                                                    "kind": kind})[0]
    w.mug_face = putaway.set_face(session, w.products["MUG-350"], w.locations["A-01-01-1"], capacity=30, min_qty=8,
                                  max_qty=20)
    replenishment.set_reorder_point(session, w.products["MUG-350"], 30)
    if commit:
        session.commit()
    return w


def shipped_order(session, w, external_id: str = "SO-RET-1", lines=(("MUG-350", 2), ("GLOVE-L", 1))):
    """An order picked, packed and shipped (ship-confirm is not built yet: quantities and state set here)."""
    from floorapp.domain.orders import set_state
    from floorapp.domain.states import OrderState
    order = place_order(session, external_id, list(lines))
    pick_order(session, order, w.picker)
    pack_order(session, order, w.packer)
    for line in order.lines:
        line.shipped = line.packed
    set_state(session, order, OrderState.SHIPPED)
    session.flush()
    return order
