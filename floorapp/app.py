"""The application factory, in steps: config, database, extensions, realtime, blueprints, logging."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from . import config as config_module
from . import realtime
from .db import make_engine, make_sessionmaker
from .extensions import csrf, limiter, login_manager
from .web import register_blueprints
from .web.security import install_security
from .web.timing import install_timing


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    settings = config_module.load(overrides)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["floorapp.engine"] = engine
    app.extensions["floorapp.sessionmaker"] = make_sessionmaker(engine)

    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    realtime.init_app(app)

    install_security(app)
    register_blueprints(app)
    install_timing(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app
