"""Configuration from FLOORAPP_* environment variables, layered under explicit overrides."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from scanners.decode import CAMERA_BUDGET_MS

DEFAULT_INSTANCE = Path.cwd() / "instance"


class ConfigError(RuntimeError):
    pass


def _secret_key(instance: Path, production: bool) -> str:
    key = os.environ.get("FLOORAPP_SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("FLOORAPP_SECRET_KEY must be set in production.")
    # The demo keeps a generated key in instance/, so sessions survive restarts; never in code.
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    env = os.environ
    instance = Path(overrides.get("INSTANCE_PATH") or env.get("FLOORAPP_INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()
    production = (overrides.get("ENV") or env.get("FLOORAPP_ENV", "development")) == "production"
    config: dict[str, Any] = {
        "ENV": "production" if production else "development",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": env.get("FLOORAPP_DATABASE_URL") or f"sqlite:///{instance / 'floorapp.db'}",
        "REDIS_URL": env.get("FLOORAPP_REDIS_URL") or None,
        # Several floorapp sites may share one Redis: each uses its own channel.
        "REDIS_CHANNEL": env.get("FLOORAPP_REDIS_CHANNEL", "floorapp"),
        "LOGIN_RATE_LIMIT": env.get("FLOORAPP_LOGIN_RATE_LIMIT", "10 per minute"),
        "SHIP_FROM": {
            "name": env.get("FLOORAPP_SHIP_FROM_NAME", "floorapp demo warehouse"),
            "line1": env.get("FLOORAPP_SHIP_FROM_LINE1", "1 Dock Road"),
            "city": env.get("FLOORAPP_SHIP_FROM_CITY", "Springfield"),
            "region": env.get("FLOORAPP_SHIP_FROM_REGION", "IL"),
            "postal_code": env.get("FLOORAPP_SHIP_FROM_POSTAL_CODE", "62701"),
            "country": env.get("FLOORAPP_SHIP_FROM_COUNTRY", "US"),
        },
        # Packing (issue 5): SSCC company prefix (GS1's example prefix until a site sets its own), returns link
        "GS1_COMPANY_PREFIX": env.get("FLOORAPP_GS1_COMPANY_PREFIX", "0614141"),
        "RETURNS_URL": env.get("FLOORAPP_RETURNS_URL", ""),
        # Integration (webhooks and customer emails from the outbox; see floorapp/domain/outbox.py)
        "SMTP_URL": env.get("FLOORAPP_SMTP_URL") or None,
        "MAIL_FROM": env.get("FLOORAPP_MAIL_FROM", "floorapp <noreply@localhost>"),
        "OUTBOX_IN_PROCESS": env.get("FLOORAPP_OUTBOX_IN_PROCESS", "") in ("1", "true", "yes"),
        "OUTBOX_TIMEOUT": float(env.get("FLOORAPP_OUTBOX_TIMEOUT", "10")),
        "OUTBOX_BACKOFF_SECONDS": float(env.get("FLOORAPP_OUTBOX_BACKOFF_SECONDS", "30")),
        # Webhook receivers on loopback/private/link-local/... addresses are refused unless this is set
        "WEBHOOKS_ALLOW_INTERNAL": env.get("FLOORAPP_WEBHOOKS_ALLOW_INTERNAL", "") in ("1", "true", "yes"),
        # Scanners: the keyboard-wedge settings of the handhelds (see README, "Scanners"), camera frames.
        "SCAN_PREFIX": env.get("FLOORAPP_SCAN_PREFIX", ""),
        "SCAN_SUFFIX": env.get("FLOORAPP_SCAN_SUFFIX", ""),
        "SCAN_MAX_KEY_MS": int(env.get("FLOORAPP_SCAN_MAX_KEY_MS", "60")),
        "CAMERA_RATE_LIMIT": env.get("FLOORAPP_CAMERA_RATE_LIMIT", "8 per second;240 per minute"),
        "CAMERA_BUDGET_MS": float(env.get("FLOORAPP_CAMERA_BUDGET_MS", CAMERA_BUDGET_MS)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        # A count may differ this much (units, e.g. "2", or a share, e.g. "5%") before a supervisor must approve
        "COUNT_TOLERANCE": env.get("FLOORAPP_COUNT_TOLERANCE", "0"),
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(Path(config["INSTANCE_PATH"]), production)
    return config
