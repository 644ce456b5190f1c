"""Shared set-up for the benchmarks: a fresh database, the demo seed, bench data, a production-like server.

Nothing here measures anything; bench/scan_roundtrip.py does. Every helper is bounded in time and
cleans up after itself (see `Server.stop`, `drop_postgres_database`).
"""
from __future__ import annotations

import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = "1234"
SECRET_KEY = "bench-secret-key-not-for-production"
# Databases the benchmark must never drop, whatever URL it is given.
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


class SetupError(RuntimeError):
    """The benchmark could not be set up (database, seed, server); the message says why."""


# ---------------------------------------------------------------------------------------------- database

def database_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite" if url.startswith("sqlite") else url.split(":")[0]


def recreate_postgres_database(url: str, admin_database: str = "test") -> None:
    """DROP ... WITH (FORCE) and CREATE the database named in `url`, over AUTOCOMMIT to `admin_database`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database or ""
    if not name or name in PROTECTED_DATABASES or "bench" not in name:
        raise SetupError(f"Refusing to drop and re-create database {name!r}: the benchmark database's name must "
                         f"contain 'bench' (e.g. floorapp_bench) and not be one of {sorted(PROTECTED_DATABASES)}.")
    engine = create_engine(target.set(database=admin_database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        raise SetupError(f"Cannot re-create Postgres database {name!r}: {error}") from error
    finally:
        engine.dispose()


def drop_postgres_database(url: str, admin_database: str = "test") -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database or ""
    if not name or name in PROTECTED_DATABASES or "bench" not in name:
        return
    engine = create_engine(target.set(database=admin_database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------- environment

def server_env(instance: Path, database_url: str) -> dict[str, str]:
    """The environment the seed and the server run with."""
    env = dict(os.environ)
    env.update({
        "FLOORAPP_INSTANCE_PATH": str(instance),
        "FLOORAPP_DATABASE_URL": database_url,
        "FLOORAPP_SECRET_KEY": SECRET_KEY,
        "FLOORAPP_LOGIN_RATE_LIMIT": "100000 per minute",
        # Not enforced yet; set so a per-user or per-address scan limit never throttles a closed loop.
        "FLOORAPP_SCAN_RATE_LIMIT": "100000 per second",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("FLOORAPP_REDIS_URL", None)  # one process or several, no shared queue: nothing to measure there
    return env


def run_demo_seed(env: dict[str, str], log: Path, timeout: float = 300.0) -> str:
    """`python -m floorapp.cli demo --no-serve`; returns its output, raises SetupError when it fails."""
    cmd = [sys.executable, "-m", "floorapp.cli", "demo", "--no-serve"]
    try:
        done = subprocess.run(cmd, check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise SetupError(f"`{' '.join(cmd[1:])}` did not finish in {timeout:.0f} s") from error
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SetupError(f"`floorapp demo --no-serve` failed (exit {done.returncode}):\n{tail}")
    return done.stdout


# ---------------------------------------------------------------------------------------------- bench data

@dataclass
class BenchData:
    """What the handhelds need to know before they start: who they are, their totes, what to scan."""

    badges: list[str]
    totes: list[list[str]]                     # per handheld, in the order it will use them
    barcodes: dict[str, list[str]]             # SKU -> its barcodes (every product in the database)
    locations: list[str]                       # every location code (for deliberately wrong scans)
    skus: list[str] = field(default_factory=list)  # every SKU (for deliberately wrong product scans)
    orders: int = 0
    order_lines: int = 0
    pick_tasks: int = 0                        # open tasks when the run starts (demo + bench)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def add_bench_data(database_url: str, *, handhelds: int, tasks_per_handheld: int, totes_per_handheld: int,
                   lines_min: int = 5, lines_max: int = 10, seed: int = 42, wave_size: int = 100) -> BenchData:
    """Picker users B-0001..., totes, plenty of stock and piece waves of orders, through the domain services.

    One session, a commit per wave of orders. Users get one scrypt hash of the PIN, shared (hashing is ~50 ms each).
    """
    from sqlalchemy import select

    from floorapp.db import make_engine, make_sessionmaker
    from floorapp.domain import events, receiving, waves
    from floorapp.domain import orders as orders_service
    from floorapp.domain.models import (
        Barcode,
        Location,
        PickTask,
        Product,
        Stock,
        Tote,
        User,
    )
    from floorapp.domain.states import (
        LocationKind,
        OrderState,
        Role,
        TaskState,
        Tracking,
        WaveStrategy,
    )
    from floorapp.domain.users import hash_pin

    started = time.monotonic()
    rng = random.Random(seed)
    engine = make_engine(database_url)
    session = make_sessionmaker(engine)()
    try:
        supervisor = session.scalar(select(User).where(User.role == Role.SUPERVISOR).order_by(User.id).limit(1))
        pin_hash = hash_pin(PIN)
        badges = [f"B-{i:04d}" for i in range(1, handhelds + 1)]
        session.add_all(User(name=f"Bench Picker {i}", badge=badge, pin_hash=pin_hash, role=Role.PICKER)
                        for i, badge in enumerate(badges, start=1))
        totes = [[f"BT-{h:04d}-{k:03d}" for k in range(1, totes_per_handheld + 1)] for h in range(1, handhelds + 1)]
        session.add_all(Tote(code=code) for codes in totes for code in codes)
        session.flush()

        # Products that already have a pick face: receive a lot more there, so every order allocates in full
        # from pick faces (no lots, no bulk replenishment in the way).
        faces = session.execute(
            select(Product.sku, Location.code).join(Stock, Stock.product_id == Product.id)
            .join(Location, Stock.location_id == Location.id)
            .where(Location.kind == LocationKind.PICK, Product.tracking == Tracking.NONE)
            .order_by(Location.pick_sequence, Product.sku)).all()
        face_of: dict[str, str] = {}
        for sku, code in faces:
            face_of.setdefault(sku, code)
        if len(face_of) < lines_max:
            raise SetupError(f"Only {len(face_of)} products have a pick face; the demo seed looks incomplete.")
        skus = sorted(face_of)
        receiving.receive(session, {"lines": [{"sku": sku, "location": face_of[sku], "qty": 1_000_000}
                                              for sku in skus]}, reference="bench stock")

        session.commit()
        events.take(session)
        supervisor_id = supervisor.id if supervisor else None

        # Orders of lines_min..lines_max lines, released a wave at a time; a commit per wave keeps each
        # flush small (a session holding thousands of objects makes every flush slower).
        n_orders = handhelds * tasks_per_handheld
        today = dt.date.today()
        line_count = 0
        for first in range(1, n_orders + 1, wave_size):
            made = []
            for n in range(first, min(first + wave_size, n_orders + 1)):
                lines = [{"sku": sku, "qty": rng.choice((1, 1, 1, 2, 2, 3))}
                         for sku in rng.sample(skus, rng.randint(lines_min, lines_max))]
                line_count += len(lines)
                order, _ = orders_service.create_order(session, {
                    "external_id": f"BENCH-{n:06d}", "customer": {"name": f"Bench Customer {n}"},
                    "ship_to": {"name": f"Bench Customer {n}", "line1": f"{n} Bench Street", "city": "Springfield",
                                "postal_code": "62701", "country": "US"},
                    "priority": "normal", "ship_by": (today + dt.timedelta(days=1)).isoformat(), "lines": lines})
                if order.status != OrderState.ALLOCATED:
                    raise SetupError(f"Bench order {order.external_id} is {order.status.value}, not allocated.")
                made.append(order)
            waves.release(session, made, strategy=WaveStrategy.PIECE, user_id=supervisor_id)
            session.commit()
            events.take(session)  # nobody listens: the server is not running yet
            session.expunge_all()

        barcodes: dict[str, list[str]] = {}
        for sku, code in session.execute(select(Product.sku, Barcode.code).join(Barcode, Barcode.product_id == Product.id)
                                         .order_by(Product.sku, Barcode.id)):
            barcodes.setdefault(sku, []).append(code)
        for sku in session.scalars(select(Product.sku)):
            barcodes.setdefault(sku, [sku])  # a product without barcodes: its SKU is accepted too
        locations = list(session.scalars(select(Location.code).order_by(Location.code)))
        open_tasks = len(session.scalars(select(PickTask.id).where(PickTask.state == TaskState.OPEN)).all())
        return BenchData(badges=badges, totes=totes, barcodes=barcodes, locations=locations, skus=sorted(barcodes),
                         orders=n_orders,
                         order_lines=line_count, pick_tasks=open_tasks, seconds=time.monotonic() - started)
    finally:
        session.close()
        engine.dispose()


# ---------------------------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the gevent worker, as in production (Procfile), its output in a log file."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", str(self.workers),
                "--bind", f"127.0.0.1:{self.port}", "floorapp.wsgi:app"]

    def start(self, timeout: float = 60.0) -> None:
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SetupError(f"The server exited with code {self.proc.returncode} before answering /healthz.")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        if self.proc.poll() is not None:  # someone else answered on that port
                            raise SetupError(f"The server exited with code {self.proc.returncode}, yet "
                                             f"{self.base_url} answers: another server holds the port.")
                        return
                    last_error = f"HTTP {answer.status}"
            except urllib.error.HTTPError as error:
                last_error = f"HTTP {error.code}"
            except OSError as error:
                last_error = str(error)
            time.sleep(0.2)
        raise SetupError(f"The server did not answer GET /healthz within {timeout:.0f} s ({last_error}).")

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (gunicorn's graceful stop), then SIGKILL to the process group if it lingers."""
        code = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)  # its own session: only gunicorn and its workers
                except ProcessLookupError:
                    pass
                code = self.proc.wait(timeout=10)
        elif self.proc is not None:
            code = self.proc.returncode
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return code

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by gunicorn and its workers, from /proc (None elsewhere)."""
        if self.proc is None:
            return None
        tick = os.sysconf("SC_CLK_TCK")
        total, found = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == self.proc.pid or ppid == self.proc.pid:
                total += int(fields[11]) + int(fields[12])  # utime, stime
                found = True
        return total / tick if found else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


@dataclass
class LogReport:
    """What the server log says went wrong: counts of telling lines, and the first traceback."""

    tracebacks: int = 0
    errors: int = 0
    worker_timeouts: int = 0
    locked: int = 0
    pool_timeouts: int = 0
    first_traceback: str = ""

    @property
    def clean(self) -> bool:
        return not (self.tracebacks or self.errors or self.worker_timeouts or self.locked or self.pool_timeouts)


def read_server_log(log: Path) -> LogReport:
    report = LogReport()
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return report
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            report.tracebacks += 1
            if not report.first_traceback:
                block = [lines[j] for j in range(max(0, i - 1), min(len(lines), i + 60))]
                end = next((k for k, text in enumerate(block[2:], start=2)
                            if text and not text.startswith((" ", "Traceback", "During handling", "The above"))
                            and ":" in text), len(block) - 1)
                report.first_traceback = "\n".join(block[:end + 1])
        if " ERROR " in line or "[ERROR]" in line or "[CRITICAL]" in line:
            report.errors += 1
        if "WORKER TIMEOUT" in line:
            report.worker_timeouts += 1
        if "database is locked" in line:
            report.locked += 1
        if "QueuePool limit" in line:
            report.pool_timeouts += 1
    return report
