"""Domain errors: each carries a message a floor worker or an integrator understands."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the floor was broken; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    code = "not_found"


class ValidationFailed(DomainError):
    """Input was refused as a whole; `details` names each bad line or field."""

    code = "validation_failed"


class Conflict(DomainError):
    code = "conflict"
