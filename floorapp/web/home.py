"""The start screen sends each role to its work."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for

from ..domain.states import Role
from .security import ALL_STAFF, me, public, roles

bp = Blueprint("home", __name__)

START = {Role.PICKER: "pick.index", Role.PACKER: "pack.index", Role.SUPERVISOR: "board.index",
         Role.ADMIN: "board.index"}


@bp.get("/")
@roles(*ALL_STAFF)
def index():
    return redirect(url_for(START[me().role]))


@bp.get("/healthz")
@public
def health():
    return {"ok": True}
