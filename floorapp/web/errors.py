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
        return _render(code, (error.name or "error").lower().replace(" ", "_"),
                       SENTENCES.get(code, error.description or "Something went wrong."))
