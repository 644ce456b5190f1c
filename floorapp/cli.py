"""The `floorapp` command: demo, serve, db upgrade, user add, token create, import orders, outbox-worker."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import func, select

from . import config as config_module
from .db import make_engine, make_sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _settings(args: argparse.Namespace) -> dict:
    overrides = {"INSTANCE_PATH": args.instance} if getattr(args, "instance", None) else {}
    return config_module.load(overrides)


def _session(settings: dict):
    return make_sessionmaker(make_engine(settings["DATABASE_URL"]))()


def db_upgrade(database_url: str) -> None:
    """Bring the database to the newest schema with Alembic."""
    from alembic import command
    from alembic.config import Config

    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    alembic_cfg = Config()
    alembic_cfg.set_main_option("script_location", str(MIGRATIONS))
    alembic_cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(alembic_cfg, "head")


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db_upgrade(settings["DATABASE_URL"])
    print(f"Database is up to date: {settings['DATABASE_URL']}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from .domain.errors import DomainError
    from .domain.users import add_user

    with _session(_settings(args)) as session:
        try:
            user = add_user(session, name=args.name, badge=args.badge, pin=args.pin, role=args.role)
        except DomainError as error:
            print(error.message, file=sys.stderr)
            return 1
        session.commit()
        print(f"Added {user.role.value} {user.name} with badge {user.badge}.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from .domain.users import create_token

    with _session(_settings(args)) as session:
        token = create_token(session, args.name)
        session.commit()
    print(token)
    return 0


def cmd_import_orders(args: argparse.Namespace) -> int:
    """Check the whole file first; import only when every row is good (or --good-rows), with progress."""
    import time

    from .domain.errors import ValidationFailed
    from .domain.importing import check, import_orders, read_file

    path = Path(args.file)
    try:
        entries, rows = read_file(path.name, path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, ValidationFailed) as error:
        print(f"Cannot read {path}: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    settings = _settings(args)
    started = time.monotonic()
    with _session(settings) as session:
        result = check(session, entries, rows)
        problems = result.problems
        if problems:
            where = "Skipping" if args.good_rows else "Nothing imported:"
            print(f"{where} {len(problems)} problem(s) in {len(result.skipped_rows)} row(s) "
                  f"(of {len(result.entries)} order(s)).", file=sys.stderr)
            for problem in problems:
                print(f"  {problem.describe()}", file=sys.stderr)
            if not args.good_rows:
                print("Fix the file, or run again with --good-rows to import the good rows.", file=sys.stderr)
                return 1
        print(f"Checked {rows} row(s) in {time.monotonic() - started:.1f} s.", file=sys.stderr, flush=True)

        def progress(report) -> None:
            session.commit()
            session.info.pop("floor_events", None)  # nobody to emit them to from the command line
            print(f"  {report.rows_done} of {rows} rows ({100 * report.rows_done // max(rows, 1)}%)",
                  file=sys.stderr, flush=True)

        report = import_orders(session, result.entries, on_batch=progress)
        session.commit()
    print(f"Imported {len(report.created)} new order(s); {len(report.unchanged)} already present"
          f" ({rows} rows in {time.monotonic() - started:.1f} s).")
    return 1 if problems else 0


def cmd_outbox_worker(args: argparse.Namespace) -> int:
    """Deliver webhooks and customer emails from the outbox until stopped (or once with --once)."""
    import signal
    import threading

    from .domain import outbox

    settings = _settings(args)
    make_session = make_sessionmaker(make_engine(settings["DATABASE_URL"]))
    delivery = outbox.Settings.from_config(settings)
    if args.once:
        print(f"Attempted {outbox.run_once(make_session, delivery, limit=1000)} delivery(ies).")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print("Outbox worker running; Ctrl-C stops it.", flush=True)
    outbox.run_forever(make_session, delivery, stop)
    return 0


def cmd_counts_schedule(args: argparse.Namespace) -> int:
    from .domain.count_schedule import INTERVAL_DAYS, schedule

    with _session(_settings(args)) as session:
        result = schedule(session, limit=args.limit)
        session.commit()
        classes = {abc: sum(1 for c in result.classes.values() if c == abc) for abc in "ABC"}
        print(f"Products by movement: A {classes['A']}, B {classes['B']}, C {classes['C']} "
              f"(counted every {INTERVAL_DAYS['A']}, {INTERVAL_DAYS['B']}, {INTERVAL_DAYS['C']} days).")
        print(f"{len(result.created)} count(s) open: " + ", ".join(c.location.code for c in result.created[:20])
              + (" ..." if len(result.created) > 20 else ""))
    return 0


def _serve(host: str, port: int, settings: dict, workers: int = 1) -> int:
    """Run as in production: gunicorn with the gevent worker, one worker per process."""
    os.environ.setdefault("FLOORAPP_INSTANCE_PATH", settings["INSTANCE_PATH"])
    argv = [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", str(workers),
            "--bind", f"{host}:{port}", "--access-logfile", "-", "floorapp.wsgi:app"]
    os.execv(sys.executable, argv)
    return 0  # not reached


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    return _serve(args.host, args.port, settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from .domain.demo import seed
    from .domain.models import Product
    from .domain.users import create_token

    settings = _settings(args)
    url = settings["DATABASE_URL"]
    if args.reset and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    db_upgrade(url)
    with _session(settings) as session:
        if session.scalar(select(func.count()).select_from(Product)) == 0:
            summary = seed(session, shift=True)
            token = create_token(session, "demo")
            session.commit()
            Path(settings["INSTANCE_PATH"], "demo_api_token").write_text(token + "\n")
            print(summary.describe())
        else:
            print("Demo data already present (use --reset to start again).")
    token_file = Path(settings["INSTANCE_PATH"], "demo_api_token")
    print("\nDemo users log in with badge and PIN: pickers P-0001, P-0002; packer K-0001; "
          "supervisor S-0001; admin A-0001; PIN 1234.")
    if token_file.exists():
        print(f"API token: {token_file.read_text().strip()}")
    print(f"\nfloorapp demo: http://{args.host}:{args.port}\n", flush=True)
    if args.no_serve:
        return 0
    return _serve(args.host, args.port, settings)


def cmd_print_worker(args: argparse.Namespace) -> int:
    import logging

    from .printworker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings(args)
    sent = run(make_sessionmaker(make_engine(settings["DATABASE_URL"])), settings, once=args.once)
    if args.once:
        print(f"Sent {sent} print job(s).")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="floorapp", description="The warehouse floor app.")
    top.add_argument("--instance", help="instance folder (default ./instance or FLOORAPP_INSTANCE_PATH)")
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create and seed the demo warehouse, then serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=5000)
    demo.add_argument("--reset", action="store_true", help="start from an empty demo database")
    demo.add_argument("--no-serve", action="store_true", help="seed only")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve with gunicorn + gevent (one worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="add a user")
    add.add_argument("--name", required=True)
    add.add_argument("--badge", required=True)
    add.add_argument("--pin", required=True)
    add.add_argument("--role", required=True, choices=["picker", "packer", "supervisor", "admin"])
    add.set_defaults(func=cmd_user_add)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="print a new API token")
    create.add_argument("name")
    create.set_defaults(func=cmd_token_create)

    imp = sub.add_parser("import", help="import data").add_subparsers(dest="import_command", required=True)
    orders = imp.add_parser("orders", help="import orders from a JSON or CSV file (all or nothing)")
    orders.add_argument("file")
    orders.add_argument("--good-rows", action="store_true",
                        help="import the orders whose rows are all good and list the rest")
    orders.set_defaults(func=cmd_import_orders)
    counts = sub.add_parser("counts", help="cycle counts").add_subparsers(dest="counts_command", required=True)
    sched = counts.add_parser("schedule", help="open counts for locations due by ABC class (A items most often)")
    sched.add_argument("--limit", type=int, default=50, help="at most this many counts per run")
    sched.set_defaults(func=cmd_counts_schedule)
    worker = sub.add_parser("print-worker", help="send queued print jobs; retry offline printers with backoff")
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.set_defaults(func=cmd_print_worker)

    worker = sub.add_parser("outbox-worker", help="deliver webhooks and customer emails from the outbox")
    worker.add_argument("--once", action="store_true", help="deliver what is due now, then stop")
    worker.set_defaults(func=cmd_outbox_worker)

    from .cli_scanning import add_scanning_commands
    add_scanning_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except config_module.ConfigError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
