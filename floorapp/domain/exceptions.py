"""The exceptions feed of the floor board, and one dispatch table of the actions that resolve them.

The feed gathers what needs a supervisor, whatever recorded it: open FloorException rows (short picks,
wrong items, damage, count variances, missing items at packing), failed print jobs, streaks of refused
scans, and cycle counts waiting for approval. Each item carries its actions; `resolve(key, action)`
dispatches to the function registered for (kind, action). Other areas add their resolutions with
`@resolution(kind, action, label)` (e.g. approving a count variance, a missing item at packing).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import DomainError, NotFound
from .models import (
    FloorException,
    Location,
    Order,
    PrintJob,
    Product,
    Scan,
    SupervisorAction,
    User,
    utcnow,
)
from .models.counting import CycleCount
from .states import CountState, PrintState, ScanResult

STREAK = 3                        # refused scans in a row by one person at one screen
STREAK_LOOKBACK = dt.timedelta(hours=8)  # a shift: a streak stays until someone has seen to it


@dataclass(frozen=True)
class Action:
    code: str
    label: str


@dataclass
class Issue:
    key: str              # "exception:12", "print:5", "streak:<last scan id>", "count:3"
    kind: str             # short_pick, wrong_item, damage, count_variance, missing_at_pack, print_failed, ...
    title: str
    detail: str
    when: dt.datetime
    user: str = ""
    actions: list[Action] = field(default_factory=list)


Resolver = Callable[[Session, str, User, dict], str]
RESOLVERS: dict[tuple[str, str], tuple[str, Resolver]] = {}


def resolution(kind: str, action: str, label: str) -> Callable[[Resolver], Resolver]:
    """Register how `action` resolves an issue of `kind`: fn(session, key, user, params) -> message."""
    def register(fn: Resolver) -> Resolver:
        RESOLVERS[(kind, action)] = (label, fn)
        return fn
    return register


def actions_for(kind: str) -> list[Action]:
    return [Action(code, label) for (k, code), (label, _) in RESOLVERS.items() if k == kind]


def _acknowledged(session: Session, prefix: str) -> set[str]:
    return set(session.scalars(select(SupervisorAction.subject).where(
        SupervisorAction.action == "exception.resolve", SupervisorAction.subject.like(prefix + "%"))))


def _floor_exceptions(session: Session) -> list[Issue]:
    rows = session.execute(
        select(FloorException, Order.external_id, Location.code, Product.sku, User.name)
        .outerjoin(Order, Order.id == FloorException.order_id)
        .outerjoin(Location, Location.id == FloorException.location_id)
        .outerjoin(Product, Product.id == FloorException.product_id)
        .outerjoin(User, User.id == FloorException.user_id)
        .where(FloorException.resolved_at.is_(None)).order_by(FloorException.created_at.desc()).limit(50))
    out = []
    for exc, order, location, sku, who in rows:
        kind = exc.kind.value
        what = " · ".join(p for p in (f"order {order}" if order else "", f"{exc.qty} x {sku}" if sku else "",
                                      f"at {location}" if location else "") if p)
        out.append(Issue(f"exception:{exc.id}", kind, kind.replace("_", " ").capitalize(),
                         " ".join(p for p in (what, exc.note) if p), exc.created_at, who or "", actions_for(kind)))
    return out


def _failed_prints(session: Session) -> list[Issue]:
    jobs = session.scalars(select(PrintJob).where(PrintJob.state == PrintState.FAILED)
                           .order_by(PrintJob.created_at.desc()).limit(20))
    return [Issue(f"print:{job.id}", "print_failed", "Print job failed",
                  f"{job.document} on {job.printer}: {job.error or 'no answer'} ({job.attempts} tries)",
                  job.sent_at or job.created_at, "", actions_for("print_failed")) for job in jobs]


def _streaks(session: Session, now: dt.datetime) -> list[Issue]:
    """Runs of STREAK or more refused scans in a row by one person at one screen (wrong items, wrong bins)."""
    scans = session.execute(select(Scan.id, Scan.user_id, Scan.context, Scan.result, Scan.raw, Scan.created_at,
                                   User.name).outerjoin(User, User.id == Scan.user_id)
                            .where(Scan.created_at >= now - STREAK_LOOKBACK).order_by(Scan.user_id, Scan.id)).all()
    done = _acknowledged(session, "streak:")
    runs: dict[tuple, list] = {}
    out = []
    for row in scans + [None]:
        key = (row.user_id, row.context) if row is not None else None
        for open_key in [k for k in runs if k != key or row.result != ScanResult.REFUSED]:
            run = runs.pop(open_key)
            if len(run) >= STREAK and f"streak:{run[-1].id}" not in done:
                out.append(Issue(f"streak:{run[-1].id}", "wrong_item_streak", f"{len(run)} refused scans in a row",
                                 f"{run[-1].name or 'someone'} at {run[-1].context}: last scanned {run[-1].raw}",
                                 run[-1].created_at, run[-1].name or "", actions_for("wrong_item_streak")))
        if row is not None and row.result == ScanResult.REFUSED:
            runs.setdefault(key, []).append(row)
    return out


def _counts_waiting(session: Session) -> list[Issue]:
    counts = session.scalars(select(CycleCount).where(CycleCount.state == CountState.AWAITING_APPROVAL,
                                                      CycleCount.exception_id.is_(None))  # else listed as exception
                             .order_by(CycleCount.created_at.desc()).limit(20))
    return [Issue(f"count:{c.id}", "count_variance", "Count variance to approve",
                  f"at {c.location.code}" + (f" ({c.product.sku})" if c.product else "") + (f": {c.reason}" if c.reason else ""),
                  c.created_at, "", actions_for("count_variance")) for c in counts]


def feed(session: Session, now: dt.datetime | None = None) -> list[Issue]:
    """Everything that waits for a supervisor, newest first."""
    now = now or utcnow()
    items = _floor_exceptions(session) + _failed_prints(session) + _streaks(session, now) + _counts_waiting(session)
    return sorted(items, key=lambda i: i.when, reverse=True)


def kind_of(session: Session, key: str) -> str:
    """The kind behind an issue key (what the dispatch table is keyed on)."""
    source, _, raw_id = key.partition(":")
    if not raw_id.isdigit():
        raise NotFound("That exception does not exist any more. The board has been refreshed.")
    if source == "exception":
        exc = session.get(FloorException, int(raw_id))
        if exc is None:
            raise NotFound("That exception does not exist any more. The board has been refreshed.")
        if exc.resolved_at is not None:
            raise DomainError("This exception was already resolved.")
        return exc.kind.value
    kinds = {"print": "print_failed", "streak": "wrong_item_streak", "count": "count_variance"}
    if source not in kinds:
        raise NotFound("That exception does not exist any more. The board has been refreshed.")
    return kinds[source]


def resolve(session: Session, key: str, action: str, user: User, params: dict | None = None) -> str:
    """Run the registered resolution; returns the sentence to show. Unknown actions are refused."""
    kind = kind_of(session, key)
    entry = RESOLVERS.get((kind, action))
    if entry is None:
        raise DomainError(f"'{action}' does not resolve a {kind.replace('_', ' ')}.")
    return entry[1](session, key, user, params or {})


def floor_exception(session: Session, key: str) -> FloorException:
    exc = session.get(FloorException, int(key.partition(":")[2]))
    if exc is None:
        raise NotFound("That exception does not exist any more.")
    return exc


def close(exc: FloorException) -> None:
    exc.resolved_at = utcnow()
