"""A simulated handheld: a generator that yields requests and reads `#step` from the answers."""
from __future__ import annotations

import html
import math
import random
import re
import sys
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup

SCAN_STEPS = ("location", "product", "qty", "tote")
LINES_MIN, LINES_MAX = 5, 10
SCANS_PER_TASK_MIN = LINES_MIN * 3   # per line at least: location, product, tote
_STEP_TAG = re.compile(r'<section\b[^>]*\bid="step"[^>]*>', re.DOTALL)
_DATA_ATTR = re.compile(r'\bdata-([a-z-]+)="([^"]*)"')
_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
_TASK_PATH = re.compile(r"^/pick/tasks/(\d+)$")
_FEEDBACK = re.compile(r'class="feedback[^"]*"[^>]*>(.*?)</p>', re.DOTALL)


# ---------------------------------------------------------------------------------------------- protocol
# A handheld is a generator that yields what it wants done (an HTTP request, a sleep, "ready to start")
# and is sent the answer. The same handheld code runs on asyncio + aiohttp or on threads + requests.

@dataclass
class Req:
    method: str
    path: str
    data: dict | None = None
    headers: dict | None = None
    follow: bool = True


@dataclass
class Resp:
    status: int          # 0: no HTTP answer (timeout, connection error)
    path: str            # the final URL's path, after redirects
    text: str
    elapsed: float       # seconds, the whole round trip including a retry on a stale connection
    error: str = ""
    retried: bool = False
    server: float | None = None  # seconds, the app's wall time (Server-Timing "app")
    own: float | None = None     # seconds, the time the request's greenlet ran (Server-Timing "own")


@dataclass
class Sleep:
    until: float         # time.monotonic()


class Ready:
    """Logged in and holding a task: wait for every handheld, then get the common start time."""


READY = Ready()


class HandheldError(Exception):
    pass


def step_of(text: str) -> dict[str, str] | None:
    """The data-* attributes of `#step` (automation contract), or None when the page has no #step."""
    tag = _STEP_TAG.search(text)
    if tag is None:
        return None
    return {name: html.unescape(value) for name, value in _DATA_ATTR.findall(tag.group(0))}


def feedback_of(text: str) -> str:
    found = _FEEDBACK.search(text)
    return html.unescape(" ".join(found.group(1).split())) if found else ""


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# ---------------------------------------------------------------------------------------------- handheld

