"""Printing through a real CUPS server started by the test: a CUPS-PDF queue writes what it was sent (read
back), and a raw queue forwards ZPL byte for byte to a listener on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from floorapp.db import make_sessionmaker
from floorapp.domain import printjobs
from floorapp.domain.models import PrintJob
from floorapp.domain.states import PrintFormat, PrintState
from floorapp.domain.stations import save_printer
from printing import (
    Address,
    PackingSlip,
    PrintRefused,
    ShippingLabel,
    SlipLine,
    render_packing_slip,
    render_shipping_label,
    shipping_label_zpl,
    transport_for,
)

from . import cups_server
from .listener import RawPrinter, free_port
from .readback import codes, image_size, pdf_pages, pdf_text

pytestmark = pytest.mark.skipif(bool(cups_server.missing()), reason=cups_server.missing() or "cups")

FROM = Address("floorapp DC East", "1 Dock Road", "Springfield", "62704", "US", region="IL")
TO = Address("Erika Mustermann", "Heidestraße 17", "Köln", "51147", "DE")
LABEL = ShippingLabel(FROM, TO, "manual", "Ground", "MAN00000009991", 950, "SO-CUPS-1", "", 1, dt.date(2026, 11, 26))


@pytest.fixture(scope="module")
def cups():
    # not under pytest's tmp folder: CUPS filters run as user lp and must reach the server's temp folder
    root = Path(tempfile.mkdtemp(prefix="floorapp-cups-"))
    root.chmod(0o755)
    server = cups_server.CupsServer(root, free_port())
    try:
        server.add_queue("FLOOR-PDF", "cups-pdf:/", cups_server.CUPS_PDF_PPD)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _job_id(receipt: str) -> str:
    return re.search(r"request id is (\S+)", receipt).group(1)


def test_a_packing_slip_and_a_4x6_label_come_out_of_cups_pdf(cups, tmp_path):
    slip = PackingSlip("SO-CUPS-1", "Erika Mustermann", TO, FROM, [SlipLine("MUG-350", "Blue Enamel Mug", 2, 1, 1)],
                       ["006141411234567890"], dt.date(2026, 11, 26), returns_url="https://returns.example.com/SO-CUPS-1")
    queue = transport_for("cups", f"FLOOR-PDF@{cups.address}")
    token = uuid.uuid4().hex[:10]
    slip_job = _job_id(queue.send(render_packing_slip(slip), title=f"slip{token}", media="Letter"))
    label_job = _job_id(queue.send(render_shipping_label(LABEL), title=f"label{token}", media="Custom.4x6in"))
    cups.wait_done("FLOOR-PDF")

    slip_pdf = cups_server.cups_pdf_output(slip_job, f"slip{token}")
    text = pdf_text(slip_pdf, tmp_path)
    assert "SO-CUPS-1" in text and "MUG-350" in text and "Backordered" in text
    (tmp_path / "slip").mkdir()
    slip_codes = {r.text for page in codes(pdf_pages(slip_pdf, tmp_path / "slip")) for r in page}
    assert {"SO-CUPS-1", "https://returns.example.com/SO-CUPS-1"} <= slip_codes

    label_pdf = cups_server.cups_pdf_output(label_job, f"label{token}")
    (tmp_path / "label").mkdir()
    [image] = pdf_pages(label_pdf, tmp_path / "label")
    assert image_size(image) == (812, 1218)           # the 4x6 in media survived the print path
    found = {r.format.name: r.text for r in codes([image])[0]}
    assert found["Code128"] == "MAN00000009991" and found["QRCode"] == LABEL.two_d_content


def test_a_raw_queue_forwards_zpl_byte_identical(cups):
    port = free_port()
    zebra = RawPrinter(port)
    try:
        cups.add_queue("FLOOR-ZPL", f"socket://127.0.0.1:{port}")
        zpl = shipping_label_zpl(LABEL)
        transport_for("cups", f"FLOOR-ZPL@{cups.address}").send(zpl, title="zpl", raw=True)
        assert zebra.wait_for(1, timeout=60) == [zpl]
    finally:
        zebra.close()


def test_an_unknown_queue_is_refused_and_the_job_fails_with_the_reason(cups, session, engine):
    printer = save_printer(session, {"name": "Nowhere", "transport": "cups", "address": f"NO-SUCH-QUEUE@{cups.address}",
                                     "language": "pdf"})
    job = printjobs.enqueue(session, printer, document="packing-slip:SO-X", content=b"%PDF-1.4", fmt=PrintFormat.PDF)
    session.commit()
    with pytest.raises(PrintRefused):
        transport_for("cups", f"NO-SUCH-QUEUE@{cups.address}").send(b"%PDF-1.4")
    printjobs.send_due(make_sessionmaker(engine))
    session.rollback()
    session.expire_all()
    failed = session.get(PrintJob, job.id)
    assert failed.state == PrintState.FAILED and "CUPS refused the job" in failed.error


def test_a_print_server_that_is_down_keeps_the_job_queued(session, engine):
    printer = save_printer(session, {"name": "Office", "transport": "cups", "address": f"OFFICE@127.0.0.1:{free_port()}",
                                     "language": "pdf"})
    job = printjobs.enqueue(session, printer, document="packing-slip:SO-Y", content=b"%PDF-1.4", fmt=PrintFormat.PDF)
    session.commit()
    assert printjobs.send_due(make_sessionmaker(engine)) == 0
    session.rollback()
    session.expire_all()
    waiting = session.get(PrintJob, job.id)
    assert waiting.state == PrintState.QUEUED and waiting.next_attempt_at is not None and waiting.error
