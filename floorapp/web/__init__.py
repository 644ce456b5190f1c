"""Blueprints: one per floor workflow."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from .admin.routes import bp as admin_bp
    from .api import bp as api_bp
    from .auth.routes import bp as auth_bp
    from .board.routes import bp as board_bp
    from .home import bp as home_bp
    from .pack.routes import bp as pack_bp
    from .pick.routes import bp as pick_bp
    from .scanning import bp as scanning_bp
    from .sort.routes import bp as sort_bp

    for bp in (auth_bp, home_bp, pick_bp, pack_bp, board_bp, admin_bp, scanning_bp, sort_bp):
        app.register_blueprint(bp)
    from .flows import register_flow_blueprints  # receive, returns, count, replenish (issue 7)
    register_flow_blueprints(app)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # the service worker and the offline queue's sentences; the task's route for picking offline
    from .offline import bp as offline_bp
    from .pick.offline import bp as pick_offline_bp
    app.register_blueprint(offline_bp)
    app.register_blueprint(pick_offline_bp)
    from .errors import install_error_pages
    install_error_pages(app)
