"""Picking routes beyond the scan: Can't pick, Skip, batch carts, lots, paused tasks, sorting; roles and replays."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from floorapp.domain import waves
from floorapp.domain.models import CycleCount, FloorException, PickTask, Scan
from floorapp.domain.states import TaskState, WaveStrategy
from tests.factories import place_order, warehouse

from .floor_data import log_in


def _step(response) -> dict[str, str]:
    tag = re.search(r'<section id="step"[^>]*>', response.text).group(0)
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag))


def _feedback(response) -> str:
    return re.search(r'class="feedback[^>]*>([^<]*)', response.text).group(1)


@pytest.fixture
def wh(db_session):
    return warehouse(db_session)


def _start(client, db_session, wh, lines, badge="P-0001", strategy=WaveStrategy.PIECE):
    order = place_order(db_session, "SO-R", lines)
    waves.release(db_session, [order], strategy=strategy)
    db_session.commit()
    log_in(client, badge)
    return client.post("/pick/next").location


def _post(client, url, scan_id, **data):
    return client.post(url, data={"scan_id": scan_id, **data}, headers={"HX-Request": "true"})


def test_cant_pick_re_routes_and_a_replay_changes_nothing(client, db_session, wh):
    url = _start(client, db_session, wh, [("MUG-350", 3)])
    page = client.get(url)
    assert 'data-reason="empty"' in page.text and re.search(r'name="scan_id" value="srv-[0-9a-f-]+"', page.text)

    first = _post(client, url + "/short", "short-1", reason="empty")
    assert first.status_code == 200
    assert _feedback(first).startswith("Short 3 x MUG-350 at A-01-01-1 (location empty). 3 more at BULK-01-01")
    assert _step(first)["expect"] == "location" and _step(first)["code"] == "BULK-01-01"
    again = _post(client, url + "/short", "short-1", reason="empty")
    assert _feedback(again) == _feedback(first)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(FloorException)) == 1
    assert db_session.scalar(select(func.count()).select_from(CycleCount)) == 1
    assert db_session.scalar(select(Scan.raw).where(Scan.client_id == "short-1")) == "cant-pick:empty"


def test_cant_pick_needs_a_reason(client, db_session, wh):
    url = _start(client, db_session, wh, [("MUG-350", 1)])
    response = _post(client, url + "/short", "short-x", reason="bored")
    assert response.status_code == 422 and "Choose why" in _feedback(response)


def test_skip_moves_the_location_to_the_end_and_replays_once(client, db_session, wh):
    url = _start(client, db_session, wh, [("MUG-350", 1), ("GLOVE-L", 1)])
    assert "data-skip" in client.get(url).text
    skipped = _post(client, url + "/skip", "skip-1")
    assert _step(skipped)["code"] == "A-01-02-1"
    assert _feedback(skipped).startswith("Skipped A-01-01-1; it comes back at the end.")
    assert _step(_post(client, url + "/skip", "skip-1"))["code"] == "A-01-02-1"  # replay: not skipped twice
    swapped = _post(client, url + "/skip", "skip-2")  # a new id skips again: back to the first place
    assert swapped.status_code == 200 and _step(swapped)["code"] == "A-01-01-1"


def test_a_batch_task_starts_at_the_cart_and_names_each_tote(client, db_session, wh):
    url = _start(client, db_session, wh, [("MUG-350", 2)], strategy=WaveStrategy.BATCH)
    cart = _step(client.get(url))
    assert (cart["step"], cart["expect"], cart["code"], cart["order"]) == ("cart", "tote", "", "SO-R")
    loaded = _post(client, url + "/scan", "c1", scan="T-0004")
    assert _step(loaded)["expect"] == "location"
    for raw, sid in (("A-01-01-1", "c2"), (wh.barcode["MUG-350"], "c3")):
        _post(client, url + "/scan", sid, scan=raw)
    qty = client.get(url, headers={"HX-Request": "true"})
    assert _step(qty)["expect"] == "qty" and "data-qty-keypad" in qty.text
    tote = _post(client, url + "/scan", "c4", scan="2")
    assert _step(tote)["expect"] == "tote" and _step(tote)["code"] == "T-0004"
    done = _post(client, url + "/scan", "c5", scan="T-0004")
    assert _step(done)["expect"] == "done" and "Take T-0004 to packing" in done.text


def test_a_lot_step_is_marked_for_automation(client, db_session, wh):
    url = _start(client, db_session, wh, [("VITC-60", 1)])
    _post(client, url + "/scan", "l1", scan="B-01-01-1")
    lot = _post(client, url + "/scan", "l2", scan=wh.barcode["VITC-60"])
    assert (_step(lot)["expect"], _step(lot)["code"]) == ("lot", "L-SOON")
    expired = _post(client, url + "/scan", "l3", scan="]d201" + wh.barcode["VITC-60"].zfill(14) + "1701010110L-SOON")
    assert expired.status_code == 422 and _feedback(expired) == "Lot L-SOON expired on 2001-01-01; take another lot."


def test_a_paused_task_refuses_scans_over_http(client, db_session, wh):
    url = _start(client, db_session, wh, [("MUG-350", 1)])
    task = db_session.scalar(select(PickTask))
    task.state = TaskState.PAUSED
    db_session.commit()
    response = _post(client, url + "/scan", "p1", scan="A-01-01-1")
    assert response.status_code == 422
    assert _feedback(response) == "Your supervisor paused this task. Wait, or ask them to resume it."
    assert client.get("/pick/").status_code == 200  # no redirect into the paused task


def test_sorting_screen_for_pickers_and_packers_only(client, app, db_session, wh):
    order = place_order(db_session, "SO-ZR", [("MUG-350", 1)])
    waves.release(db_session, [order], strategy=WaveStrategy.ZONE)
    db_session.commit()
    assert client.get("/sort/").status_code == 302  # log in first
    log_in(client, "K-0001")
    page = client.get("/sort/")
    assert page.status_code == 200 and _step(page)["expect"] == "tote" and 'name="scan"' in page.text
    refused = _post(client, "/sort/scan", "s1", scan="T-0001")
    assert refused.status_code == 422
    assert _feedback(refused) == "Tote T-0001 has nothing to sort. Scan a tote from zone picking."
    assert _feedback(_post(client, "/sort/scan", "s1", scan="T-0002")) == _feedback(refused)  # replay
    assert client.get("/pick/").status_code == 403  # a packer does not pick



def test_a_sorter_carries_on_from_another_device(client, app, db_session, wh):
    from floorapp.domain import picking
    from tests.factories import pick_task, take_task

    order = place_order(db_session, "SO-ZD", [("MUG-350", 2)])
    waves.release(db_session, [order], strategy=WaveStrategy.ZONE)
    db_session.commit()
    task = take_task(db_session, wh.picker)
    pick_task(db_session, task, wh.picker, "T-0003")
    db_session.commit()
    assert picking.totes_of(task) == ["T-0003"]

    log_in(client, "P-0002")  # a picker may sort
    assert _step(_post(client, "/sort/scan", "d1", scan="T-0003"))["expect"] == "product"
    put = _post(client, "/sort/scan", "d2", scan=wh.barcode["MUG-350"])
    assert (_step(put)["expect"], _step(put)["order"]) == ("sort", "SO-ZD")
    other_device = app.test_client()
    log_in(other_device, "P-0002")
    resumed = _step(other_device.get("/sort/"))
    assert (resumed["expect"], resumed["order"], resumed["code"]) == ("sort", "SO-ZD", "")
    assert _step(_post(other_device, "/sort/scan", "d3", scan="T-0008"))["expect"] == "product"