@dataclass
class Stats:
    """One handheld's figures; merged at the end. Latencies only for scans started inside the window."""

    latencies: list[float] = field(default_factory=list)   # seconds, every timed scan in the window
    server_latencies: list[float] = field(default_factory=list)  # seconds, the app's wall time for those scans
    own_latencies: list[float] = field(default_factory=list)  # seconds, their greenlet's running time
    by_step: dict[str, int] = field(default_factory=dict)  # scans in the window per step they were sent at
    normal: int = 0
    wrong: int = 0
    replay: int = 0
    refused: int = 0            # right scans that were refused
    wrong_refused: int = 0
    wrong_accepted: int = 0     # a deliberately wrong scan that changed something: a bug
    replay_same: int = 0
    replay_different: int = 0   # a replayed scan id answered differently or moving the task: a bug
    http_errors: int = 0        # answers other than 200 / 422 (whole run, not only the window)
    transport_errors: int = 0   # no answer at all: timeout, connection refused or reset (whole run)
    statuses: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    route_fetches: int = 0      # GET /pick/task.json (--device-route), whole run
    tasks_done: int = 0
    scans_all: int = 0          # including warm-up
    tasks_done_all: int = 0
    starved: bool = False
    anomalies: list[str] = field(default_factory=list)

    def merge(self, other: Stats) -> None:
        for name in ("normal", "wrong", "replay", "refused", "wrong_refused", "wrong_accepted", "replay_same",
                     "replay_different", "http_errors", "transport_errors", "retries", "route_fetches", "tasks_done", "scans_all",
                     "tasks_done_all"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies.extend(other.latencies)
        self.server_latencies.extend(other.server_latencies)
        self.own_latencies.extend(other.own_latencies)
        for step, count in other.by_step.items():
            self.by_step[step] = self.by_step.get(step, 0) + count
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.anomalies.extend(other.anomalies[:5])


@dataclass
class Plan:
    warmup: float
    duration: float
    interval: float
    wrong_rate: float
    replay_rate: float
    max_consecutive_errors: int = 5
    max_refusals_in_a_row: int = 5
    device_route: bool = False   # after each accepted scan, GET /pick/task.json as offline.js does
    floor: bool = False          # no scans: GET / (the start screen's redirect) in a loop, the least a signed-in request costs


class Handheld:
    def __init__(self, index: int, badge: str, totes: list[str], data: _setup.BenchData, plan: Plan, seed: int):
        self.index, self.badge, self.totes, self.data, self.plan = index, badge, totes, data, plan
        self.rng = random.Random(seed * 1_000_003 + index)
        self.stats = Stats()
        self.csrf = ""
        self.task_id: int | None = None
        self.step: dict[str, str] = {}
        self.tote_next = 0
        self.t0 = 0.0
        self.last: tuple[int | None, str, str, str] | None = None  # (task, scan id, raw, result) of the last new scan
        self.consecutive_errors = 0
        self.refusals_in_a_row = 0
        self.error: str | None = None

    # -- helpers ----------------------------------------------------------------------------------------
    def _fail(self, message: str, resp: Resp | None = None) -> HandheldError:
        detail = ""
        if resp is not None:
            detail = f" (HTTP {resp.status} {resp.path} {resp.error})" if resp.status else f" ({resp.error})"
            if resp.text and resp.status >= 400:
                detail += ": " + " ".join(resp.text.split())[:300]
        return HandheldError(f"handheld {self.badge}: {message}{detail}")

    def _in_window(self, started: float) -> bool:
        return self.t0 + self.plan.warmup <= started < self.t0 + self.plan.warmup + self.plan.duration

    def _count_answer(self, resp: Resp) -> None:
        """Count retries and errors; give up after too many failed requests in a row."""
        if resp.retried:
            self.stats.retries += 1
        if resp.status in (200, 422):
            self.consecutive_errors = 0
            return
        # Errors count wherever they happen (warm-up too): they are what the run looks for.
        if resp.status == 0:
            self.stats.transport_errors += 1
        else:
            self.stats.http_errors += 1
        self.stats.statuses[resp.status] = self.stats.statuses.get(resp.status, 0) + 1
        self.consecutive_errors += 1
        if self.consecutive_errors > self.plan.max_consecutive_errors:
            raise self._fail(f"{self.consecutive_errors} failed requests in a row", resp)

    def _headers(self, htmx: bool = False) -> dict[str, str]:
        headers = {"X-CSRFToken": self.csrf, "User-Agent": f"floorapp-bench/{self.badge}"}
        if htmx:
            headers["HX-Request"] = "true"
        return headers

    def _read_page(self, resp: Resp) -> None:
        csrf = _CSRF.search(resp.text)
        if csrf:
            self.csrf = html.unescape(csrf.group(1))
        found = _TASK_PATH.match(resp.path)
        if found:
            self.task_id = int(found.group(1))
        step = step_of(resp.text)
        if step is None:
            raise self._fail("the page has no #step", resp)
        if step.get("task", "").isdigit():
            self.task_id = int(step["task"])
        self.step = step

    # -- the handheld's life ----------------------------------------------------------------------------
    def run(self) -> Generator[object, object, None]:
        resp = yield Req("GET", "/login", headers={"User-Agent": f"floorapp-bench/{self.badge}"})
        form = _CSRF.search(resp.text) if resp.status == 200 else None
        if form is None:
            raise self._fail("GET /login gave no login form", resp)
        self.csrf = html.unescape(form.group(1))
        resp = yield Req("POST", "/login", data={"badge": self.badge, "pin": _setup.PIN, "csrf_token": self.csrf},
                         headers=self._headers())
        if resp.status != 200 or resp.path.startswith("/login"):
            raise self._fail("could not log in", resp)
        csrf = _CSRF.search(resp.text)
        if csrf:
            self.csrf = html.unescape(csrf.group(1))
        # The first task before the clock starts: N handhelds asking for work at once is not the steady state.
        if not (yield from self._take_next()):
            return
        self.t0 = yield READY
        end = self.t0 + self.plan.warmup + self.plan.duration
        next_at = self.t0
        if self.plan.interval > 0:  # jittered start: the handhelds do not scan in step
            next_at = self.t0 + self.rng.uniform(0, self.plan.interval)
        while time.monotonic() < end:
            if self.plan.floor:
                yield from self._floor_once()
                continue
            if self.step.get("expect") not in SCAN_STEPS:  # done (or the start screen): more work
                if not (yield from self._take_next()):
                    return
                continue
            if self.plan.interval > 0:
                if next_at > time.monotonic():
                    yield Sleep(next_at)
                next_at = max(next_at + self.plan.interval, time.monotonic())
                if time.monotonic() >= end:
                    break
            yield from self._scan_once()

    def _take_next(self) -> Generator[object, object, bool]:
        for _attempt in range(self.plan.max_consecutive_errors + 1):
            resp = yield Req("POST", "/pick/next", data={"csrf_token": self.csrf}, headers=self._headers())
            if resp.status == 409:
                self.stats.starved = True
                return False
            if resp.status == 200 and _TASK_PATH.match(resp.path):
                self.consecutive_errors = 0
                self._read_page(resp)
                self.last = None
                return True
            if resp.status == 200:
                raise self._fail(f"POST /pick/next landed on {resp.path}, not on a task", resp)
            self._count_answer(resp)
        raise self._fail("could not get work")

    def _resync(self) -> Generator[object, object, None]:
        """After an error: read the task page again, as a person would reload."""
        for _attempt in range(self.plan.max_consecutive_errors + 1):
            resp = yield Req("GET", f"/pick/tasks/{self.task_id}", headers=self._headers())
            if resp.status == 200:
                self._read_page(resp)
                return
            self._count_answer(resp)
        raise self._fail("could not reload the task page")

    def _right_scan(self) -> str:
        expect, code = self.step.get("expect"), self.step.get("code", "")
        if expect == "location":
            return code
        if expect in ("product", "qty"):  # one item at a time, any of the product's barcodes
            codes = self.data.barcodes.get(code)
            if not codes:
                raise self._fail(f"no barcode known for SKU {code!r}")
            return self.rng.choice(codes)
        if code:  # tote: the one this task already fills
            return code
        if self.tote_next >= len(self.totes):
            raise self._fail(f"ran out of its {len(self.totes)} totes (raise --tasks-per-handheld)")
        tote = self.totes[self.tote_next]
        self.tote_next += 1
        return tote

    def _wrong_scan(self) -> str:
        """What a picker gets wrong at this step: another location, another product, or a label that is not
        a tote. Each must be refused, the task unmoved."""
        expect, code = self.step.get("expect"), self.step.get("code", "")
        if expect in ("product", "qty"):
            for _ in range(10):
                sku = self.rng.choice(self.data.skus)
                if sku != code:
                    return self.rng.choice(self.data.barcodes[sku])
        for _ in range(10):  # location step: another location; tote step: a location label is no tote
            candidate = self.rng.choice(self.data.locations)
            if candidate != code:
                return candidate
        return "NO-SUCH-CODE"

    def _floor_once(self) -> Generator[object, object, None]:
        """The least a signed-in request costs on this server: session cookie, user row, role check, a redirect."""
        started = time.monotonic()
        resp = yield Req("GET", "/", headers=self._headers(), follow=False)
        self.stats.scans_all += 1
        if self._in_window(started):
            self.stats.latencies.append(resp.elapsed)
            if resp.server is not None:
                self.stats.server_latencies.append(resp.server)
            if resp.own is not None:
                self.stats.own_latencies.append(resp.own)
            self.stats.by_step["floor"] = self.stats.by_step.get("floor", 0) + 1
        if resp.status == 302:
            self.consecutive_errors = 0
        elif resp.status in (200, 422):  # not the start screen's redirect: an error all the same
            self.stats.http_errors += 1
        else:
            self._count_answer(resp)

    def _scan_once(self) -> Generator[object, object, None]:
        draw = self.rng.random()
        before = (self.step.get("expect"), self.step.get("code"))
        if self.last is not None and self.last[0] == self.task_id and draw < self.plan.replay_rate:
            kind, (_, scan_id, raw, first_result) = "replay", self.last
        elif draw < self.plan.replay_rate + self.plan.wrong_rate:
            kind, scan_id, raw, first_result = "wrong", uuid.uuid4().hex, self._wrong_scan(), ""
        else:
            kind, scan_id, raw, first_result = "normal", uuid.uuid4().hex, self._right_scan(), ""
        started = time.monotonic()
        resp = yield Req("POST", f"/pick/tasks/{self.task_id}/scan", data={"scan": raw, "scan_id": scan_id},
                         headers=self._headers(htmx=True), follow=False)
        stats = self.stats
        stats.scans_all += 1
        in_window = self._in_window(started)
        if in_window:
            stats.latencies.append(resp.elapsed)
            if resp.server is not None:
                stats.server_latencies.append(resp.server)
            if resp.own is not None:
                stats.own_latencies.append(resp.own)
            stats.by_step[before[0] or "?"] = stats.by_step.get(before[0] or "?", 0) + 1
            setattr(stats, kind, getattr(stats, kind) + 1)
        self._count_answer(resp)
        if resp.status not in (200, 422):
            if len(stats.anomalies) < 5:
                stats.anomalies.append(f"{kind} scan {raw!r} at {before}: HTTP {resp.status} {resp.error}".strip())
            yield from self._resync()
            return
        step = step_of(resp.text)
        if step is None:
            raise self._fail(f"the answer to scan {raw!r} has no #step", resp)
        result = step.get("result", "")
        after = (step.get("expect"), step.get("code"))
        if kind == "normal":
            if result == "refused":
                self.refusals_in_a_row += 1
                if in_window:
                    stats.refused += 1
                if len(stats.anomalies) < 5:
                    stats.anomalies.append(f"right scan {raw!r} at {before} refused: {feedback_of(resp.text)!r}")
                if self.refusals_in_a_row >= self.plan.max_refusals_in_a_row:
                    raise self._fail(f"the right scan {raw!r} at {before} was refused {self.refusals_in_a_row} "
                                     f"times in a row: {feedback_of(resp.text)!r}")
            else:
                self.refusals_in_a_row = 0
        elif kind == "wrong" and in_window:
            if result == "refused" and after == before:
                stats.wrong_refused += 1
            else:
                stats.wrong_accepted += 1
                if len(stats.anomalies) < 5:
                    stats.anomalies.append(f"wrong scan {raw!r} at {before} answered {result!r}, now at {after}")
        elif kind == "replay" and in_window:
            if result == first_result and after == before:
                stats.replay_same += 1
            else:
                stats.replay_different += 1
                if len(stats.anomalies) < 5:
                    stats.anomalies.append(f"replayed scan {raw!r} at {before} answered {result!r} (first: "
                                           f"{first_result!r}), now at {after}")
        if kind != "replay":
            self.last = (self.task_id, scan_id, raw, result)
        self.step = step
        if step.get("task", "").isdigit():
            self.task_id = int(step["task"])
        if self.plan.device_route and result == "ok":  # the handheld's offline.js reads the route after each step
            route = yield Req("GET", f"/pick/task.json?task={self.task_id}", headers=self._headers())
            stats.route_fetches += 1
            self._count_answer(route)
        if kind == "normal" and step.get("expect") == "done":
            stats.tasks_done_all += 1
            stats.tasks_done += in_window
