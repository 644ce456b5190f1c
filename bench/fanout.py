#!/usr/bin/env python
"""Fan-out: N socket clients in the board room while handhelds scan; commit-to-last-client time.

A benchmark, not a test: it prints figures. It makes a fresh instance and database (SQLite, or the Postgres
database named by --database-url, dropped and re-created), seeds the demo, adds bench pickers and work
(bench/_setup.py), and starts TWO production servers (gunicorn + gevent, one worker each) sharing one Redis
channel. For each N in --clients it connects N board clients (a supervisor's session, websocket), half to
each server, from --client-procs processes of asyncio clients, then lets --handhelds simulated pickers
scan over HTTP (alternating servers) for --duration seconds.

Every confirmed pick line is one `pick.confirmed` event in the board room's one message for its commit
(`board.update`), stamped by the server with its commit time (`at`, see floorapp.realtime.emit_recorded). For each line the handhelds confirmed we take
the time from that commit to the LAST board client receiving it; a client that never receives it is a
lost update. Clocks are the same machine's.

    .venv/bin/python bench/fanout.py --clients 50,200,500
    .venv/bin/python bench/fanout.py --clients 200 --duration 30 --handhelds 6

The last line printed is one JSON object with the figures. Exit status 0 when every update reached every
client, 3 when updates were lost or errors were seen, 1 when it could not run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _setup  # bench/_setup.py
import requests

STEP = re.compile(r'<section id="step"[^>]*>')


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--clients", default="50,200,500", help="board clients per round, comma-separated")
    p.add_argument("--handhelds", type=int, default=4, help="simulated pickers scanning over HTTP")
    p.add_argument("--interval", type=float, default=0.25, help="seconds between one handheld's scans")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of scanning per round")
    p.add_argument("--client-procs", type=int, default=4, help="processes holding the board clients")
    p.add_argument("--database-url", default="", help="Postgres URL to DROP and re-create (name must contain "
                                                      "'bench'); default SQLite in a temp folder")
    p.add_argument("--redis-url", default=os.environ.get("FLOORAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/7"))
    p.add_argument("--profile-clients", default="", metavar="PREFIX",
                   help="cProfile each client process during scanning, to PREFIX-<pid>.prof")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, database)")
    return p.parse_args(argv)


# ------------------------------------------------------------------------------------------ board clients

def _client_proc(urls: list[str], cookie: str, ready: mp.Queue, stop: mp.Event, out: mp.Queue,
                 profile: str = "") -> None:
    """One process of asyncio board clients; records (key, at, received) per client for pick.confirmed."""
    import socketio

    async def main() -> None:
        received: list[list[tuple]] = [[] for _ in urls]
        others: dict[str, int] = {}  # every other event the first client of this process hears, by name
        clients = []

        async def on_other(name, *data):
            others[name] = others.get(name, 0) + 1

        def handler(i: int):
            async def on_board(message):  # one `board.update` per commit, holding that commit's events
                got = time.time()
                if i == 0:
                    others["board messages"] = others.get("board messages", 0) + 1
                for item in message["events"]:
                    if item["name"] == "pick.confirmed":
                        data = item["data"]
                        received[i].append(((data["task"], data["location"], data["sku"]), data.get("at"), got))
                    elif i == 0:
                        others[item["name"]] = others.get(item["name"], 0) + 1
            return on_board

        async def connect(i: int, url: str) -> None:
            client = socketio.AsyncClient(reconnection=False)
            client.on("board.update", handler(i))
            if i == 0:
                client.on("*", on_other)
            await client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
            clients.append(client)

        failed = 0
        for first in range(0, len(urls), 25):  # connect in small bursts
            results = await asyncio.gather(*(connect(i, u) for i, u in enumerate(urls) if first <= i < first + 25),
                                           return_exceptions=True)
            failed += sum(isinstance(r, Exception) for r in results)
        ready.put((len(clients), failed))
        cpu_start = time.process_time()
        profiler = None
        if profile:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu_start
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{profile}-{os.getpid()}.prof")
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        out.put((received, cpu, others))

    try:  # libuv's event loop: the same clients and events, less of the shared CPU spent per delivered event
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


# ------------------------------------------------------------------------------------------ handhelds

class Handheld(threading.Thread):
    """Log in, get work, scan what #step asks for (data-expect / data-code); note each confirmed line."""

    def __init__(self, url: str, badge: str, totes: list[str], barcodes: dict[str, list[str]], interval: float,
                 stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.badge, self.totes, self.barcodes = url, badge, list(totes), barcodes
        self.interval, self.stop = interval, stop
        self.http = requests.Session()
        self.confirmed: dict[tuple, float] = {}
        self.errors: list[str] = []
        self.n = 0

    def _step(self, html: str) -> dict[str, str]:
        match = STEP.search(html)
        if not match:
            raise RuntimeError(f"{self.badge}: no #step in the answer")
        return dict(re.findall(r'data-(\w+)="([^"]*)"', match.group(0)))

    def run(self) -> None:
        try:
            page = self.http.get(self.url + "/login", timeout=30)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            self.http.headers["X-CSRFToken"] = token
            self.http.post(self.url + "/login", data={"badge": self.badge, "pin": _setup.PIN, "csrf_token": token},
                           timeout=30)
            while not self.stop.is_set():
                answer = self.http.post(self.url + "/pick/next", timeout=30)
                if "/pick/tasks/" not in answer.url:
                    self.errors.append(f"{self.badge}: no work")
                    return
                self._pick(answer.url, self._step(answer.text))
        except Exception as error:  # noqa: BLE001 - reported, not raised: one handheld must not stop the run
            self.errors.append(f"{self.badge}: {error}")

    def _pick(self, task_url: str, step: dict[str, str]) -> None:
        task, location, sku = int(step["task"]), "", ""
        while step["expect"] != "done" and not self.stop.is_set():
            expect, code = step["expect"], step.get("code", "")
            if expect == "location":
                raw, location = code, code
            elif expect in ("product", "qty"):
                raw, sku = self.barcodes[code][0], code
            else:
                raw = code or self.totes.pop(0)
            self.n += 1
            time.sleep(self.interval)
            answer = self.http.post(task_url + "/scan", data={"scan": raw, "scan_id": f"{self.badge}-{self.n}"},
                                    headers={"HX-Request": "true"}, timeout=30)
            new = self._step(answer.text)
            if new.get("result") != "ok":
                raise RuntimeError(f"{self.badge}: scan {raw} refused at {expect}")
            if expect == "tote" and location:  # a line confirmed (not a batch cart's empty tote, step "cart")
                self.confirmed[(task, location, sku)] = time.time()
            step = new


# ------------------------------------------------------------------------------------------ one round

def _pct(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]  # nearest rank


def one_round(n: int, server_procs: list[_setup.Server], cookie: str, data: _setup.BenchData,
              args: argparse.Namespace, first_handheld: int) -> dict:
    servers = [s.base_url for s in server_procs]
    ctx = mp.get_context("spawn")
    ready, out, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    urls = [servers[i % 2] for i in range(n)]
    parts = [urls[p::args.client_procs] for p in range(args.client_procs)]
    procs = [ctx.Process(target=_client_proc, args=(part, cookie, ready, stop, out, args.profile_clients),
                         daemon=True) for part in parts if part]
    for proc in procs:
        proc.start()
    connected = failed = 0
    for _ in procs:
        ok, bad = ready.get(timeout=300)
        connected, failed = connected + ok, failed + bad
    load_before = os.getloadavg()
    server_cpu_before = [s.cpu_seconds() or 0.0 for s in server_procs]
    stopping = threading.Event()
    handhelds = [Handheld(servers[h % 2], data.badges[first_handheld + h], data.totes[first_handheld + h],
                          data.barcodes, args.interval, stopping) for h in range(args.handhelds)]
    started = time.time()
    for hh in handhelds:
        hh.start()
    time.sleep(args.duration)
    stopping.set()
    for hh in handhelds:
        hh.join(timeout=60)
    load_during = os.getloadavg()
    time.sleep(3.0)  # trailing events
    stop.set()
    server_cpu = [(s.cpu_seconds() or 0.0) - before for s, before in zip(server_procs, server_cpu_before)]
    per_client: list[list[tuple]] = []
    client_cpu = 0.0
    heard: dict[str, int] = {}  # by the first client of the first process to answer
    for _ in procs:
        rows, cpu, others = out.get(timeout=120)
        if rows and not heard:
            heard = {"pick.confirmed": len(rows[0]), **others}
        per_client.extend(rows)
        client_cpu += cpu
    for proc in procs:
        proc.join(timeout=30)
    expected = {key for hh in handhelds for key in hh.confirmed}
    first: dict[tuple, float] = {}
    last: dict[tuple, float] = {}
    at: dict[tuple, float] = {}
    deliveries: list[float] = []
    lost = 0
    for rows in per_client:
        seen = {}
        for key, stamp, got in rows:
            seen.setdefault(key, got)
            if stamp is not None:
                at[key] = stamp
        for key in expected:
            if key not in seen:
                lost += 1
                continue
            last[key] = max(last.get(key, 0.0), seen[key])
            first[key] = min(first.get(key, math.inf), seen[key])
            if key in at:
                deliveries.append((seen[key] - at[key]) * 1000)
    latencies = [(last[k] - at[k]) * 1000 for k in expected if k in last and k in at]
    to_first = [(first[k] - at[k]) * 1000 for k in expected if k in first and k in at]
    spread = [(last[k] - first[k]) * 1000 for k in expected if k in last and k in first]
    ms = lambda v: round(v, 1) if v is not None else None
    per_line = lambda cpu: round(cpu * 1000 / len(expected), 1) if expected else None
    return {"clients": n, "connected": connected, "connect_failures": failed, "lines_confirmed": len(expected),
            "seconds": round(time.time() - started, 1), "lost_updates": lost,
            "commit_to_last_client_ms": {"p50": ms(_pct(latencies, 50)), "p99": ms(_pct(latencies, 99)),
                                         "max": ms(max(latencies) if latencies else None)},
            "commit_to_each_client_ms": {"p50": ms(_pct(deliveries, 50)), "p99": ms(_pct(deliveries, 99))},
            # Where the time goes: commit to the FIRST client, then first-to-last client; CPU per confirmed line
            # (every process's CPU during the round, whatever it did, divided by the lines confirmed).
            "commit_to_first_client_ms": {"p50": ms(_pct(to_first, 50)), "p99": ms(_pct(to_first, 99))},
            "first_to_last_client_ms": {"p50": ms(_pct(spread, 50)), "p99": ms(_pct(spread, 99))},
            "events_heard_by_one_client": heard,
            "cpu_ms_per_line": {"servers": [per_line(c) for c in server_cpu], "client_procs": per_line(client_cpu)},
            "handheld_errors": [e for hh in handhelds for e in hh.errors],
            "loadavg_before": [round(x, 2) for x in load_before], "loadavg_during": [round(x, 2) for x in load_during]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import aiohttp  # noqa: F401 - python-socketio's AsyncClient needs it for websocket; say so once, up front
    except ImportError:
        print("fanout: aiohttp is not installed (pip install -e '.[bench]')", file=sys.stderr)
        return 1
    rounds = [int(n) for n in args.clients.split(",") if n.strip()]
    folder = Path(tempfile.mkdtemp(prefix="floorapp-fanout-"))
    instance = folder / "instance"
    instance.mkdir()
    url = args.database_url or f"sqlite:///{folder / 'fanout.db'}"
    servers: list[_setup.Server] = []
    try:
        if url.startswith("postgresql"):
            _setup.recreate_postgres_database(url)
        env = _setup.server_env(instance, url)
        env.update({"FLOORAPP_REDIS_URL": args.redis_url, "FLOORAPP_REDIS_CHANNEL": f"fanout-{uuid.uuid4().hex[:8]}"})
        print(f"seeding the demo ({_setup.database_kind(url)}) ...", flush=True)
        _setup.run_demo_seed(env, folder / "seed.log")
        pickers = args.handhelds * len(rounds)
        tasks = int(args.duration / args.interval / 12) + 3  # a task is 3-6 lines, ~3.5 scans a line
        data = _setup.add_bench_data(url, handhelds=pickers, tasks_per_handheld=tasks, totes_per_handheld=tasks + 2,
                                     lines_min=3, lines_max=6)
        for name in ("a", "b"):
            server = _setup.Server(env, _setup.free_port(), 1, folder / f"server-{name}.log")
            server.start()
            servers.append(server)
        bases = [s.base_url for s in servers]
        http = requests.Session()
        page = http.get(bases[0] + "/login", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        http.post(bases[0] + "/login", data={"badge": "S-0001", "pin": _setup.PIN, "csrf_token": token}, timeout=30)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        results = []
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()}; two servers {bases}; Redis {args.redis_url}",
              flush=True)
        print(f"{'clients':>7} {'lines':>6} {'lost':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'load (1m)':>10}")
        for i, n in enumerate(rounds):
            r = one_round(n, servers, cookie, data, args, i * args.handhelds)
            results.append(r)
            t = r["commit_to_last_client_ms"]
            print(f"{n:>7} {r['lines_confirmed']:>6} {r['lost_updates']:>5} {t['p50']!s:>8} {t['p99']!s:>8} "
                  f"{t['max']!s:>8} {r['loadavg_during'][0]:>10}", flush=True)
            f, d, c = r["commit_to_first_client_ms"], r["first_to_last_client_ms"], r["cpu_ms_per_line"]
            print(f"        commit->first client p50/p99 {f['p50']}/{f['p99']} ms; first->last client {d['p50']}/{d['p99']} "
                  f"ms; CPU ms per line: servers {c['servers']}, client procs {c['client_procs']}; one client heard "
                  f"{r['events_heard_by_one_client']}", flush=True)
            for error in r["handheld_errors"][:5]:
                print(f"        handheld: {error}", flush=True)
        logs = [_setup.read_server_log(folder / f"server-{name}.log") for name in ("a", "b")]
        clean = all(log.clean for log in logs)
        summary = {"rounds": results, "servers": 2, "database": _setup.database_kind(url), "server_logs_clean": clean}
        print(json.dumps(summary))
        bad = any(r["lost_updates"] or r["connect_failures"] or r["handheld_errors"] for r in results) or not clean
        return 3 if bad else 0
    except _setup.SetupError as error:
        print(f"fanout: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            server.stop()
        if url.startswith("postgresql"):
            _setup.drop_postgres_database(url)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
