"""App and client fixtures for route tests: a real app on a real (fresh) database."""
from __future__ import annotations

import pytest

from floorapp import create_app
from floorapp.domain.users import create_token


@pytest.fixture
def app(database_url, tmp_path):
    # CSRF is switched off here for brevity; test_auth_and_roles checks it with an app that has it on.
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    yield app
    app.extensions["floorapp.engine"].dispose()


@pytest.fixture
def db_session(app):
    """A session outside any request, for arranging data and checking what was saved."""
    with app.extensions["floorapp.sessionmaker"]() as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api_token(app, db_session) -> str:
    token = create_token(db_session, "tests")
    db_session.commit()
    return token


@pytest.fixture
def api(client, api_token):
    """The test client with the bearer token on every call: api.get(...), api.post(..., json=...)."""
    class Api:
        def __getattr__(self, method):
            call = getattr(client, method)
            return lambda path, **kw: call(path, headers={"Authorization": f"Bearer {api_token}",
                                                          **kw.pop("headers", {})}, **kw)
    return Api()
