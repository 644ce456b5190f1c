"""REST API v1 (JSON), authenticated by bearer token. Errors: {"error": {"code", "message", "details"}}.

The package is split by resource: orders, stock, catalog (products, locations), receipts, and openapi
(the document that describes them all). `inputs` parses bodies and query strings, `serializers`
turns models into JSON.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from ...domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from ...domain.users import token_owner
from ...extensions import csrf
from ..security import db
from .inputs import BadBody

bp = Blueprint("api", __name__)
csrf.exempt(bp)

STATUS = {ValidationFailed: 422, Conflict: 409, NotFound: 404}
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


def error_response(status: int, code: str, message: str, details: list | None = None):
    return jsonify(error={"code": code, "message": message, "details": details or []}), status


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    owner = token_owner(db(), token) if token else None
    if owner is None:
        response = error_response(401, "unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.")
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="floorapp"'
        return response
    g.api_token = owner
    return None


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    db().rollback()
    return error_response(STATUS.get(type(error), 422), error.code, error.message, error.details)


@bp.errorhandler(BadBody)
def _bad_body(error: BadBody):
    db().rollback()
    return error_response(400, "bad_request", error.message, error.details)


@bp.errorhandler(IntegrityError)
def _integrity(_error: IntegrityError):
    # Two requests saved the same thing at once (same external id, SKU, barcode): the loser may retry
    # and then gets the ordinary answer (200 for an identical order, 409 for a different one).
    db().rollback()
    return error_response(409, "conflict", "Another request saved the same record at the same time. Send it again.")


@bp.errorhandler(DataError)
def _data(_error: DataError):
    db().rollback()
    return error_response(422, "validation_failed", "A value is too long or out of range; nothing was saved.")


@bp.errorhandler(ProgrammingError)
def _wrong_type(error: ProgrammingError):
    # A value of the wrong JSON type (a list where text belongs) that a route's checks let through reaches
    # the database driver, which cannot bind it: that is the client's mistake, said as such, nothing saved.
    db().rollback()
    if "binding parameter" in str(error.orig) or "cannot adapt" in str(error.orig):
        return error_response(422, "validation_failed", "A value has the wrong type; nothing was saved.")
    raise error


from . import catalog, changes, openapi, orders, receipts, stock  # noqa: E402,F401  (register the routes on bp)
from . import floor  # noqa: E402,F401  (expected receipts, counts, returns: issue 7)
from . import documents  # noqa: E402,F401  (packing documents, issue 5)
from . import metrics  # noqa: E402,F401  (the floor board's figures)
