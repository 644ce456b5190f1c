"""The floor board over HTTP: sections, supervisor actions (recorded, refused cleanly), and the metrics API."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from floorapp.domain import metrics
from floorapp.domain.models import FloorException, PickTask, SupervisorAction
from floorapp.domain.states import ExceptionKind, OrderState, TaskLineState, TaskState
from floorapp.domain.stock import ledger_mismatches, stock_row
from tests.factories import pick_order, place_order, release, take_task, warehouse


def _login(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True


@pytest.fixture
def floor(db_session):
    w = warehouse(db_session)
    w.order_a = place_order(db_session, "SO-A", [("MUG-350", 2)])
    w.order_b = place_order(db_session, "SO-B", [("GLOVE-L", 1)], priority="rush")
    db_session.commit()
    return w


def _fresh(db_session):
    """End the test's read transaction and forget what it saw: the next read sees what the routes committed."""
    db_session.rollback()
    db_session.expire_all()


def _hx(client, method, url, **kw):
    return getattr(client, method)(url, headers={"HX-Request": "true"}, **kw)


def test_the_board_shows_every_section_and_only_supervisors_get_it(client, floor):
    _login(client, floor.picker)
    assert client.get("/board/").status_code == 403
    assert client.get("/board/sections/stages").status_code == 403
    _login(client, floor.supervisor)
    page = client.get("/board/").get_data(as_text=True)
    for section in ("stages", "people", "tasks", "exceptions", "figures", "release"):
        assert f'id="board-{section}"' in page
    assert 'data-stage="allocated" data-count="2"' in page
    assert "uPlot-1.6.32.iife.min.js" in page
    fragment = _hx(client, "get", "/board/sections/stages").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="board-stages"') and "<html" not in fragment
    assert client.get("/board/sections/nothing").status_code == 404


def test_release_previews_lines_per_zone_then_releases_and_records_who(client, db_session, floor):
    _login(client, floor.supervisor)
    preview = _hx(client, "post", "/board/release", data={"priority": "rush", "limit": "10", "do": "preview"})
    text = preview.get_data(as_text=True)
    assert "1 orders chosen" in text and 'data-zone="A">A 1<' in text and "SO-B" in text and "SO-A" not in text
    done = _hx(client, "post", "/board/release", data={"priority": "", "limit": "10", "strategy": "piece", "do": "release"})
    assert done.status_code == 200 and "released: 2 orders, piece picking" in done.get_data(as_text=True)
    _fresh(db_session)
    assert db_session.get(type(floor.order_a), floor.order_a.id).status == OrderState.RELEASED
    audit = db_session.scalars(select(SupervisorAction)).all()
    assert [(a.action, a.user_id, a.detail["orders"]) for a in audit] == [("wave.release", floor.supervisor.id, ["SO-B", "SO-A"])]


def test_release_by_carrier_offers_the_carriers_asked_for_and_releases_only_their_orders(client, db_session, floor):
    ups = place_order(db_session, "SO-UPS", [("GLOVE-L", 1)], carrier="UPS")
    place_order(db_session, "SO-DHL", [("MUG-350", 1)], carrier="DHL")
    db_session.commit()
    _login(client, floor.picker)
    refused = _hx(client, "post", "/board/release", data={"carrier": "UPS", "limit": "10", "do": "release"})
    assert refused.status_code == 403
    _login(client, floor.supervisor)
    form = _hx(client, "get", "/board/sections/release").get_data(as_text=True)
    choice = form.split('name="carrier"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', choice) == ["", "DHL", "UPS"]
    assert 'title="UPS">UPS</small>' in _hx(client, "get", "/board/sections/stages").get_data(as_text=True)
    preview = _hx(client, "post", "/board/release", data={"carrier": "UPS", "limit": "10", "do": "preview"})
    text = preview.get_data(as_text=True)
    assert "1 orders chosen" in text and "SO-UPS (UPS)" in text and "SO-DHL" not in text.split('class="chosen"')[1]
    assert '<option value="UPS" selected>' in text and 'data-zone="A">A 1<' in text
    done = _hx(client, "post", "/board/release", data={"carrier": "UPS", "limit": "10", "strategy": "piece", "do": "release"})
    assert "released: 1 orders, piece picking" in done.get_data(as_text=True)
    _fresh(db_session)
    statuses = {o.external_id: o.status for o in db_session.scalars(select(type(ups)))}
    assert statuses == {"SO-UPS": OrderState.RELEASED, "SO-DHL": OrderState.ALLOCATED,
                        "SO-A": OrderState.ALLOCATED, "SO-B": OrderState.ALLOCATED}
    assert db_session.scalars(select(SupervisorAction)).one().detail["orders"] == ["SO-UPS"]


