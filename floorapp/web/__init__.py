"""Blueprints: one per floor workflow."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .board.routes import bp as board_bp
    from .home import bp as home_bp
    from .pack.routes import bp as pack_bp
    from .pick.routes import bp as pick_bp
    from .sort.routes import bp as sort_bp

    for bp in (auth_bp, home_bp, pick_bp, pack_bp, board_bp, sort_bp):
        app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    from .errors import install_error_pages
    install_error_pages(app)
