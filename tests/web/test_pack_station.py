"""The pack station over HTTP: station chosen by scan, verify, close with box and weight, print jobs, order
page, ship confirm, admin set-up and label batches; the documents API."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from floorapp.domain import printjobs, stations
from floorapp.domain.models import PrintJob
from floorapp.domain.states import PrintState
from printing import is_valid_sscc
from tests.factories import pick_order, place_order, warehouse
from tests.web.floor_data import log_in


@pytest.fixture
def app(app):
    app.config["PRINT_KICK"] = False   # the test sends print jobs itself, when it wants to
    return app


@pytest.fixture
def floor(db_session):
    wh = warehouse(db_session)
    stations.seed_demo(db_session)
    order = place_order(db_session, "SO-WEB", [("MUG-350", 2), ("GLOVE-L", 1)])
    pick_order(db_session, order, wh.picker, tote="T-0001")
    db_session.commit()
    return wh


def _fresh(session):
    """End the test session's read transaction so it sees what the requests committed."""
    session.rollback()
    session.expire_all()
    return session


def _step(html: str) -> dict[str, str]:
    tag = re.search(r'<section id="step"[^>]*>', html, re.DOTALL).group(0)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


def _scan(client, url: str, code: str):
    return client.post(url, data={"scan": code}, headers={"HX-Request": "true"})


def _pack_all(client, floor, carton_url):
    for sku in ("MUG-350", "MUG-350", "GLOVE-L"):
        response = _scan(client, carton_url + "/scan", floor.barcode[sku])
        assert response.status_code == 200, response.text
    return response


def test_a_device_becomes_a_station_by_scanning_its_code(client, floor):
    log_in(client, "K-0001")
    page = client.get("/pack/").text
    assert _step(page)["expect"] == "station" and "PACK-1" in page
    refused = _scan(client, "/pack/start", "PACK-9")
    assert refused.status_code == 422 and "PACK-9 is not a tote or order waiting for packing" in refused.text
    chosen = _scan(client, "/pack/start", "PACK-2")
    assert _step(chosen.text)["expect"] == "order" and "This device is pack station PACK-2." in chosen.text
    assert "floorapp_station=PACK-2" in chosen.headers["Set-Cookie"]
    started = _scan(client, "/pack/start", "T-0001")
    assert started.headers["HX-Redirect"].startswith("/pack/cartons/")


def test_the_close_step_proposes_the_carrier_the_order_asked_for(client, floor, db_session):
    order = place_order(db_session, "SO-FRT", [("GLOVE-L", 1)], carrier="Freight")
    pick_order(db_session, order, floor.picker, tote="T-0002")
    db_session.commit()
    log_in(client, "K-0001")
    _scan(client, "/pack/start", "PACK-1")
    carton_url = _scan(client, "/pack/start", "T-0002").headers["HX-Redirect"]
    page = client.get(carton_url).text
    assert "carton 1 · <span class=\"carrier\" title=\"carrier asked for\">Freight</span>" in page
    selected = re.findall(r'<option value="([^"]+)" selected>', page.split('name="service"')[1].split("</select>")[0])
    assert selected == ["freight:Pallet"]
    other = client.get(_scan(client, "/pack/start", "T-0001").headers["HX-Redirect"]).text  # asked for none
    assert re.findall(r'<option value="([^"]+)" selected>', other.split('name="service"')[1]) == []
    assert 'class="carrier"' not in other


def test_pack_close_print_and_ship_over_http(app, client, floor, db_session, api):
    log_in(client, "K-0001")
    _scan(client, "/pack/start", "PACK-1")
    carton_url = _scan(client, "/pack/start", "T-0001").headers["HX-Redirect"]
    page = client.get(carton_url).text
    assert "suggested: M" in page and 'data-expect="item"' in page

    wrong = _scan(client, carton_url + "/scan", floor.barcode["UMB-RED"])
    assert wrong.status_code == 422 and _step(wrong.text)["result"] == "refused"
    assert "Wrong item: UMB-RED Red Compact Umbrella is not in order SO-WEB." in wrong.text
    blocked = client.post(carton_url + "/close", data={}, headers={"HX-Request": "true"})
    assert blocked.status_code == 409 and "Verify every item before closing" in blocked.text
    assert db_session.scalar(select(PrintJob.id)) is None          # no label before verification

    done = _pack_all(client, floor, carton_url)
    assert _step(done.text)["expect"] == "close"
    far = client.post(carton_url + "/close", data={"box": "S", "weight_g": "4000"}, headers={"HX-Request": "true"})
    assert far.status_code == 409 and "far from the expected" in far.text and 'name="confirm_weight"' in far.text
    closed = client.post(carton_url + "/close", data={"box": "S", "weight_g": "1050", "service": "manual:Express"},
                         headers={"HX-Request": "true"})
    assert closed.status_code == 200 and "Order SO-WEB is packed" in closed.text
    sscc = _step(closed.text)["sscc"]
    assert is_valid_sscc(sscc)

    jobs = _fresh(db_session).scalars(select(PrintJob).order_by(PrintJob.id)).all()
    assert [(j.document, j.state, j.station_code) for j in jobs] == [
        (f"carton-label:{sscc}", PrintState.QUEUED, "PACK-1"), (f"shipping-label:{sscc}", PrintState.QUEUED, "PACK-1"),
        ("packing-slip:SO-WEB", PrintState.QUEUED, "PACK-1")]
    assert printjobs.send_due(app.extensions["floorapp.sessionmaker"]) == 3      # the browser printer: handed over
    panel = client.get("/pack/jobs", headers={"HX-Request": "true"}).text
    assert panel.count('data-state="sent"') == 3 and "Open" in panel
    opened = client.get(f"/pack/jobs/{jobs[0].id}/document")
    assert opened.mimetype == "application/pdf" and opened.data.startswith(b"%PDF")

    body = api.get("/api/v1/orders/SO-WEB").get_json()
    [carton] = body["cartons"]
    assert (carton["sscc"], carton["carrier"], carton["service"]) == (sscc, "manual", "Express")
    assert carton["tracking"].startswith("MAN") and carton["weight_g"] == 1050 and body["status"] == "packed"

    for path in (f"/api/v1/cartons/{sscc}/label.pdf", f"/api/v1/cartons/{sscc}/shipping-label.pdf",
                 "/api/v1/orders/SO-WEB/packing-slip.pdf"):
        first, again = api.get(path), api.get(path)
        assert first.status_code == 200 and first.mimetype == "application/pdf" and first.data == again.data
    for path in (f"/api/v1/cartons/{sscc}/label.zpl", f"/api/v1/cartons/{sscc}/shipping-label.zpl"):
        zpl = api.get(path)
        assert zpl.mimetype == "application/vnd.zebra.zpl" and zpl.data.startswith(b"^XA")
    assert api.get("/api/v1/cartons/000000000000000000/label.pdf").status_code == 404
    assert client.get(f"/pack/cartons/{sscc}/carton-label.pdf").data == api.get(f"/api/v1/cartons/{sscc}/label.pdf").data

    shipped = client.post("/pack/orders/SO-WEB/ship", data={f"tracking_{carton['id']}": "1Z999AA10123456784"})
    assert shipped.status_code == 200 and "Order SO-WEB is shipped." in shipped.text
    assert api.get("/api/v1/orders/SO-WEB").get_json()["cartons"][0]["tracking"] == "1Z999AA10123456784"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    manifest = api.get(f"/api/v1/manifests/{today}.pdf")
    assert manifest.status_code == 200 and manifest.data.startswith(b"%PDF")
    assert api.get("/api/v1/manifests/2001-01-01.pdf").status_code == 404
    assert api.get("/api/v1/manifests/not-a-day.pdf").status_code == 422


