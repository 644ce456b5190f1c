"""Badge + PIN login, rate-limited per badge."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from ...domain import messages
from ...domain.users import authenticate
from ...extensions import limiter
from ..security import SignedIn, db, public, roles, ALL_STAFF

bp = Blueprint("auth", __name__)


def _badge_key() -> str:
    return "login:" + (request.form.get("badge") or "").strip().upper()


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


@bp.get("/login")
@public
def login():
    return render_template("auth/login.html", error=None, badge="")


@bp.post("/login")
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_badge_key,
               error_message="Too many tries for this badge. Wait a minute, then try again.")
def login_post():
    badge = (request.form.get("badge") or "").strip()
    user = authenticate(db(), badge, request.form.get("pin") or "")
    if user is None:
        return render_template("auth/login.html", error=messages.BAD_LOGIN, badge=badge), 401
    login_user(SignedIn(user))
    return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))


@bp.post("/logout")
@roles(*ALL_STAFF)
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
