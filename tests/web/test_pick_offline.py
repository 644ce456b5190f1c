"""What the handheld needs to pick offline, over HTTP: the task's route as JSON, the service worker, a scan
the floor's rules refused with an error kept and answered like any refusal, and the app's own time."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from floorapp.domain.models import PickTaskLine, Scan, Stock
from floorapp.domain.states import MoveReason
from floorapp.domain.stock import ledger_mismatches, move

from .floor_data import MUG_GTIN, log_in, small_floor


@pytest.fixture
def task_url(client, db_session):
    small_floor(db_session)
    log_in(client, "P-0001")
    return client.post("/pick/next").location


def _scan(client, task_url, code, scan_id):
    return client.post(task_url + "/scan", data={"scan": code, "scan_id": scan_id}, headers={"HX-Request": "true"})


def test_the_route_lists_each_line_to_pick_with_every_code_that_is_its_product(client, task_url):
    route = client.get("/pick/task.json").get_json()
    assert route["task"] == int(task_url.rsplit("/", 1)[-1])
    assert (route["step"], route["counted"], route["totes"], route["order"]) == ("location", 0, [], "SO-1")
    assert route["scan_url"] == task_url + "/scan" and route["page_url"] == task_url
    [line] = route["lines"]
    assert (line["location"], line["sku"], line["qty"]) == ("A-01-01-1", "SKU-MUG", 2)
    assert line["codes"] == [MUG_GTIN, "SKU-MUG"]
    assert [s["expect"] for s in line["steps"]] == ["location", "product", "qty", "tote"]
    assert line["tote_rule"] == {"suggest": None, "own": [], "free_ok": True}
    assert route["messages"]["WRONG_LOCATION"] == "Wrong location: this is {scanned}. Go to {expected}."


def test_the_route_follows_the_task_and_drops_picked_lines(client, task_url):
    for code, scan_id in (("A-01-01-1", "a"), (MUG_GTIN, "b")):
        _scan(client, task_url, code, scan_id)
    route = client.get("/pick/task.json?task=" + task_url.rsplit("/", 1)[-1]).get_json()
    assert (route["step"], route["counted"]) == ("qty", 1)
    _scan(client, task_url, "2", "c")
    _scan(client, task_url, "T-0001", "d")
    route = client.get("/pick/task.json").get_json()  # the task is done: no current task
    assert route == {"task": None, "lines": []}
    done = client.get("/pick/task.json?task=" + task_url.rsplit("/", 1)[-1]).get_json()
    assert (done["step"], done["lines"], done["totes"]) == ("done", [], ["T-0001"])


def test_another_pickers_task_is_not_shown(client, task_url):
    client.post("/logout")
    log_in(client, "P-0002")
    assert client.get("/pick/task.json?task=" + task_url.rsplit("/", 1)[-1]).status_code == 403
    assert client.get("/pick/task.json?task=99999").status_code == 404


def test_a_packer_may_not_read_the_route(client, task_url):
    client.post("/logout")
    log_in(client, "K-0001")
    assert client.get("/pick/task.json").status_code == 403


def test_the_service_worker_is_served_for_the_whole_site_and_names_the_app_shell(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.headers["Service-Worker-Allowed"] == "/"
    assert answer.headers["Cache-Control"] == "no-cache"
    shell = re.search(r"self\.FLOOR = (\{.*?\});", answer.text).group(1)
    for name in ("/static/floor.js", "/static/offline.js", "/static/offline_steps.js", "/static/floor.css", "/static/vendor/htmx-2.0.11.min.js"):
        assert f'"{name}"' in shell
    assert '"/static/sw.js"' not in shell
    assert 'request.method !== "GET"' in answer.text  # a POST is never answered from a cache


def test_every_page_loads_the_offline_queue_and_shows_its_counter(client, task_url):
    page = client.get(task_url).text
    assert 'src="/static/offline_steps.js"' in page and 'src="/static/offline.js"' in page
    assert 'data-task-json="/pick/task.json"' in page
    assert 'id="offline-status"' in page and 'data-waiting="0"' in page


def test_a_scan_the_rules_refuse_with_an_error_is_kept_refused_and_answered_the_same_when_resent(
        client, task_url, db_session):
    for code, scan_id in (("A-01-01-1", "a"), (MUG_GTIN, "b"), ("2", "c")):
        assert _scan(client, task_url, code, scan_id).status_code == 200
    # Meanwhile the bin was emptied (the stock was taken while the handheld was offline).
    line = db_session.scalars(select(PickTaskLine)).one()
    row = db_session.scalar(select(Stock).where(Stock.product_id == line.product_id,
                                                Stock.location_id == line.location_id))
    move(db_session, product=line.product, qty=row.on_hand, reason=MoveReason.ADJUST, source=line.location)
    db_session.commit()
    first = _scan(client, task_url, "T-0001", "d")
    assert first.status_code == 422
    assert 'data-result="refused"' in first.text and f'data-resync="{task_url}"' in first.text
    assert "Only 0 of SKU-MUG at A-01-01-1." in first.text
    again = _scan(client, task_url, "T-0001", "d")
    assert "Only 0 of SKU-MUG at A-01-01-1." in again.text
    db_session.rollback()
    kept = db_session.scalars(select(Scan).where(Scan.client_id == "d")).all()
    assert [(s.result.value, s.message) for s in kept] == [("refused", "Only 0 of SKU-MUG at A-01-01-1.")]
    assert db_session.scalar(select(func.count()).select_from(Scan)) == 4
    # Nothing half-saved: the line is still open at the tote step, the tote still free, the ledger true.
    route = client.get("/pick/task.json").get_json()
    assert (route["step"], route["totes"]) == ("tote", [])
    assert ledger_mismatches(db_session) == []


def test_every_answer_says_how_long_the_app_took(client):
    timing = client.get("/healthz").headers["Server-Timing"]
    found = re.fullmatch(r"app;dur=(\d+\.\d\d), own;dur=(\d+\.\d\d)", timing)
    assert found and 0 < float(found.group(2)) <= float(found.group(1))
