"""`floorapp import orders` as an admin runs it: every problem by row and column, progress, --good-rows."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from floorapp.domain.models import Order
from tests.factories import warehouse

HEADER = ("external_id,customer_name,customer_email,ship_to_name,ship_to_line1,ship_to_line2,ship_to_city,"
          "ship_to_region,ship_to_postal_code,ship_to_country,priority,ship_by,sku,qty\n")
ROW = "{id},Ada,ada@example.com,Ada,1 Main St,,Springfield,IL,62701,US,normal,,{sku},{qty}\n"


def _run(database_url, tmp_path, *args):
    env = {"PATH": "/usr/bin:/bin", "FLOORAPP_DATABASE_URL": database_url,
           "FLOORAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    return subprocess.run([sys.executable, "-m", "floorapp.cli", "import", "orders", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_command_reports_rows_then_imports_the_good_ones_with_progress(database_url, session, tmp_path):
    warehouse(session)
    session.close()
    path = tmp_path / "orders.csv"
    good = "".join(ROW.format(id=f"C-{i}", sku="UMB-RED", qty=1) for i in range(1200))
    path.write_text(HEADER + good + ROW.format(id="C-BAD", sku="GHOST", qty=1) + ROW.format(id="C-Q", sku="MUG-350", qty=-2))
    refused = _run(database_url, tmp_path, str(path))
    assert refused.returncode == 1
    assert "Nothing imported: 2 problem(s) in 2 row(s)" in refused.stderr
    assert "row 1202, sku: Unknown SKU GHOST." in refused.stderr
    assert "row 1203, qty: Quantity must be a whole number from 1 to 1000000." in refused.stderr
    assert "--good-rows" in refused.stderr
    engine = create_engine(database_url)
    with Session(engine) as check:
        assert check.scalars(select(Order)).all() == []
    done = _run(database_url, tmp_path, str(path), "--good-rows")
    assert done.returncode == 1  # some rows were left out: a script notices
    assert "Skipping 2 problem(s)" in done.stderr
    assert "500 of 1202 rows (41%)" in done.stderr and "1000 of 1202 rows (83%)" in done.stderr
    assert "Imported 1200 new order(s); 0 already present" in done.stdout
    with Session(engine) as check:
        orders = check.scalars(select(Order)).all()
        assert len(orders) == 1200 and {o.status.value for o in orders} == {"allocated", "backordered"}
    engine.dispose()