def test_a_failed_job_can_be_sent_to_another_printer(client, floor, db_session):
    log_in(client, "K-0001")
    _scan(client, "/pack/start", "PACK-1")
    station = stations.station_for(db_session, "PACK-1")
    job = printjobs.enqueue(db_session, station.label_printer, document="carton-label:X", content=b"%PDF-1.4",
                            fmt=station.label_printer.language, station_code="PACK-1")
    job.state, job.error = PrintState.FAILED, "paper out"
    db_session.commit()
    panel = client.get("/pack/jobs", headers={"HX-Request": "true"}).text
    assert 'data-state="failed"' in panel and "paper out" in panel
    moved = client.post(f"/pack/jobs/{job.id}/retry", data={"printer": "Zebra ZD421 dock"}, headers={"HX-Request": "true"})
    assert moved.status_code == 409 and "prints ZPL" in moved.text       # a PDF job cannot go to a ZPL printer
    again = client.post(f"/pack/jobs/{job.id}/retry", data={}, headers={"HX-Request": "true"})
    assert again.status_code == 200
    assert _fresh(db_session).get(PrintJob, job.id).state == PrintState.QUEUED


def test_admin_sets_up_printers_and_boxes_and_prints_a_whole_aisle_of_labels(client, floor, db_session):
    log_in(client, "A-0001")
    saved = client.post("/pack/setup/printer", data={"name": "Zebra 2", "transport": "tcp9100",
                                                     "address": "10.0.0.9:9100", "language": "zpl"})
    assert saved.status_code == 200 and "Saved printer Zebra 2." in saved.text
    bad = client.post("/pack/setup/box", data={"code": "T", "length_mm": "abc", "width_mm": "1", "height_mm": "1",
                                               "max_weight_g": "1"})
    assert bad.status_code == 422 and "length_mm must be a whole number" in bad.text
    pdf = client.post("/pack/labels", data={"kind": "location", "prefix": "A-0", "format": "pdf"})
    assert pdf.mimetype == "application/pdf"
    zpl = client.post("/pack/labels", data={"kind": "location", "prefix": "A-0", "format": "zpl"})
    assert zpl.data.count(b"^XA") == 4        # A-01-01-1, A-01-02-1, A-02-01-1, A-02-02-1
    printed = client.post("/pack/labels", data={"kind": "tote", "prefix": "T-000", "printer": "Zebra 2"})
    assert "tote-labels:T-000 (9)" in printed.text
    assert client.post("/pack/labels", data={"kind": "location", "prefix": "Z-"}).status_code == 422
    log_in(client, "K-0001")
    assert client.get("/pack/setup").status_code == 403


def test_reprint_from_the_order_page_is_the_kept_document(app, client, floor, db_session):
    log_in(client, "K-0001")
    _scan(client, "/pack/start", "PACK-1")
    carton_url = _scan(client, "/pack/start", "T-0001").headers["HX-Redirect"]
    _pack_all(client, floor, carton_url)
    sscc = _step(client.post(carton_url + "/close", data={}, headers={"HX-Request": "true"}).text)["sscc"]
    page = client.get("/pack/orders/SO-WEB").text
    assert f'value="shipping-label|{sscc}"' in page
    again = client.post("/pack/reprint", data={"order": "SO-WEB", "document": f"shipping-label|{sscc}",
                                                "printer": "Browser (this station)"})
    assert again.status_code == 200 and "Sent to Browser (this station)" in again.text
    jobs = _fresh(db_session).scalars(select(PrintJob).where(PrintJob.document == f"shipping-label:{sscc}")
                                      .order_by(PrintJob.id)).all()
    assert len(jobs) == 2 and jobs[0].content == jobs[1].content
