"""The picking screens over HTTP: fragments for htmx, pages for plain forms, scans never counted twice."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from floorapp.domain.models import Scan, Stock, StockMove

from .floor_data import MUG_GTIN, log_in, small_floor


@pytest.fixture
def task_url(client, db_session):
    small_floor(db_session)
    log_in(client, "P-0001")
    return client.post("/pick/next").location


def _scan(client, task_url, code, scan_id, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(task_url + "/scan", data={"scan": code, "scan_id": scan_id}, headers=headers)


def _expect(response) -> str:
    return re.search(r'data-expect="(\w+)"', response.text).group(1)


def test_htmx_gets_the_step_fragment_and_a_plain_form_the_whole_page(client, task_url):
    fragment = _scan(client, task_url, "A-01-01-1", "s1")
    assert fragment.status_code == 200 and "<html" not in fragment.text and _expect(fragment) == "product"
    assert "HX-Request" in fragment.headers["Vary"]
    page = _scan(client, task_url, MUG_GTIN, "s2", htmx=False)
    assert "<html" in page.text and 'name="scan"' in page.text and _expect(page) == "qty"


def test_wrong_product_and_unknown_barcode_say_different_things(client, task_url):
    _scan(client, task_url, "A-01-01-1", "s1")
    wrong = _scan(client, task_url, "4006381333931", "s2")
    assert wrong.status_code == 422
    assert "Wrong item: this is SKU-CUP Red Cup. Scan SKU-MUG Blue Mug." in wrong.text
    unknown = _scan(client, task_url, "0000000000000", "s3")
    assert "Barcode 0000000000000 not found" in unknown.text
    assert _expect(unknown) == "product"


def test_a_replayed_scan_gets_the_first_answer_and_changes_nothing_twice(client, task_url, db_session):
    for code, scan_id in (("A-01-01-1", "a"), (MUG_GTIN, "b"), ("2", "c")):
        assert _scan(client, task_url, code, scan_id).status_code == 200
    first = _scan(client, task_url, "T-0001", "d")
    db_session.rollback()
    moves_after_first = db_session.scalar(select(func.count()).select_from(StockMove))
    replay = _scan(client, task_url, "T-0001", "d")
    assert replay.status_code == 200
    assert re.search(r'class="feedback[^>]*>([^<]*)', replay.text).group(1) == \
        re.search(r'class="feedback[^>]*>([^<]*)', first.text).group(1)
    db_session.rollback()  # end the read snapshot, see what the server committed
    assert db_session.scalar(select(func.count()).select_from(StockMove)) == moves_after_first
    assert db_session.scalar(select(func.count()).select_from(Scan).where(Scan.client_id == "d")) == 1
    bin_stock = db_session.scalar(select(Stock).where(Stock.on_hand == 3))
    assert bin_stock is not None and bin_stock.reserved == 0


def test_an_empty_scan_is_refused_with_the_instruction(client, task_url):
    response = _scan(client, task_url, "   ", "e")
    assert response.status_code == 422 and "Go to A-01-01-1 and scan the location." in response.text


def test_a_task_survives_a_dead_battery(client, task_url, app):
    _scan(client, task_url, "A-01-01-1", "s1")
    other_device = app.test_client()
    log_in(other_device, "P-0001")
    assert other_device.get("/pick/").location == task_url
    assert _expect(other_device.get(task_url)) == "product"
