#!/usr/bin/env python
"""Printing throughput: 4x6 label PDFs/s, ZPL labels/s, packing slips/s, and a 100-job burst through the
raw TCP 9100 transport (persisted jobs, claimed and sent by the print sender to a listener on 127.0.0.1).

A benchmark, not a test: it prints figures (one JSON object last). Every label is different (SSCC and
tracking number change), so nothing is served from a cache. Load on this shared machine is printed too.

    .venv/bin/python bench/print.py
    .venv/bin/python bench/print.py --seconds 5 --jobs 100
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printing import (
    Address,
    CartonLabel,
    PackingSlip,
    ShippingLabel,
    SlipLine,
    carton_label_zpl,
    make_sscc,
    render_carton_label,
    render_packing_slip,
    render_shipping_label,
    shipping_label_zpl,
)

FROM = Address("floorapp DC East", "1 Dock Road", "Springfield", "62704", "US", region="IL")
TO = Address("Erika Mustermann", "Heidestraße 17", "Köln", "51147", "DE")
DAY = dt.date(2026, 11, 26)


def shipping(i: int) -> ShippingLabel:
    return ShippingLabel(FROM, TO, "manual", "Ground", f"MAN{i:011d}", 1200 + i % 500, f"SO-{i:06d}",
                         make_sscc("4006381", i), 1, DAY)


def carton(i: int) -> CartonLabel:
    return CartonLabel(make_sscc("4006381", i), f"SO-{i:06d}", FROM, TO, 1, 2, 1200, DAY)


def slip(i: int) -> PackingSlip:
    lines = [SlipLine(f"SKU-{1000 + n}", f"Product {n} of order {i}", 3, 2, 1) for n in range(4)]
    return PackingSlip(f"SO-{i:06d}", "Erika Mustermann", TO, FROM, lines, [make_sscc("4006381", i)], DAY,
                       returns_url=f"https://returns.example.com/SO-{i:06d}")


def rate(make, render, seconds: float) -> dict:
    """Renders per second over `seconds` of wall time (and per CPU second, as the machine is shared)."""
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        render(make(count))
        count += 1
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return {"count": count, "per_s": round(count / wall, 1), "per_cpu_s": round(count / used, 1) if used else None}


def burst(jobs: int) -> dict:
    """`jobs` ZPL jobs queued in one transaction, then sent by the print sender to a 9100 listener."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "printing"))
    from listener import RawPrinter, free_port

    from floorapp.db import create_all, make_engine, make_sessionmaker
    from floorapp.domain import printjobs
    from floorapp.domain.states import PrintFormat
    from floorapp.domain.stations import save_printer

    folder = tempfile.mkdtemp(prefix="floorapp-bench-print-")
    engine = make_engine(f"sqlite:///{folder}/print.db")
    create_all(engine)
    make = make_sessionmaker(engine)
    port = free_port()
    listener = RawPrinter(port)
    try:
        with make() as session:
            printer = save_printer(session, {"name": "Zebra", "transport": "tcp9100", "address": f"127.0.0.1:{port}",
                                             "language": "zpl"})
            for i in range(jobs):
                printjobs.enqueue(session, printer, document=f"shipping-label:{i}", content=shipping_label_zpl(shipping(i)),
                                  fmt=PrintFormat.ZPL, station_code="PACK-1")
            session.commit()
        start = time.perf_counter()
        sent = printjobs.send_due(make)
        received = listener.wait_for(jobs)
        wall = time.perf_counter() - start
    finally:
        listener.close()
        engine.dispose()
    return {"jobs": jobs, "sent": sent, "received": len(received), "seconds": round(wall, 3),
            "jobs_per_s": round(jobs / wall, 1), "all_once": sent == jobs == len(received)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per rendering figure")
    parser.add_argument("--jobs", type=int, default=100, help="jobs in the 9100 burst")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    for warm in (render_shipping_label, render_packing_slip):  # import and font caches
        warm(shipping(0) if warm is render_shipping_label else slip(0))
    figures = {
        "shipping_label_pdf": rate(shipping, render_shipping_label, args.seconds),
        "carton_label_pdf": rate(carton, render_carton_label, args.seconds),
        "shipping_label_zpl": rate(shipping, shipping_label_zpl, args.seconds),
        "carton_label_zpl": rate(carton, carton_label_zpl, args.seconds),
        "packing_slip_pdf": rate(slip, render_packing_slip, args.seconds),
        "burst_9100": burst(args.jobs),
    }
    figures["load_avg_before"] = [round(v, 2) for v in load_before]
    figures["load_avg_after"] = [round(v, 2) for v in os.getloadavg()]
    figures["cpus"] = os.cpu_count()
    for name, value in figures.items():
        print(f"{name:22} {value}")
    print(json.dumps(figures))
    return 0 if figures["burst_9100"]["all_once"] else 3


if __name__ == "__main__":
    raise SystemExit(main())