def test_a_strategy_the_waves_cannot_do_yet_is_refused_with_its_message(client, db_session, floor):
    _login(client, floor.supervisor)
    answer = _hx(client, "post", "/board/release", data={"limit": "10", "strategy": "zone", "do": "release"})
    assert answer.status_code in (200, 422)
    if answer.status_code == 422:  # until batch/zone waves land, waves.release says why, and nothing is saved
        assert 'class="feedback feedback-refused"' in answer.get_data(as_text=True)
        _fresh(db_session)
        assert db_session.scalars(select(PickTask)).all() == []
        assert db_session.scalars(select(SupervisorAction)).all() == []
    bad = _hx(client, "post", "/board/release", data={"limit": "0", "do": "release"})
    assert bad.status_code == 422 and "1 to 200" in bad.get_data(as_text=True)


def test_reassign_pause_resume_unassign_and_rush(client, db_session, floor):
    release(db_session, floor.order_a, floor.order_b)
    task = take_task(db_session, floor.picker)
    db_session.commit()
    _login(client, floor.supervisor)
    post = lambda **data: _hx(client, "post", "/board/tasks", data={"task": str(task.id), **data})
    assert "given to Robin Reyes" in post(action="reassign", picker=str(floor.picker2.id)).get_data(as_text=True)
    _fresh(db_session)
    assert (task.user_id, task.state) == (floor.picker2.id, TaskState.ASSIGNED)
    paused = post(action="pause")
    assert paused.status_code == 200, paused.get_data(as_text=True)
    assert f"Task {task.id} paused." in paused.get_data(as_text=True)
    _fresh(db_session)
    assert task.state == TaskState.PAUSED
    again = post(action="pause")
    assert again.status_code == 422 and "already paused" in again.get_data(as_text=True)
    post(action="resume")
    post(action="unassign")
    _fresh(db_session)
    assert (task.user_id, task.state) == (None, TaskState.OPEN)
    other = db_session.scalar(select(PickTask).where(PickTask.order_id == floor.order_a.id))
    assert other.priority == 0
    _hx(client, "post", f"/board/orders/{floor.order_a.id}/rush")
    _fresh(db_session)
    assert other.priority == 1 and floor.order_a.priority == "rush"
    actions = [a.action for a in db_session.scalars(select(SupervisorAction).order_by(SupervisorAction.id))]
    assert actions == ["task.reassign", "task.pause", "task.resume", "task.unassign", "order.rush"]


def _short(db_session, floor):
    """A short pick as the picking flow records one: the pick line closed short, an exception open."""
    release(db_session, floor.order_a)
    task = take_task(db_session, floor.picker, floor.order_a)
    line = task.lines[0]
    line.state, task.state = TaskLineState.SHORT, TaskState.DONE
    exc = FloorException(kind=ExceptionKind.SHORT_PICK, order_id=floor.order_a.id, location_id=line.location_id,
                         product_id=line.product_id, qty=line.qty, user_id=floor.picker.id, note="bin empty")
    db_session.add(exc)
    db_session.commit()
    return exc


