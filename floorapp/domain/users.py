"""Users with badge + PIN (hashed with scrypt), and API tokens (stored as SHA-256)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, ValidationFailed
from .models import ApiToken, User
from .states import Role

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_pin(pin_hash: str, pin: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = pin_hash.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


@functools.cache
def _dummy_hash() -> str:
    """Compared against when the badge is unknown, so a wrong badge costs as long as a wrong PIN.

    Made on first use, not at import: scrypt is deliberately slow."""
    return hash_pin("not-a-pin")


def add_user(session: Session, *, name: str, badge: str, pin: str, role: Role | str) -> User:
    badge = badge.strip().upper()
    if not badge:
        raise ValidationFailed("A badge code is required.")
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValidationFailed("A PIN is 4 to 12 digits.")
    if session.scalar(select(User).where(User.badge == badge)):
        raise Conflict(f"Badge {badge} is already in use.")
    user = User(name=name, badge=badge, pin_hash=hash_pin(pin), role=Role(role))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, badge: str, pin: str) -> User | None:
    user = session.scalar(select(User).where(User.badge == badge.strip().upper(), User.active.is_(True)))
    if user is None:
        check_pin(_dummy_hash(), pin)
        return None
    return user if check_pin(user.pin_hash, pin) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str) -> str:
    """A new API token; only its hash is kept, so it is shown once."""
    token = "fa_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=_token_hash(token)))
    session.flush()
    return token


def token_owner(session: Session, token: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                                 ApiToken.revoked.is_(False)))
