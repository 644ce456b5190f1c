"""`floorapp counts schedule`: counts opened by ABC class, never twice for one location."""
from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from floorapp.domain.models import CycleCount
from floorapp.domain.states import CountSource

from .factories import warehouse
from .test_cli import env, floorapp  # noqa: F401  (the fixture and the runner)


def test_counts_schedule_opens_counts_once(env):  # noqa: F811
    engine = create_engine(env["FLOORAPP_DATABASE_URL"])
    with Session(engine) as session:
        warehouse(session)
    first = floorapp(env, "counts", "schedule", "--limit", "3")
    assert first.returncode == 0, first.stderr
    assert "Products by movement: A 0, B 0, C 4" in first.stdout and "3 count(s) open" in first.stdout
    again = floorapp(env, "counts", "schedule", "--limit", "3")
    assert again.returncode == 0
    with Session(engine) as session:
        counts = session.scalar(select(func.count()).select_from(CycleCount))
        sources = set(session.scalars(select(CycleCount.source)))
    engine.dispose()
    assert counts == 3 and sources == {CountSource.SCHEDULE}  # the second run found them open