def test_a_short_pick_is_re_picked_from_another_location(client, db_session, floor):
    exc = _short(db_session, floor)
    _login(client, floor.supervisor)
    board = _hx(client, "get", "/board/sections/exceptions").get_data(as_text=True)
    assert f'data-issue="exception:{exc.id}"' in board and "Re-pick from another location" in board
    answer = _hx(client, "post", "/board/exceptions", data={"key": f"exception:{exc.id}", "action": "repick"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "2 x MUG-350 from BULK-01-01" in answer.get_data(as_text=True)
    _fresh(db_session)
    assert exc.resolved_at is not None
    new = db_session.scalars(select(PickTask).where(PickTask.state == TaskState.OPEN)).one()
    assert [(line.location.code, line.qty) for line in new.lines] == [("BULK-01-01", 2)] and new.priority == 1
    assert ledger_mismatches(db_session) == []
    bulk = stock_row(db_session, floor.products["MUG-350"], floor.locations["BULK-01-01"])
    face = stock_row(db_session, floor.products["MUG-350"], floor.locations["A-01-01-1"])
    assert (bulk.reserved, face.reserved) == (2, 0)
    again = _hx(client, "post", "/board/exceptions", data={"key": f"exception:{exc.id}", "action": "repick"})
    assert again.status_code == 422 and "already resolved" in again.get_data(as_text=True)


@pytest.mark.parametrize("action,backordered", [("ship_partial", 2), ("cancel_line", 0)])
def test_ship_partial_backorders_and_cancel_line_does_not(client, db_session, floor, action, backordered):
    exc = _short(db_session, floor)
    _login(client, floor.supervisor)
    answer = _hx(client, "post", "/board/exceptions", data={"key": f"exception:{exc.id}", "action": action})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    _fresh(db_session)
    line = floor.order_a.lines[0]
    assert (line.allocated, line.backordered) == (0, backordered)
    assert metrics.open_backorders(db_session)["units"] == backordered
    assert stock_row(db_session, floor.products["MUG-350"], floor.locations["A-01-01-1"]).reserved == 0
    audit = db_session.scalars(select(SupervisorAction)).one()
    assert (audit.action, audit.subject, audit.detail["resolution"]) == ("exception.resolve", f"exception:{exc.id}", action)


def test_an_unknown_resolution_is_refused(client, db_session, floor):
    exc = _short(db_session, floor)
    _login(client, floor.supervisor)
    answer = _hx(client, "post", "/board/exceptions", data={"key": f"exception:{exc.id}", "action": "approve"})
    assert answer.status_code == 422 and "does not resolve a short pick" in answer.get_data(as_text=True)
    assert _hx(client, "post", "/board/exceptions", data={"key": "exception:999", "action": "repick"}).status_code == 422


def test_metrics_api_agrees_with_the_board(client, api, db_session, floor):
    pick_order(db_session, floor.order_b, floor.picker)
    db_session.commit()
    _login(client, floor.supervisor)
    board = _hx(client, "get", "/board/sections/figures").get_data(as_text=True)
    start = re.search(r'data-window-start="([^"]+)"', board).group(1)
    end = re.search(r'data-window-end="([^"]+)"', board).group(1)
    body = api.get(f"/api/v1/metrics?start={start}&end={end}").get_json()
    assert body["lines_picked"] == 1
    assert f'<td data-figure="lines_picked">{body["lines_picked"]}</td>' in board
    assert f'<td data-figure="lines_per_hour">{body["lines_per_hour"]}</td>' in board
    assert api.get("/api/v1/metrics?window=shift").get_json()["window"]["start"] == start


def test_metrics_api_refuses_bad_windows_and_missing_tokens(client, api):
    assert client.get("/api/v1/metrics").status_code == 401
    bad = api.get("/api/v1/metrics?start=yesterday")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "start"
    backwards = api.get("/api/v1/metrics?start=2026-03-02T10:00:00&end=2026-03-02T09:00:00")
    assert backwards.status_code == 422
    assert api.get("/api/v1/metrics?window=year").status_code == 422
    assert api.get("/api/v1/metrics?window=today").status_code == 200
