"""The `floorapp` command as an admin uses it: migrate, add users, make tokens, import order files."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from floorapp.domain.models import Order, User
from floorapp.domain.users import authenticate, token_owner

from .web.floor_data import small_floor


def floorapp(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "floorapp.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    environment = {"PATH": "/usr/bin:/bin", "FLOORAPP_DATABASE_URL": url,
                   "FLOORAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = floorapp(environment, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return environment


def _session(env) -> Session:
    return Session(create_engine(env["FLOORAPP_DATABASE_URL"]))


def test_user_add_and_token_create(env):
    result = floorapp(env, "user", "add", "--name", "Jo Picker", "--badge", "p-0042", "--pin", "4321",
                      "--role", "picker")
    assert result.returncode == 0 and "badge P-0042" in result.stdout
    token = floorapp(env, "token", "create", "erp").stdout.strip()
    with _session(env) as session:
        assert authenticate(session, "P-0042", "4321").name == "Jo Picker"
        assert token_owner(session, token).name == "erp"
    again = floorapp(env, "user", "add", "--name", "X", "--badge", "P-0042", "--pin", "1111", "--role", "picker")
    assert again.returncode == 1 and "already in use" in again.stderr


def _order(external_id: str, sku: str = "SKU-MUG", qty: int = 1) -> dict:
    return {"external_id": external_id, "customer": {"name": "Ada"},
            "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701",
                        "country": "US"}, "lines": [{"sku": sku, "qty": qty}]}


def test_import_orders_from_json_is_all_or_nothing(env, tmp_path):
    with _session(env) as session:
        small_floor(session)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([_order("WEB-1"), _order("WEB-2", sku="NOPE"), _order("WEB-3", qty=0)]))
    result = floorapp(env, "import", "orders", str(bad))
    assert result.returncode == 1
    assert "order 2: lines[0].sku: Unknown SKU NOPE." in result.stderr
    assert "order 3: lines[0].qty" in result.stderr
    with _session(env) as session:
        assert session.scalar(select(Order).where(Order.external_id == "WEB-1")) is None
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"orders": [_order("WEB-1"), _order("WEB-2", qty=2)]}))
    result = floorapp(env, "import", "orders", str(good))
    assert result.returncode == 0 and "Imported 2 new order(s)" in result.stdout
    assert "0 new order(s); 2 already present" in floorapp(env, "import", "orders", str(good)).stdout


def test_import_orders_from_csv_groups_rows_into_orders(env, tmp_path):
    with _session(env) as session:
        small_floor(session)
    header = ("external_id,customer_name,customer_email,ship_to_name,ship_to_line1,ship_to_line2,ship_to_city,"
              "ship_to_region,ship_to_postal_code,ship_to_country,priority,ship_by,sku,qty\n")
    row = "CSV-1,Ada,ada@example.com,Ada,1 Main St,,Springfield,IL,62701,US,rush,2026-12-01,{sku},{qty}\n"
    path = tmp_path / "orders.csv"
    path.write_text(header + row.format(sku="SKU-MUG", qty=1) + row.format(sku="SKU-CUP", qty=2))
    result = floorapp(env, "import", "orders", str(path))
    assert result.returncode == 0, result.stderr
    with _session(env) as session:
        order = session.scalar(select(Order).where(Order.external_id == "CSV-1"))
        assert [(line.product.sku, line.qty) for line in order.lines] == [("SKU-MUG", 1), ("SKU-CUP", 2)]
        assert order.priority == "rush"


def test_an_unreadable_file_gets_a_clear_message(env, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = floorapp(env, "import", "orders", str(path))
    assert result.returncode == 2 and "Cannot read" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(env):
    result = floorapp({**env, "FLOORAPP_ENV": "production"}, "token", "create", "x")
    assert result.returncode == 2 and "FLOORAPP_SECRET_KEY must be set" in result.stderr


def test_users_table_is_empty_after_migration(env):
    with _session(env) as session:
        assert session.scalars(select(User)).all() == []
