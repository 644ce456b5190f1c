"""Who may do what: every route declares its roles (or that it is public), checked before it runs.

A route that declares nothing is refused: the check fails closed.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, g, jsonify, redirect, request, url_for
from flask_login import UserMixin, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached

from ..db import write_intent
from ..domain.models import User
from ..domain.states import Role
from ..extensions import login_manager

ALL_STAFF = (Role.PICKER, Role.PACKER, Role.SUPERVISOR, Role.ADMIN)


def db() -> Session:
    """The request's database session, opened on first use and closed at teardown."""
    if "db" not in g:
        from flask import current_app
        g.db = current_app.extensions["floorapp.sessionmaker"]()
    return g.db


def roles(*allowed: Role) -> Callable:
    """Only signed-in users with one of these roles may call the view."""
    def mark(view: Callable) -> Callable:
        view.floorapp_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return view
    return mark


def public(view: Callable) -> Callable:
    view.floorapp_public = True  # type: ignore[attr-defined]
    return view


def reads_first(view: Callable) -> Callable:
    """A writing view that reads before it writes and asks for the write lock itself (start_writing): on
    SQLite its reads do not hold the database's one write lock, so other processes' writes go on meanwhile."""
    view.floorapp_reads_first = True  # type: ignore[attr-defined]
    return view


def start_writing() -> None:
    """SQLite: end the request's read transaction, so that what follows runs in one that holds the write lock
    from its first statement (BEGIN IMMEDIATE); other databases lock rows as they are written and go on.
    Anything read before must be checked again when written (a guarded UPDATE, a unique key). Once writing,
    a second call does nothing."""
    if write_intent.get():
        return
    session = db()
    if session.get_bind().dialect.name == "sqlite":  # elsewhere rows are locked as they are written
        session.commit()  # nothing written yet: this only ends the read
    g.write_intent_token = write_intent.set(True)


def api(view: Callable) -> Callable:
    """An API view: authenticated by bearer token in the api blueprint's own check."""
    view.floorapp_api = True  # type: ignore[attr-defined]
    return view


def _wants_json() -> bool:
    return request.blueprint == "api" or request.accept_mimetypes.best == "application/json"


def _mark_write_intent() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        from flask import current_app
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, "floorapp_reads_first", False):
            g.write_intent_token = write_intent.set(True)


def _check_access() -> None:
    if request.endpoint is None or request.endpoint == "static":
        return None
    from flask import current_app
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "floorapp_public", False) or getattr(view, "floorapp_api", False):
        return None
    allowed = getattr(view, "floorapp_roles", None)
    if allowed is None:
        abort(403)  # fail closed: a view that declares no roles is nobody's
    if not current_user.is_authenticated:
        if request.headers.get("HX-Request"):
            response = jsonify(error={"code": "login_required", "message": "Log in again."})
            response.status_code = 401
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if current_user.role not in allowed:
        abort(403)
    return None


def _close_db(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)


def _headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")
    return response


class SignedIn(UserMixin):
    """Flask-Login's view of a domain User (the domain stays free of Flask)."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    def __getattr__(self, name: str):
        return getattr(self.user, name)


# Every request of a signed-in person reads their user row: one indexed read of a few columns (Core, no ORM
# object built), so a deactivated user, a changed role or zone takes effect at once on every process. The ORM
# copy built from that row is kept per process and reused while the row is unchanged (merge(load=False) puts
# it into the request's session without another query); a changed row builds a new copy.
_USER_ROW = select(*User.__table__.columns).where(User.__table__.c.id == bindparam("user_id"))


def _user_cache() -> dict[int, tuple[tuple, User]]:
    from flask import current_app
    return current_app.extensions.setdefault("floorapp.user_cache", {})  # one per app (and so per database)


def _detached_copy(row) -> User:  # noqa: ANN001 - a Core row of the users table
    copy = User(**row._mapping)
    make_transient_to_detached(copy)
    return copy


@login_manager.user_loader
def _load_user(user_id: str) -> SignedIn | None:
    if not user_id.isdigit():
        return None
    key = int(user_id)
    session, users = db(), _user_cache()
    row = session.connection().execute(_USER_ROW, {"user_id": key}).first()
    if row is None:
        users.pop(key, None)
        return None
    if not row.active:
        return None
    values = tuple(row)
    cached = users.get(key)
    if cached is None or cached[0] != values:
        if len(users) > 10_000:
            users.clear()
        cached = users[key] = (values, _detached_copy(row))
    return SignedIn(session.merge(cached[1], load=False))


def forget_user(user_id: int) -> None:
    """Drop the cached copy in this process (optional: a changed row is seen on the next request anyway)."""
    _user_cache().pop(user_id, None)


def me() -> User:
    """The signed-in user's domain record."""
    return current_user.user


def install_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    app.before_request(_mark_write_intent)
    app.before_request(_check_access)
    app.teardown_appcontext(_close_db)
    app.after_request(_headers)

