"""The admin screens: upload an order file and follow it, webhook subscribers, deliveries, email texts."""
from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import select

from floorapp.domain import events
from floorapp.domain.models import Order, OutboxMessage, WebhookSubscription
from tests.factories import warehouse

from .floor_data import log_in

HEADER = ("external_id,customer_name,customer_email,ship_to_name,ship_to_line1,ship_to_line2,ship_to_city,"
          "ship_to_region,ship_to_postal_code,ship_to_country,priority,ship_by,sku,qty\n")
ROW = "{id},Ada,ada@example.com,Ada,1 Main St,,Springfield,IL,62701,US,normal,,{sku},{qty}\n"
BAD_CSV = HEADER + ROW.format(id="UP-1", sku="MUG-350", qty=1) + ROW.format(id="UP-2", sku="NOPE", qty=1) \
    + ROW.format(id="UP-3", sku="GLOVE-L", qty="x") + ROW.format(id="UP-4", sku="UMB-RED", qty=2)


@pytest.fixture
def admin(client, db_session):
    warehouse(db_session)
    log_in(client, "A-0001")
    return client


def _follow(client, location: str, timeout: float = 60) -> str:
    """Poll the job page as the htmx fragment does until the import is no longer running."""
    deadline = time.monotonic() + timeout
    while True:
        fragment = client.get(location, headers={"HX-Request": "true"}).text
        state = re.search(r'data-state="(\w+)"', fragment).group(1)
        if state not in ("queued", "checking", "importing") or time.monotonic() > deadline:
            return fragment
        assert 'hx-trigger="every 1s"' in fragment  # the page keeps asking while it runs
        time.sleep(0.1)


def _upload(client, text: str, good_rows: bool = False):
    data = {"file": (io.BytesIO(text.encode()), "orders.csv")}
    if good_rows:
        data["good_rows"] = "1"
    return client.post("/admin/imports", data=data, content_type="multipart/form-data")


def test_a_bad_file_shows_each_row_problem_and_imports_nothing_until_asked(admin, db_session):
    response = _upload(admin, BAD_CSV)
    assert response.status_code == 303
    page = _follow(admin, response.location)
    assert 'data-state="refused"' in page and "Nothing imported: 2 problem(s)" in page
    rows = re.findall(r'<tr data-row="(\d+)" data-column="(\w+)"><td>\d+</td><td>\w+</td><td>([^<]+)</td>', page)
    assert rows == [("3", "sku", "Unknown SKU NOPE."), ("4", "qty", "Quantity must be a whole number from 1 to 1000000.")]
    assert db_session.scalars(select(Order)).all() == []
    assert "Import the good rows" in page
    job_id = re.search(r"/admin/imports/(\d+)", response.location).group(1)
    again = admin.post(f"/admin/imports/{job_id}/good-rows")
    page = _follow(admin, again.location)
    assert 'data-state="done"' in page and "Imported 2 new order(s)" in page and "2 row(s) with problems skipped" in page
    db_session.rollback()
    assert sorted(o.external_id for o in db_session.scalars(select(Order))) == ["UP-1", "UP-4"]


def test_a_good_file_imports_with_progress_and_the_list_shows_it(admin, db_session):
    text = HEADER + "".join(ROW.format(id=f"OK-{i}", sku="UMB-RED", qty=1) for i in range(30))
    page = _follow(admin, _upload(admin, text).location)
    assert 'data-state="done"' in page and '<progress max="100" value="100"' in page
    listing = admin.get("/admin/imports").text
    assert "orders.csv" in listing and "30 / 30" in listing


def test_upload_refuses_what_is_not_an_order_file(admin):
    response = admin.post("/admin/imports", data={"file": (io.BytesIO(b"x"), "orders.xlsx")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a .csv or .json order file." in response.text


def test_an_internal_webhook_receiver_is_refused_with_a_clear_answer(admin, db_session):
    form = {"url": "http://169.254.169.254/latest/meta-data/", "events": ["stock.low"]}
    page = admin.post("/admin/webhooks", data=form)
    assert page.status_code == 422 and "The host 169.254.169.254 is an internal address" in page.text
    answer = admin.post("/admin/webhooks", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "validation_failed" and [d["field"] for d in error["details"]] == ["url"]
    assert "link-local" in error["details"][0]["message"]
    assert db_session.scalar(select(WebhookSubscription)) is None


def test_webhook_subscribers_and_deliveries_with_replay(admin, db_session):
    page = admin.post("/admin/webhooks", data={"url": "http://erp.invalid/hook", "events": ["stock.low"]})
    assert page.status_code == 200 and "Signing secret" in page.text
    secret = db_session.scalar(select(WebhookSubscription)).secret
    assert secret in page.text
    assert admin.post("/admin/webhooks", data={"url": "nope", "events": []}).status_code == 422
    events.record(db_session, "stock.low", {"sku": "MUG-350", "on_hand": 1, "reorder_point": 5})
    db_session.commit()
    row = db_session.scalar(select(OutboxMessage))
    row.state, row.attempts, row.last_status, row.last_response = "failed", 12, 503, "maintenance window"
    row.last_attempt_at = row.created_at
    db_session.commit()
    listing = admin.get("/admin/deliveries?state=failed").text
    assert "stock.low" in listing and "503 at" in listing and "maintenance window" in listing
    replayed = admin.post(f"/admin/deliveries/{row.id}/replay", headers={"HX-Request": "true"})
    assert "goes out again now" in replayed.text and "<html" not in replayed.text
    db_session.rollback()
    db_session.refresh(row)
    assert row.state == "pending"


def test_email_templates_are_edited_and_checked(admin):
    page = admin.get("/admin/emails/order.shipped").text
    assert "Your order {{ order.external_id" in page
    saved = admin.post("/admin/emails/order.shipped", data={"subject": "Shipped {{ data.order }}",
                                                           "body": "Tracking {{ tracking_numbers|join(', ') }}"})
    assert saved.status_code == 200 and "Saved" in saved.text
    assert "Shipped {{ data.order }}" in admin.get("/admin/emails/order.shipped").text
    broken = admin.post("/admin/emails/order.shipped", data={"subject": "x", "body": "{% if %}"})
    assert broken.status_code == 422 and "does not render" in broken.text
    reset = admin.post("/admin/emails/order.shipped", data={"action": "reset"})
    assert "Back to the default" in reset.text and "Your order {{ order.external_id" in reset.text


@pytest.mark.parametrize("badge", ["P-0001", "S-0001"])
def test_only_admins_open_the_admin_screens(client, db_session, badge):
    warehouse(db_session)
    log_in(client, badge)
    for path in ("/admin/imports", "/admin/webhooks", "/admin/deliveries", "/admin/emails"):
        assert client.get(path).status_code == 403
