"""Badge + PIN login, hashed PINs, rate limits, CSRF, and roles on every route."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from floorapp import create_app
from floorapp.domain.models import User
from floorapp.domain.states import Role

from .floor_data import log_in, small_floor


@pytest.fixture
def floor(app, db_session):
    return small_floor(db_session)


def test_login_with_badge_and_pin_sends_each_role_to_its_work(client, floor):
    for badge, start in (("P-0001", "/pick/"), ("K-0001", "/pack/"), ("S-0001", "/board/")):
        assert log_in(client, badge).location == "/"
        assert client.get("/").location == start
        client.post("/logout")


def test_a_wrong_pin_is_refused_with_one_sentence(client, floor):
    response = log_in(client, "P-0001", "9999")
    assert response.status_code == 401
    assert "Badge or PIN not recognised. Try again." in response.text
    assert client.get("/pick/").status_code == 302  # still logged out


def test_pins_are_stored_hashed_and_salted(db_session, floor):
    hashes = [user.pin_hash for user in db_session.scalars(select(User))]
    assert all(h.startswith("scrypt$") and h != "1234" for h in hashes)
    assert len(set(hashes)) == len(hashes)  # the same PIN hashes differently for every user


def test_login_is_rate_limited_per_badge(database_url, tmp_path, floor):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path),
                      "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [log_in(client, "P-0001", "0000").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert "Too many tries for this badge" in log_in(client, "P-0001", "1234").text  # even the right PIN waits
    assert log_in(client, "P-0002").status_code == 302  # another badge is not locked out
    app.extensions["floorapp.engine"].dispose()


def test_forms_need_the_csrf_token(database_url, tmp_path, floor):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    assert client.post("/login", data={"badge": "P-0001", "pin": "1234"}).status_code == 400
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"badge": "P-0001", "pin": "1234", "csrf_token": token}).status_code == 302
    # htmx sends the token in a header
    task_page = client.post("/pick/next", headers={"X-CSRFToken": token})
    assert task_page.status_code == 302
    app.extensions["floorapp.engine"].dispose()


@pytest.mark.parametrize("badge, path, allowed", [
    ("P-0001", "/pick/", True), ("P-0001", "/pack/", False), ("P-0001", "/board/", False),
    ("K-0001", "/pack/", True), ("K-0001", "/pick/", False), ("K-0001", "/board/", False),
    ("S-0001", "/board/", True), ("A-0001", "/board/", True),
])
def test_roles_are_checked_on_every_screen(client, floor, badge, path, allowed):
    log_in(client, badge)
    assert client.get(path).status_code == (200 if allowed else 403)


def test_signed_out_people_are_sent_to_login(client, floor):
    for path in ("/pick/", "/pack/", "/board/", "/"):
        assert client.get(path).location.startswith("/login")


def test_every_route_declares_who_may_use_it(app):
    """Fail closed: a view without a role list (or public/api mark) would be refused for everyone."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = (getattr(view, "floorapp_roles", None) or getattr(view, "floorapp_public", False)
                    or getattr(view, "floorapp_api", False) or rule.endpoint == "static")
        assert declared, f"{rule.rule} declares no roles"


def test_a_picker_cannot_drive_someone_elses_task(client, floor):
    log_in(client, "P-0001")
    task_url = client.post("/pick/next").location
    client.post("/logout")
    log_in(client, "P-0002")
    assert client.post(task_url + "/scan", data={"scan": "A-01-01-1", "scan_id": "x1"}).status_code == 403


def test_a_deactivated_user_or_a_changed_role_takes_effect_at_once_on_every_process(app, database_url, tmp_path,
                                                                                     db_session, floor):
    other_process = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                                "WTF_CSRF_ENABLED": False, "INSTANCE_PATH": str(tmp_path / "other")})
    clients = [app.test_client(), other_process.test_client()]
    for client in clients:
        log_in(client, "P-0001")
        assert client.get("/pick/").status_code == 200  # signed in, and the user is now cached in that process
    picker = db_session.scalar(select(User).where(User.badge == "P-0001"))
    picker.role = Role.PACKER
    db_session.commit()
    assert [client.get("/pick/").status_code for client in clients] == [403, 403]
    assert [client.get("/pack/").status_code for client in clients] == [200, 200]
    picker.active = False
    db_session.commit()
    assert [client.get("/pack/").status_code for client in clients] == [302, 302]  # back to the login page
    other_process.extensions["floorapp.engine"].dispose()
