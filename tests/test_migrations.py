"""The Alembic migrations build exactly the schema the models describe, on SQLite and Postgres."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from floorapp.cli import db_upgrade
from floorapp.domain.models import Base

from .conftest import POSTGRES_URL


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    db_upgrade(url)
    assert _diff(url) == []


def test_migrations_match_the_models_on_postgres():
    import pytest
    if not POSTGRES_URL:
        pytest.skip("FLOORAPP_TEST_DATABASE_URL is not set")
    name = "floorapp_migrations_" + POSTGRES_URL.rsplit("/", 1)[-1]  # beside the test database, named after it
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    db_upgrade(url)
    assert _diff(url) == []
