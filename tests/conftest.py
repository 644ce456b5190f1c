"""Shared fixtures. The whole suite runs on SQLite and, with FLOORAPP_TEST_DATABASE_URL set, on Postgres too."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from floorapp.db import create_all, make_engine, make_sessionmaker
from floorapp.domain.models import Base

pytest_plugins = ["tests.live_server", "tests.receivers"]  # live_server: the demo under gunicorn + gevent;
# webhook_receiver, smtp_server: real HTTP and SMTP receivers for integration tests

POSTGRES_URL = os.environ.get("FLOORAPP_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def _wipe(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def _postgres_engine():
    if not POSTGRES_URL:
        yield None  # a generator fixture must yield, even when there is no Postgres
        return
    engine = make_engine(POSTGRES_URL)
    Base.metadata.drop_all(engine)
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path: Path, _postgres_engine) -> str:
    """A fresh, empty database: a SQLite file in tmp_path, or the Postgres test database wiped clean."""
    if request.param == "postgres":
        _wipe(_postgres_engine)
        return POSTGRES_URL
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    engine = make_engine(url)
    create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A domain session; tests commit as a route would."""
    with make_sessionmaker(engine)() as session:
        yield session
