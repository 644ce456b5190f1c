"""A floorapp server run as in production (gunicorn + gevent) on a freshly seeded demo database."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("FLOORAPP_TEST_DATABASE_URL", "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_postgres_database(name: str) -> str:
    """A new, empty database beside the test one, so the demo goes through the real migrations."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


class LiveServer:
    def __init__(self, url: str, database_url: str, instance: Path):
        self.url, self.database_url, self.instance = url, database_url, instance

    @property
    def api_token(self) -> str:
        return (self.instance / "demo_api_token").read_text().strip()

    def api_get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, headers={"Authorization": f"Bearer {self.api_token}"}, timeout=10)

    def session(self) -> requests.Session:
        """A logged-out HTTP session; `log_in` on it to act as a user."""
        return requests.Session()

    def log_in(self, http: requests.Session, badge: str, pin: str = "1234") -> requests.Response:
        page = http.get(self.url + "/login", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        http.headers["X-CSRFToken"] = token
        return http.post(self.url + "/login", data={"badge": badge, "pin": pin, "csrf_token": token}, timeout=10)

    def query(self, sql: str, **params):
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).all()
        finally:
            engine.dispose()

    def execute(self, sql: str, **params) -> int:
        """Change the live database behind the server's back (what another device or person did); rows hit."""
        engine = create_engine(self.database_url)
        try:
            with engine.begin() as conn:
                return conn.execute(text(sql), params).rowcount
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["sqlite"] + (["postgres"] if POSTGRES_URL else []))
def live_server(request, tmp_path_factory):
    """The demo, seeded by `floorapp demo --no-serve` and served by gunicorn with the gevent worker."""
    instance = tmp_path_factory.mktemp("instance")
    if request.param == "postgres":
        database_url = _fresh_postgres_database(f"floorapp_live_{POSTGRES_URL.rsplit('/', 1)[-1]}_" + request.module.__name__.rsplit(".", 1)[-1])
    else:
        database_url = f"sqlite:///{instance / 'floorapp.db'}"
    env = {**os.environ, "FLOORAPP_INSTANCE_PATH": str(instance), "FLOORAPP_DATABASE_URL": database_url,
           "FLOORAPP_SECRET_KEY": "browser-test-secret"}
    env.pop("FLOORAPP_REDIS_URL", None)
    env.update(getattr(request.module, "LIVE_SERVER_ENV", {}))  # a test module may ask for more
    floorapp = [sys.executable, "-m", "floorapp.cli"]
    subprocess.run([*floorapp, "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(instance / "server.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
                                   "--bind", f"127.0.0.1:{port}", "floorapp.wsgi:app"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, server, instance / "server.log")
            yield LiveServer(url, database_url, instance)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(url + "/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start:\n" + log.read_text())
