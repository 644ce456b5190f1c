"""Error pages: JSON for the API and htmx, a one-sentence page for people."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

SENTENCES = {
    400: "That request was not understood. Go back and try again.",
    401: "Log in again to carry on.",
    403: "Your role may not open this screen. Ask a supervisor.",
    404: "Nothing here. Go back to your work.",
    405: "That action is not available here.",
    429: "Too many tries. Wait a minute, then try again.",
}


API_SENTENCES = {
    400: "The request could not be read.",
    401: "Send a valid API token as 'Authorization: Bearer <token>'.",
    403: "This token or user may not do that.",
    404: "No such resource.",
    405: "This method is not allowed on this resource.",
    429: "Too many requests; slow down and retry.",
}


def _json_wanted() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(code: int, name: str, message: str):
    if _json_wanted():
        return jsonify(error={"code": name, "message": message, "details": []}), code
    return render_template("error.html", code=code, message=message), code


def install_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return _render(400, "csrf_failed", "This page was open too long. Reload it and try again.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        if code == 429 and error.description:
            return _render(code, "too_many_requests", str(error.description))
        sentences = API_SENTENCES if request.path.startswith("/api/") else SENTENCES
        return _render(code, (error.name or "error").lower().replace(" ", "_"),
                       sentences.get(code, error.description or "Something went wrong."))
