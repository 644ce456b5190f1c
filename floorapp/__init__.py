"""floorapp: the warehouse floor app.

Only `create_app` is exported, and Flask is imported when it is called: `floorapp.domain`, used by
scripts and workers, stays free of Flask.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from .app import create_app as build

    return build(overrides)


__all__ = ["create_app"]
