"""Work the admin screens start in the background of the web process: an import job, and (when
FLOORAPP_OUTBOX_IN_PROCESS is set) an outbox worker. Threads become greenlets under gunicorn's gevent
worker; the real deployment runs `floorapp outbox-worker` as its own process (Procfile)."""
from __future__ import annotations

import threading

from flask import Flask, current_app

from ...domain import import_jobs, outbox


def start_import(job_id: int) -> threading.Thread:
    make_session = current_app.extensions["floorapp.sessionmaker"]
    thread = threading.Thread(target=import_jobs.run, args=(make_session, job_id), daemon=True,
                              name=f"import-{job_id}")
    thread.start()
    return thread


def start_outbox_worker(app: Flask) -> threading.Event | None:
    """Deliver the outbox from this process too (demo, one-process installs); returns the stop flag."""
    if not app.config.get("OUTBOX_IN_PROCESS") or "floorapp.outbox_stop" in app.extensions:
        return None
    stop = threading.Event()
    app.extensions["floorapp.outbox_stop"] = stop
    threading.Thread(target=outbox.run_forever, daemon=True, name="outbox",
                     args=(app.extensions["floorapp.sessionmaker"], outbox.Settings.from_config(app.config),
                           stop)).start()
    return stop
