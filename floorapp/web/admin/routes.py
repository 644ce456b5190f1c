"""Admin screens: thin views over floorapp.domain.import_jobs, webhooks, outbox and notify."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ...domain import import_jobs, notify, outbox, webhooks
from ...domain.errors import DomainError
from ...domain.models import ImportJob
from ...domain.states import Role
from ..api import error_response
from ..common import commit, page_or_fragment
from ..security import db, me, roles
from .background import start_import, start_outbox_worker

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMIN = Role.ADMIN
bp.record_once(lambda state: start_outbox_worker(state.app))


@bp.get("/")
@roles(ADMIN)
def index():
    return redirect(url_for("admin.imports"))


def _imports_page(message: str | None = None, status: int = 200):
    jobs = db().scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(20)).all()
    return render_template("admin/imports.html", jobs=jobs, message=message), status


@bp.get("/imports")
@roles(ADMIN)
def imports():
    return _imports_page()


@bp.post("/imports")
@roles(ADMIN)
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _imports_page("Choose an order file (.csv or .json) first.", 422)
    try:
        job = import_jobs.create(db(), upload.filename, upload.read(), user_id=me().id,
                                 good_rows_only=request.form.get("good_rows") == "1")
    except DomainError as error:
        db().rollback()
        return _imports_page(error.message, 422)
    commit()
    start_import(job.id)
    return redirect(url_for("admin.import_job", job_id=job.id), 303)


@bp.get("/imports/<int:job_id>")
@roles(ADMIN)
def import_job(job_id: int):
    job = db().get(ImportJob, job_id)
    if job is None:
        abort(404)
    return page_or_fragment("admin/import.html", "admin/_import_job.html", job=job, view=import_jobs.describe(job))


@bp.post("/imports/<int:job_id>/good-rows")
@roles(ADMIN)
def import_good_rows(job_id: int):
    job = import_jobs.again_with_good_rows(db(), job_id, me().id)
    commit()
    start_import(job.id)
    return redirect(url_for("admin.import_job", job_id=job.id), 303)


def _webhooks_page(message: str | None = None, status: int = 200, created=None):
    return render_template("admin/webhooks.html", subscriptions=webhooks.subscriptions(db()),
                           events=sorted(outbox.EVENTS), message=message, created=created), status


@bp.get("/webhooks")
@roles(ADMIN)
def webhook_list():
    return _webhooks_page()


@bp.post("/webhooks")
@roles(ADMIN)
def webhook_add():
    try:
        subscription = webhooks.subscribe(db(), request.form.get("url", ""), request.form.getlist("events"),
                                          allow_internal=current_app.config.get("WEBHOOKS_ALLOW_INTERNAL", False))
    except DomainError as error:
        db().rollback()
        if request.accept_mimetypes.best == "application/json":
            return error_response(422, error.code, error.message, error.details)
        text = " ".join(d["message"] for d in error.details) or error.message
        return _webhooks_page(text, 422)
    commit()
    return _webhooks_page(f"Subscriber {subscription.url} added. Its signing secret is shown below.",
                          created=subscription)


@bp.post("/webhooks/<int:subscription_id>/remove")
@roles(ADMIN)
def webhook_remove(subscription_id: int):
    webhooks.unsubscribe(db(), subscription_id)
    commit()
    return redirect(url_for("admin.webhook_list"), 303)


@bp.get("/deliveries")
@roles(ADMIN)
def deliveries():
    state = request.args.get("state") or None
    if state not in (None, outbox.PENDING, outbox.DELIVERED, outbox.FAILED):
        state = None
    return page_or_fragment("admin/deliveries.html", "admin/_deliveries.html",
                            rows=outbox.recent(db(), state=state), state=state, message=None)


@bp.post("/deliveries/<int:row_id>/replay")
@roles(ADMIN)
def replay(row_id: int):
    row = outbox.replay(db(), row_id)
    commit()
    message = f"Delivery {row.id} ({row.event} to {row.recipient}) goes out again now."
    return page_or_fragment("admin/deliveries.html", "admin/_deliveries.html",
                            rows=outbox.recent(db()), state=None, message=message)


@bp.get("/emails")
@roles(ADMIN)
def emails():
    return render_template("admin/emails.html", names=notify.NAMES)


def _email_page(name: str, subject: str, body: str, message: str | None = None, status: int = 200):
    return render_template("admin/email.html", name=name, subject=subject, body=body, message=message,
                           refused=status >= 400, names=notify.NAMES), status


@bp.get("/emails/<name>")
@roles(ADMIN)
def email(name: str):
    if name not in notify.NAMES:
        abort(404)
    return _email_page(name, *notify.template_text(db(), name))


@bp.post("/emails/<name>")
@roles(ADMIN)
def email_save(name: str):
    if name not in notify.NAMES:
        abort(404)
    subject, body = request.form.get("subject", ""), request.form.get("body", "")
    if request.form.get("action") == "reset":
        notify.reset_template(db(), name)
        commit()
        return _email_page(name, *notify.split(notify.default_text(name)), message="Back to the default text.")
    try:
        notify.save_template(db(), name, subject, body)
    except DomainError as error:
        db().rollback()
        return _email_page(name, subject, body, error.message, 422)
    commit()
    return _email_page(name, subject, body, "Saved. The next emails use this text.")
