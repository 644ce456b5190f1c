"""How fast does `floorapp import orders` check and import a big order file?

    .venv/bin/python bench/import_orders.py                      # 50,000 lines on SQLite
    .venv/bin/python bench/import_orders.py --lines 50000 --lines-per-order 5 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/floorapp_bench_import

A fresh database (a SQLite file in a temp folder, or the named Postgres database, dropped and
re-created: its name must contain 'bench') is migrated and seeded with the demo warehouse plus
--products products with stock on a pick face (so most lines allocate, some back-order). A CSV file
of --lines lines is written, then the real command runs as an admin would run it:
`python -m floorapp.cli import orders FILE` (its progress lines go to stderr and are shown). Prints
the wall time of the command, rows/s and orders/s, and checks the orders and the stock ledger after.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import (
    ROOT,
    SetupError,
    recreate_postgres_database,
    run_demo_seed,
    server_env,
)

COLUMNS = ("external_id", "customer_name", "customer_email", "ship_to_name", "ship_to_line1", "ship_to_line2",
           "ship_to_city", "ship_to_region", "ship_to_postal_code", "ship_to_country", "priority", "ship_by",
           "sku", "qty")


def seed_products(database_url: str, products: int) -> list[str]:
    from floorapp.db import make_engine, make_sessionmaker
    from floorapp.domain import catalog, receiving

    with make_sessionmaker(make_engine(database_url))() as session:
        skus = [f"BENCH-{i:05d}" for i in range(products)]
        lines = []
        for i, sku in enumerate(skus):
            catalog.upsert_product(session, sku, {"name": f"Bench product {i}"})
            code = f"BX-{i // 100:02d}-{i % 100:02d}-1"
            catalog.upsert_location(session, code, {"zone": "BX", "pick_sequence": 10_000 + i})
            lines.append({"sku": sku, "location": code, "qty": 40})
        receiving.receive(session, {"lines": lines}, reference="bench/import_orders.py")
        session.commit()
    return skus


def write_file(path: Path, skus: list[str], lines: int, per_order: int) -> int:
    rng = random.Random(7)
    orders = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        written = 0
        while written < lines:
            orders += 1
            chosen = rng.sample(skus, min(per_order, lines - written))
            for sku in chosen:
                writer.writerow([f"IMP-{orders:06d}", f"Customer {orders}", f"c{orders}@example.com",
                                 f"Customer {orders}", f"{orders} Main Street", "", "Springfield", "IL", "62701",
                                 "US", "rush" if orders % 10 == 0 else "normal", "", sku, rng.randint(1, 3)])
            written += len(chosen)
    return orders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--lines-per-order", type=int, default=5)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="floorapp-import-bench-") as tmp:
        instance = Path(tmp)
        url = args.database_url or f"sqlite:///{instance / 'floorapp.db'}"
        try:
            if url.startswith("postgresql"):
                recreate_postgres_database(url)
            env = server_env(instance, url)
            run_demo_seed(env, instance / "seed.log")
        except SetupError as error:
            print(error, file=sys.stderr)
            return 2
        skus = seed_products(url, args.products)
        path = instance / "orders.csv"
        orders = write_file(path, skus, args.lines, args.lines_per_order)
        print(f"{args.lines} lines, {orders} orders, {len(skus)} products, database {url.split(':')[0]}", flush=True)
        started, cpu_before = time.monotonic(), os.times()
        done = subprocess.run([sys.executable, "-m", "floorapp.cli", "import", "orders", str(path)], check=False, cwd=ROOT,
                              env=env, text=True, stdout=subprocess.PIPE, timeout=1800)
        seconds = time.monotonic() - started
        cpu_after = os.times()
        cpu = (cpu_after.children_user - cpu_before.children_user) + (cpu_after.children_system
                                                                        - cpu_before.children_system)
        print(done.stdout.strip())
        if done.returncode != 0:
            print(f"the import failed (exit {done.returncode})", file=sys.stderr)
            return 1
        from sqlalchemy import func, select

        from floorapp.db import make_engine, make_sessionmaker
        from floorapp.domain.models import Order, OrderLine
        from floorapp.domain.stock import ledger_mismatches
        with make_sessionmaker(make_engine(url))() as session:
            imported = session.scalar(select(func.count()).select_from(Order).where(Order.external_id.like("IMP-%")))
            lines = session.scalar(select(func.count()).select_from(OrderLine).join(Order)
                                   .where(Order.external_id.like("IMP-%")))
            mismatches = ledger_mismatches(session)
        print(f"\nimport: {seconds:.2f} s wall (process start included), {args.lines / seconds:,.0f} rows/s, "
              f"{orders / seconds:,.0f} orders/s; CPU {cpu:.2f} s (the figure a busy machine does not inflate)")
        print(f"check: {imported} orders / {lines} lines in the database; ledger mismatches: {len(mismatches)}")
        return 0 if imported == orders and lines == args.lines and not mismatches else 1


if __name__ == "__main__":
    raise SystemExit(main())
