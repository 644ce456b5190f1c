"""The handheld's offline part, server side: the service worker script and the sentences offline.js shows.

`/sw.js` is served from the root so the worker may control every page (a worker's scope cannot be
wider than the folder it is served from). It is static/sw.js with a first line that names the files
of the app shell and a version made from them: when a static file changes, the script's bytes change,
the browser installs the new worker, and the old cache is dropped.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    json,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..domain import events, messages
from ..domain.errors import DomainError
from ..domain.scans import Outcome
from ..domain.states import ScanResult
from .common import is_htmx, keep_scan, replayed, scan_id
from .security import db, public

bp = Blueprint("offline", __name__)

OFFLINE_SENTENCES = tuple(name for name in dir(messages) if name.startswith("OFFLINE_"))
SHELL_SUFFIXES = (".js", ".css")


def offline_messages() -> dict[str, str]:
    return {name: getattr(messages, name) for name in OFFLINE_SENTENCES}


def _shell_files(static: Path) -> list[Path]:
    """Every script and style sheet the pages load: static/*.js|css and static/vendor/*.js (not sw.js)."""
    files = [p for p in sorted(static.glob("*")) if p.suffix in SHELL_SUFFIXES and p.name != "sw.js"]
    files += [p for p in sorted((static / "vendor").glob("*.js"))]
    return files


@bp.record_once
def _jinja_globals(state) -> None:
    state.app.jinja_env.globals["offline_messages"] = offline_messages


@bp.get("/sw.js")
@public
def service_worker():
    static = Path(current_app.static_folder or "")
    source = (static / "sw.js").read_bytes()
    files = _shell_files(static)
    digest = hashlib.sha256(source)
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    config = {
        "version": digest.hexdigest()[:16],
        "shell": [url_for("static", filename=str(p.relative_to(static))) for p in files],
        "pages": [url_for("pick.index")],
    }
    body = b"self.FLOOR = " + json.dumps(config).encode() + b";\n" + source
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# A scan the domain refused with an error instead of an answer (say the stock left the bin while the
# device was offline, so the pick can no longer be confirmed): rolled back, kept in the scan trail as
# refused with the one sentence (a resend of the same scan id gets the same answer), and answered 422
# with a #step panel that tells the picker and then re-syncs the screen from the server.
@bp.app_errorhandler(DomainError)
def _refused_by_the_domain(error: DomainError):
    session = db()
    session.rollback()
    events.take(session)  # nothing of the failed scan is announced
    if request.form.get("scan") is None or not current_user.is_authenticated:
        return render_template("error.html", code=409, message=error.message), 409
    client_id, raw = scan_id(), request.form.get("scan") or ""
    if (first := replayed(client_id)) is None:
        first = Outcome(ScanResult.REFUSED, error.message)
        context = ":".join([request.blueprint or "", *(str(v) for v in (request.view_args or {}).values())])
        if not keep_scan(client_id, context[:80], raw, "", first):
            first = replayed(client_id) or first
    page = request.path.rsplit("/scan", 1)[0] if request.path.endswith("/scan") else request.path
    if not is_htmx():
        return render_template("error.html", code=422, message=first.message), 422
    return render_template("components/_scan_refused.html", outcome=first, resync_url=page), 422
