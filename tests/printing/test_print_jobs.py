"""Print jobs through raw TCP 9100: queued until the printer answers, then printed exactly once."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from floorapp.db import make_sessionmaker
from floorapp.domain import printjobs
from floorapp.domain.models import PrintJob, utcnow
from floorapp.domain.states import PrintFormat, PrintState
from floorapp.domain.stations import save_printer
from printing import PrinterUnreachable
from printing.transports import RawTcp, transport_for

from .listener import RawPrinter, free_port


def test_raw_tcp_delivers_the_bytes_unchanged():
    printer = RawPrinter(free_port())
    try:
        payload = b"^XA^FO50,50^A0N,40,40^FH_^FD\xc3\xa4 _5E^FS^XZ" * 200
        RawTcp("127.0.0.1", printer.port).send(payload)
        assert printer.wait_for(1) == [payload]
    finally:
        printer.close()


def test_a_printer_that_refuses_connections_is_unreachable():
    with pytest.raises(PrinterUnreachable, match="No answer from 127.0.0.1"):
        transport_for("tcp9100", f"127.0.0.1:{free_port()}").send(b"^XA^XZ")


@pytest.fixture
def zebra(session):
    port = free_port()
    printer = save_printer(session, {"name": "Zebra 1", "transport": "tcp9100", "address": f"127.0.0.1:{port}",
                                     "language": "zpl"})
    session.commit()
    return printer, port


def _queue(session, printer, count: int) -> list[int]:
    ids = [printjobs.enqueue(session, printer, document=f"carton-label:{i}", content=f"^XA^FD{i}^FS^XZ".encode(),
                             fmt=PrintFormat.ZPL, station_code="PACK-1").id for i in range(count)]
    session.commit()
    return ids


def test_jobs_wait_while_the_printer_is_off_then_print_exactly_once(engine, session, zebra):
    printer, port = zebra
    make = make_sessionmaker(engine)
    ids = _queue(session, printer, 5)

    assert printjobs.send_due(make) == 0   # nothing listens yet: connection refused
    session.rollback()  # a fresh transaction sees what the senders committed
    session.expire_all()
    jobs = session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
    assert [j.state for j in jobs] == [PrintState.QUEUED] * 5
    assert jobs[0].attempts == 1 and "No answer from" in jobs[0].error and jobs[0].next_attempt_at > utcnow()
    assert [j.attempts for j in jobs[1:]] == [0] * 4      # the rest wait behind the first, in order
    assert session.get(type(printer), printer.id).state == "offline"

    assert printjobs.send_due(make) == 0   # still backing off: no new try before next_attempt_at

    listener = RawPrinter(port)            # the printer is switched on
    try:
        later = lambda: utcnow() + dt.timedelta(minutes=5)
        assert printjobs.send_due(make, now=later) == 5
        assert printjobs.send_due(make, now=later) == 0   # nothing is sent twice
        assert listener.wait_for(5) == [f"^XA^FD{i}^FS^XZ".encode() for i in range(5)]
    finally:
        listener.close()
    session.rollback()  # a fresh transaction sees what the senders committed
    session.expire_all()
    assert [j.state for j in session.scalars(select(PrintJob).order_by(PrintJob.id))] == [PrintState.SENT] * 5
    assert session.get(type(printer), printer.id).state == "ready"
    assert sorted(ids) == ids


def test_two_senders_at_once_never_send_a_job_twice(engine, session, zebra):
    printer, port = zebra
    _queue(session, printer, 30)
    listener = RawPrinter(port)
    make = make_sessionmaker(engine)
    totals = []
    try:
        senders = [threading.Thread(target=lambda: totals.append(printjobs.send_due(make))) for _ in range(3)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=120)
        printjobs.send_due(make)
        received = listener.wait_for(30)
    finally:
        listener.close()
    assert sorted(received) == sorted(f"^XA^FD{i}^FS^XZ".encode() for i in range(30))
    assert len(received) == 30


def test_a_job_cut_off_mid_send_is_failed_for_a_person_to_check_not_resent(session, zebra):
    printer, _ = zebra
    [job_id] = _queue(session, printer, 1)
    assert printjobs.claim(session, job_id, utcnow() - dt.timedelta(minutes=10))
    session.commit()
    assert printjobs.recover_interrupted(session) == 1
    session.commit()
    job = session.get(PrintJob, job_id)
    assert job.state == PrintState.FAILED and "interrupted" in job.error
    printjobs.retry(session, job)          # the packer checked: nothing printed; retry
    assert job.state == PrintState.QUEUED


def test_retry_on_another_printer_and_language_check(session, zebra):
    printer, _ = zebra
    office = save_printer(session, {"name": "Office laser", "transport": "cups", "address": "office", "language": "pdf"})
    [job_id] = _queue(session, printer, 1)
    job = session.get(PrintJob, job_id)
    job.state, job.error = PrintState.FAILED, "paper out"
    with pytest.raises(Exception, match="prints PDF"):
        printjobs.retry(session, job, office)
    other = save_printer(session, {"name": "Zebra 2", "transport": "tcp9100", "address": "127.0.0.1:1", "language": "zpl"})
    again = printjobs.retry(session, job, other)
    assert again.printer == "Zebra 2" and again.state == PrintState.QUEUED and again.error == ""


def test_the_print_worker_process_sends_what_was_queued_before_it_started(tmp_path):
    """Jobs queued while no sender runs (say the web server restarted) go out when `floorapp print-worker` runs."""
    import os
    import subprocess
    import sys

    from floorapp.db import create_all, make_engine

    url = f"sqlite:///{tmp_path / 'floor.db'}"
    engine = make_engine(url)
    create_all(engine)
    port = free_port()
    with make_sessionmaker(engine)() as session:
        printer = save_printer(session, {"name": "Zebra", "transport": "tcp9100", "address": f"127.0.0.1:{port}",
                                         "language": "zpl"})
        _queue(session, printer, 3)
    engine.dispose()
    listener = RawPrinter(port)
    try:
        env = {**os.environ, "FLOORAPP_DATABASE_URL": url, "FLOORAPP_INSTANCE_PATH": str(tmp_path)}
        env.pop("FLOORAPP_REDIS_URL", None)
        done = subprocess.run([sys.executable, "-m", "floorapp.cli", "print-worker", "--once"], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert "Sent 3 print job(s)." in done.stdout
        assert listener.wait_for(3) == [f"^XA^FD{i}^FS^XZ".encode() for i in range(3)]
    finally:
        listener.close()
