#!/usr/bin/env python
"""Scan round trip: N simulated handhelds doing real pick scans over HTTP against the production server.

A benchmark, not a test: it prints figures. It makes a fresh instance folder and database (SQLite by
default, or the Postgres database named by --database-url, dropped and re-created), seeds the demo
(`floorapp demo --no-serve`), adds its own pickers, totes, stock and released orders through the
domain services, starts `gunicorn --worker-class gevent` as in production, and drives the handhelds:
log in, get work, then scan what `#step` asks for (data-expect / data-code, the automation contract in
README.md) as htmx would, until the time is up. Only the scan POSTs are timed.

    .venv/bin/python bench/scan_roundtrip.py --handhelds 50
    .venv/bin/python bench/scan_roundtrip.py --handhelds 300 --interval 2
    .venv/bin/python bench/scan_roundtrip.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/floorapp_bench

The last line printed is one JSON object with the figures. Exit status: 0 when the run was clean;
1 when it could not run (setup, server start) or a handheld gave up; 3 when it ran but saw HTTP or
transport errors, errors in the server log, or a wrong scan / replay that was not answered as it must be.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _setup
from _drivers import START_LISTENERS, run_asyncio, run_threads
from _handheld import (
    LINES_MAX,
    LINES_MIN,
    SCANS_PER_TASK_MIN,
    Handheld,
    Plan,
    Stats,
    percentile,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--handhelds", type=int, default=None,
                   help="simulated handhelds, each its own picker and session (default 50; 64 with --saturation)")
    p.add_argument("--workers", type=int, default=1, help="gunicorn workers (gevent)")
    p.add_argument("--database-url", default="",
                   help="Postgres URL of a database to DROP and re-create (its name must contain 'bench'); "
                        "default: SQLite in the temp folder")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds before the measured window")
    p.add_argument("--interval", type=float, default=0.0,
                   help="seconds between one handheld's scans (0: closed loop, next scan as soon as the answer arrives)")
    p.add_argument("--saturation", action="store_true",
                   help="closed loop (--interval 0) with enough handhelds to keep the server busy: the most scans/s")
    p.add_argument("--wrong-rate", type=float, default=0.05,
                   help="fraction of scans deliberately wrong (another location, another product, a label that is no tote)")
    p.add_argument("--replay-rate", type=float, default=0.02, help="fraction of scans re-sending the previous scan_id")
    p.add_argument("--device-route", action="store_true",
                   help="after each accepted scan also GET /pick/task.json, as a handheld running offline.js does "
                        "(not timed; its cost shows in the scans' figures)")
    p.add_argument("--floor", action="store_true",
                   help="no scans: each signed-in handheld sends GET / (session, user row, role check, a redirect) "
                        "in a closed loop; the most requests/s this server and client reach doing nothing else")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for any one request")
    p.add_argument("--tasks-per-handheld", type=int, default=0,
                   help="orders (pick tasks) released per handheld; 0: enough for the run (estimated)")
    p.add_argument("--max-rate", type=float, default=150.0,
                   help="scans/s per worker assumed when sizing the work of a closed loop (--tasks-per-handheld 0)")
    p.add_argument("--login-concurrency", type=int, default=16, help="handhelds logging in at once")
    p.add_argument("--client", choices=("auto", "aiohttp", "requests"), default="auto",
                   help="asyncio + aiohttp when installed, else a thread + requests.Session per handheld")
    p.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    p.add_argument("--seed", type=int, default=42, help="random seed for the bench data and the handhelds")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (and the Postgres database)")
    args = p.parse_args(argv)
    if args.saturation or args.floor:
        args.interval = 0.0
    if args.handhelds is None:
        args.handhelds = 64 if args.saturation or args.floor else 50
    if args.handhelds < 1 or args.workers < 1 or args.duration <= 0 or args.warmup < 0 or args.interval < 0:
        p.error("--handhelds and --workers must be at least 1, --duration positive, --warmup/--interval not negative")
    if not (0 <= args.wrong_rate <= 1 and 0 <= args.replay_rate <= 1 and args.wrong_rate + args.replay_rate < 1):
        p.error("--wrong-rate and --replay-rate are fractions whose sum is below 1")
    if args.timeout <= 0 or args.login_concurrency < 1 or args.max_rate <= 0 or args.tasks_per_handheld < 0:
        p.error("--timeout, --login-concurrency and --max-rate must be positive, --tasks-per-handheld not negative")
    return args


def size_work(args: argparse.Namespace) -> tuple[int, int]:
    """(tasks per handheld, totes per handheld): enough that no handheld runs out during the run.

    Tasks are shared (any picker takes the next open one), so what counts is the total: every scan the
    run can make at most, at the fewest scans a task can take, plus the one each handheld holds. Totes are
    not shared: each handheld has room for twice the average number of tasks a handheld can finish.
    """
    seconds = args.warmup + args.duration
    if args.interval > 0:
        total_scans = args.handhelds * (seconds / args.interval + 2)
    else:
        total_scans = args.max_rate * args.workers * seconds
    right = max(0.05, 1 - args.wrong_rate - args.replay_rate)
    finished_each = total_scans * right / SCANS_PER_TASK_MIN / args.handhelds
    tasks = args.tasks_per_handheld or max(2, math.ceil(finished_each + 1.2))
    return tasks, max(2 * tasks, math.ceil(2 * finished_each)) + 4


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    client = args.client
    if client == "auto":
        try:
            import aiohttp  # noqa: F401
            client = "aiohttp"
        except ImportError:
            client = "requests"
    postgres = bool(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="floorapp-bench-"))
    instance = tmp / "instance"
    instance.mkdir()
    database_url = args.database_url or f"sqlite:///{instance / 'floorapp.db'}"
    kind = _setup.database_kind(database_url)
    env = _setup.server_env(instance, database_url)
    server: _setup.Server | None = None
    print(f"scan_roundtrip: {args.handhelds} handhelds, {args.workers} worker(s), {kind}, client {client}, "
          f"temp folder {tmp}", flush=True)
    try:
        if postgres:
            _setup.recreate_postgres_database(database_url)
        t = time.monotonic()
        _setup.run_demo_seed(env, tmp / "demo_seed.log")
        seed_seconds = time.monotonic() - t
        tasks_each, totes_each = size_work(args)
        data = _setup.add_bench_data(database_url, handhelds=args.handhelds, tasks_per_handheld=tasks_each,
                                     totes_per_handheld=totes_each, lines_min=LINES_MIN, lines_max=LINES_MAX,
                                     seed=args.seed)
        print(f"  setup: demo seed {seed_seconds:.1f} s; bench data {data.seconds:.1f} s ({args.handhelds} pickers, "
              f"{data.orders} orders / {data.order_lines} lines released, {data.pick_tasks} open pick tasks, "
              f"{totes_each} totes each)", flush=True)

        port = args.port or _setup.free_port()
        server = _setup.Server(env, port, args.workers, tmp / "server.log")
        print(f"  server: {' '.join(server.command[1:])}", flush=True)
        server.start()

        plan = Plan(warmup=args.warmup, duration=args.duration, interval=args.interval,
                    wrong_rate=args.wrong_rate, replay_rate=args.replay_rate, device_route=args.device_route,
                    floor=args.floor)
        handhelds = [Handheld(i, badge, data.totes[i], data, plan, args.seed) for i, badge in enumerate(data.badges)]
        # Logins (scrypt, ~50 ms each) + the run + a few request timeouts for the stragglers.
        budget = args.warmup + args.duration + 3 * args.timeout + 60 + 0.25 * args.handhelds / args.workers
        # Close idle connections before gunicorn does (its keep-alive is 2 s): while the others log in,
        # and between scans with --interval; in a closed loop a connection is never idle that long.
        keepalive = 1.0
        runner = run_asyncio if client == "aiohttp" else run_threads
        cpu_window: dict[str, float | None] = {}

        def sample_cpu(t0: float) -> None:  # the server's CPU time at the start and the end of the measured window
            def at(name: str, when: float) -> None:
                time.sleep(max(0.0, when - time.monotonic()))
                cpu_window[name] = server.cpu_seconds()
            threading.Thread(target=at, args=("start", t0 + args.warmup), daemon=True).start()
            threading.Thread(target=at, args=("end", t0 + args.warmup + args.duration), daemon=True).start()

        START_LISTENERS.append(sample_cpu)
        run_started, cpu_started = time.monotonic(), time.process_time()
        runner(handhelds, server.base_url, args.timeout, args.login_concurrency, keepalive, budget)
        run_seconds = time.monotonic() - run_started
        client_cpu = (time.process_time() - cpu_started) / max(run_seconds, 1e-9)
        server_exit = server.stop()
        log = _setup.read_server_log(server.log)
        START_LISTENERS.remove(sample_cpu)
        server_cpu = None
        if cpu_window.get("start") is not None and cpu_window.get("end") is not None:
            server_cpu = cpu_window["end"] - cpu_window["start"]
        return report(args, kind, client, handhelds, log, server, data, seed_seconds, run_seconds, server_exit,
                      client_cpu, server_cpu)
    except _setup.SetupError as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        if server is not None:
            print(f"--- server log tail ({server.log}) ---\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"  kept: {tmp}" + (f" and database {database_url}" if postgres else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if postgres:
                try:
                    _setup.drop_postgres_database(database_url)
                except Exception as error:  # noqa: BLE001 - cleanup only
                    print(f"  could not drop the bench database: {error}", file=sys.stderr)


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def report(args: argparse.Namespace, kind: str, client: str, handhelds: list[Handheld], log: _setup.LogReport,
           server: _setup.Server, data: _setup.BenchData, seed_seconds: float, run_seconds: float,
           server_exit: int | None, client_cpu: float, server_cpu: float | None = None) -> int:
    total = Stats()
    for hh in handhelds:
        total.merge(hh.stats)
    failed = [hh for hh in handhelds if hh.error]
    starved = sum(1 for hh in handhelds if hh.stats.starved)
    lat = sorted(total.latencies)
    ms = lambda seconds: round(seconds * 1000, 1)
    scans = len(lat)
    rate = scans / args.duration
    p50, p90, p99, top = (ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(percentile(lat, 99)),
                          ms(lat[-1] if lat else 0.0))
    mode = "closed loop" if args.interval == 0 else f"one scan every {args.interval:g} s per handheld"
    if args.saturation:
        mode = "saturation (" + mode + ")"
    if args.floor:
        mode = "FLOOR: GET / only, no scans (" + mode + "); 'scans' below are those requests"
    srv = sorted(total.server_latencies)
    s50, s90, s99, stop = (ms(percentile(srv, 50)), ms(percentile(srv, 90)), ms(percentile(srv, 99)),
                           ms(srv[-1] if srv else 0.0))
    own = sorted(total.own_latencies)
    o50, o90, o99, otop = (ms(percentile(own, 50)), ms(percentile(own, 90)), ms(percentile(own, 99)),
                           ms(own[-1] if own else 0.0))
    mix = ", ".join(f"{step} {n}" for step, n in sorted(total.by_step.items(), key=lambda kv: -kv[1])) or "-"
    print(f"\n== scan round trip: {args.handhelds} handhelds, {args.workers} gunicorn gevent worker(s), {kind} ==")
    print(f"  mode           {mode}; {args.duration:g} s measured after {args.warmup:g} s warm-up; client {client} "
          f"(used {client_cpu:.0%} of a core)")
    print(f"  scans          {scans}  ({rate:.1f} scans/s)  [right {total.normal}, wrong {total.wrong}, "
          f"replayed {total.replay}]")
    print(f"  steps          {mix}" + (f"; {total.route_fetches} GET /pick/task.json" if args.device_route else ""))
    print(f"  server ms      p50 {s50}  p90 {s90}  p99 {s99}  max {stop}  (app time, Server-Timing; "
          f"{len(srv)} of {scans} answers timed)")
    o_mean = ms(sum(own) / len(own)) if own else 0.0
    print(f"  server own ms  p50 {o50}  p90 {o90}  p99 {o99}  max {otop}  mean {o_mean}  (the time the request's own "
          f"greenlet ran: app time less the time other requests ran meanwhile)")
    print(f"  latency ms     p50 {p50}  p90 {p90}  p99 {p99}  max {top}  (client-side round trip)")
    if server_cpu is not None and scans:
        per_scan = server_cpu / scans * 1000
        print(f"  server CPU     {server_cpu:.1f} s in the window: {per_scan:.2f} ms of CPU per scan "
              f"(at most {1000 / per_scan:.0f} scans/s per fully free core; includes the window's other requests)")
    print(f"  load           1-min load average {load_average():.2f} on {os.cpu_count()} cores at the end "
          f"(the machine is shared: other work counts)")
    statuses = ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(total.statuses.items())) or "-"
    print(f"  HTTP errors    {total.http_errors} (answers other than 200/422); transport errors "
          f"{total.transport_errors}; retried on a closed connection {total.retries}  [{statuses}]")
    print(f"  refused        {total.refused} right scans refused")
    if args.wrong_rate:
        print(f"  wrong scans    {total.wrong} sent: {total.wrong_refused} refused as they must be, "
              f"{total.wrong_accepted} not")
    if args.replay_rate:
        print(f"  replays        {total.replay} sent: {total.replay_same} got the first answer, task unmoved; "
              f"{total.replay_different} did not")
    print(f"  work           {total.tasks_done} pick tasks finished in the window ({total.tasks_done_all} in all, "
          f"{total.scans_all} scans in all); {starved} handheld(s) ran out of work")
    print("  server log     " + ("clean" if log.clean else
          f"{log.tracebacks} tracebacks, {log.errors} error lines, {log.worker_timeouts} worker timeouts, "
          f"{log.locked} 'database is locked', {log.pool_timeouts} pool timeouts"))
    for note in total.anomalies[:5]:
        print(f"  ! {note}")
    if client_cpu > 0.8:
        print(f"  ! the client used {client_cpu:.0%} of a core: the figures may measure the client, not the server")
    if starved:
        print(f"  ! {starved} handheld(s) got 'no work' before the end: raise --tasks-per-handheld or --max-rate")
    if failed:
        print(f"\n{len(failed)} handheld(s) gave up. First error:\n{failed[0].error}", file=sys.stderr)
    if log.first_traceback:
        print(f"\n--- first traceback in the server log ---\n{log.first_traceback}", file=sys.stderr)
    if failed or not log.clean:
        print(f"\n--- server log tail ---\n{server.log_tail(30)}", file=sys.stderr)
    summary = {
        "bench": "scan_roundtrip", "handhelds": args.handhelds, "workers": args.workers, "database": kind,
        "client": client, "interval_s": args.interval, "duration_s": args.duration, "warmup_s": args.warmup,
        "scans": scans, "scans_per_s": round(rate, 1), "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": top,
        "mean_ms": ms(sum(lat) / scans) if scans else 0.0,
        "server_p50_ms": s50, "server_p90_ms": s90, "server_p99_ms": s99, "server_max_ms": stop,
        "own_p50_ms": o50, "own_p90_ms": o90, "own_p99_ms": o99, "own_max_ms": otop, "own_mean_ms": o_mean,
        "server_timed": len(srv), "steps": total.by_step, "saturation": args.saturation, "floor": args.floor,
        "device_route": args.device_route, "route_fetches": total.route_fetches,
        "load_1min": round(load_average(), 2),
        "server_cpu_s": round(server_cpu, 2) if server_cpu is not None else None,
        "server_cpu_ms_per_scan": round(server_cpu / scans * 1000, 2) if server_cpu is not None and scans else None,
        "right": total.normal, "wrong": total.wrong, "replayed": total.replay,
        "http_errors": total.http_errors, "transport_errors": total.transport_errors, "retries": total.retries,
        "refused": total.refused, "wrong_refused": total.wrong_refused, "wrong_accepted": total.wrong_accepted,
        "replay_same": total.replay_same, "replay_different": total.replay_different,
        "tasks_done": total.tasks_done, "starved_handhelds": starved, "failed_handhelds": len(failed),
        "server_log": {"tracebacks": log.tracebacks, "errors": log.errors, "worker_timeouts": log.worker_timeouts,
                       "locked": log.locked, "pool_timeouts": log.pool_timeouts},
        "server_exit": server_exit, "orders": data.orders, "setup_s": round(seed_seconds + data.seconds, 1),
        "run_s": round(run_seconds, 1), "client_cpu": round(client_cpu, 2),
    }
    print(json.dumps(summary, separators=(",", ":")), flush=True)
    if failed or not scans:
        return 1
    if total.http_errors or total.transport_errors or not log.clean or total.wrong_accepted or total.replay_different:
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
