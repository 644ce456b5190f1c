#!/usr/bin/env python
"""Where a scan request's time goes: cProfile over real pick scans, in process, on the bench's data.

Not a test, not a load test: one handheld, scans one after another through the Flask app (the same
code gunicorn runs; the WSGI test client stands in for the socket). Prints the time per scan and the
share of it spent in each part of the request path (login/session, CSRF, the picking domain, the ORM
and the database driver, templates, the scan trail, ...), then the top functions.

    .venv/bin/python bench/profile_scan.py --scans 2000
    .venv/bin/python bench/profile_scan.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/floorapp_bench
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _setup
from _drivers import server_seconds
from _handheld import step_of

# Entry points of the request path's parts: (label, file suffix, function). Their inclusive times do not
# overlap (none calls another), so they add up; the rest is Flask, Werkzeug and the test client.
PARTS = [
    ("load the task (picking.load_task via pick/routes._task_or_404)", "floorapp/web/pick/routes.py", "_task_or_404"),
    ("quick lane: read the task into copies (picking_lane.load)", "floorapp/domain/picking_lane.py", "load"),
    ("picking domain: apply the scan (picking.scan, on the lane's copies or the ORM task)",
     "floorapp/domain/picking.py", "scan"),
    ("quick lane: the tote scan decided (picking_lane_tote.decide)", "floorapp/domain/picking_lane_tote.py", "decide"),
    ("quick lane: write the move (picking_lane.save)", "floorapp/domain/picking_lane.py", "save"),
    ("end the read transaction (security.start_writing)", "floorapp/web/security.py", "start_writing"),
    ("replay check (common.replayed: SELECT scan by id)", "floorapp/web/common.py", "replayed"),
    ("scan trail + commit + emit (common.keep_scan)", "floorapp/web/common.py", "keep_scan"),
    ("render the step (pick/routes._render: templates)", "floorapp/web/pick/routes.py", "_render"),
    ("roles check + user load (security._check_access)", "floorapp/web/security.py", "_check_access"),
    ("CSRF check (flask-wtf protect)", "flask_wtf/csrf.py", "protect"),
    ("session cookie open (flask sessions)", "flask/sessions.py", "open_session"),
    ("session cookie save (flask sessions)", "flask/sessions.py", "save_session"),
    ("db session close at teardown (security._close_db)", "floorapp/web/security.py", "_close_db"),
]


def categorise(stats: pstats.Stats, total: float) -> list[tuple[str, float, float]]:
    """(label, share of the profiled time, ms per call) for each entry point."""
    out = []
    raw = stats.stats  # type: ignore[attr-defined]
    for label, suffix, function in PARTS:
        ct = calls = 0.0
        for key, (_cc, nc, _tt, cum, _callers) in raw.items():
            if key[0].endswith(suffix) and key[2] == function:
                ct += cum
                calls += nc
        out.append((label, ct / total, ct / calls * 1000 if calls else 0.0))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--scans", type=int, default=2000)
    p.add_argument("--database-url", default="")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--sort", default="cumulative")
    p.add_argument("--plain", action="store_true", help="only the CPU time per scan, no profile")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="floorapp-profile-"))
    instance = tmp / "instance"
    instance.mkdir()
    url = args.database_url or f"sqlite:///{instance / 'floorapp.db'}"
    env = _setup.server_env(instance, url)
    try:
        if args.database_url:
            _setup.recreate_postgres_database(url)
        _setup.run_demo_seed(env, tmp / "seed.log")
        data = _setup.add_bench_data(url, handhelds=1, tasks_per_handheld=max(4, args.scans // 6),
                                     totes_per_handheld=max(8, args.scans // 4))
        os.environ.update({k: v for k, v in env.items() if k.startswith("FLOORAPP_")})
        from floorapp import create_app
        app = create_app()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"badge": data.badges[0], "pin": _setup.PIN, "csrf_token": csrf})
        answer = client.post("/pick/next", data={"csrf_token": csrf}, follow_redirects=True)
        headers = {"X-CSRFToken": csrf, "HX-Request": "true"}
        totes = iter(data.totes[0])
        state = {"step": step_of(answer.get_data(as_text=True)), "task": answer.request.path.rsplit("/", 1)[-1]}

        def one_scan() -> None:
            current = state["step"]
            expect, code = current.get("expect"), current.get("code", "")
            if expect not in ("location", "product", "qty", "tote", "lot"):  # lot: the demo's lot-tracked tasks
                done = client.post("/pick/next", data={"csrf_token": csrf}, follow_redirects=True)
                state["step"], state["task"] = step_of(done.get_data(as_text=True)), done.request.path.rsplit("/", 1)[-1]
                return
            raw = (code if expect in ("location", "lot") else data.barcodes[code][0] if expect in ("product", "qty")
                   else code or next(totes))
            answer = client.post(f"/pick/tasks/{state['task']}/scan", data={"scan": raw, "scan_id": uuid.uuid4().hex},
                                 headers=headers)
            state["step"] = step_of(answer.get_data(as_text=True))
            timings.append(server_seconds(answer.headers["Server-Timing"]) * 1000)

        timings: list[float] = []
        for _ in range(50):  # warm-up: imports, template compilation, statement caches
            one_scan()
        timings.clear()
        # First without the profiler: the process CPU time per scan (the test client's share included).
        statements = [0]
        from sqlalchemy import event

        @event.listens_for(app.extensions["floorapp.engine"], "before_cursor_execute")
        def _count(*_args) -> None:  # noqa: ANN002
            statements[0] += 1

        cpu_started = time.process_time()
        for _ in range(args.scans):
            one_scan()
        cpu = (time.process_time() - cpu_started) / max(len(timings), 1) * 1000
        event.remove(app.extensions["floorapp.engine"], "before_cursor_execute", _count)
        plain = sorted(timings)
        print(f"\n== plain: {len(plain)} scans, {cpu:.2f} ms of process CPU per scan (test client included), "
              f"{statements[0] / max(len(plain), 1):.2f} SQL statements per request; "
              f"Server-Timing p50 {plain[len(plain) // 2]:.2f} ms; load {os.getloadavg()[0]:.2f} ==", flush=True)
        if args.plain:
            return 0
        timings.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.scans):
            one_scan()
        profiler.disable()
        elapsed = time.perf_counter() - started
        stats = pstats.Stats(profiler)
        total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]  # all own times
        timings.sort()
        n = len(timings)
        print(f"\n== profile: {n} scans ({_setup.database_kind(url)}), {elapsed / max(n, 1) * 1000:.2f} ms per scan "
              f"under cProfile; Server-Timing p50 {timings[n // 2]:.2f} ms p99 {timings[int(n * 0.99)]:.2f} ms "
              f"(profiled, so slower than real); load {os.getloadavg()[0]:.2f} ==")
        for label, share, per_call in categorise(stats, total):
            print(f"  {share:6.1%}  {per_call:7.2f} ms/call  {label}")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(r"floorapp/domain", args.top)
        print("-- the domain's own functions (inclusive time) --")
        print("\n".join(line.replace(str(Path(__file__).resolve().parent.parent) + "/", "")
                        for line in out.getvalue().splitlines() if "floorapp/domain" in line))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.database_url:
            _setup.drop_postgres_database(url)


if __name__ == "__main__":
    raise SystemExit(main())
