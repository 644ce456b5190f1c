"""Run the handhelds: asyncio + aiohttp when installed, else one thread with requests per handheld."""
from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _handheld import READY, Handheld, HandheldError, Req, Resp, Sleep

TIMING = "Server-Timing"  # floorapp/web/timing.py: "app;dur=<ms>, own;dur=<ms>"


def server_seconds(header: str | None, metric_name: str = "app") -> float | None:
    """A time from the answer's Server-Timing header (None when absent): "app" (wall time in the app) or
    "own" (the time the request's greenlet ran)."""
    if not header:
        return None
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        if name == metric_name:
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key == "dur":
                    try:
                        return float(value) / 1000
                    except ValueError:
                        return None
    return None

# Called with the common start time (time.monotonic()) once every handheld is ready: scan_roundtrip.py
# samples the server's CPU time over the measured window with it.
START_LISTENERS: list = []


class StartLine:
    """Every handheld that logs in waits here; the clock starts when the last one arrives (or gives up)."""

    def __init__(self, count: int):
        self.pending = count
        self.t0 = 0.0

    def arrive_or_leave(self) -> bool:
        """True for the last one: it sets the start time."""
        self.pending -= 1
        if self.pending <= 0 and not self.t0:
            self.t0 = time.monotonic() + 0.1
            for listener in START_LISTENERS:
                listener(self.t0)
            return True
        return False


def run_asyncio(handhelds: list[Handheld], base_url: str, timeout: float, login_concurrency: int,
                keepalive: float, budget: float) -> None:
    import aiohttp

    async def send(session: aiohttp.ClientSession, req: Req) -> Resp:
        begin = time.perf_counter()
        for attempt in (0, 1):
            try:
                async with session.request(req.method, base_url + req.path, data=req.data, headers=req.headers,
                                           allow_redirects=req.follow) as answer:
                    text = await answer.text()
                    return Resp(answer.status, answer.url.path, text, time.perf_counter() - begin,
                                retried=attempt > 0, server=server_seconds(answer.headers.get(TIMING)),
                                own=server_seconds(answer.headers.get(TIMING), "own"))
            except aiohttp.ClientConnectorError as error:  # nobody listening: no use sending again
                return Resp(0, "", "", time.perf_counter() - begin, error=repr(error))
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
                if attempt == 0:  # a kept-alive connection the server had just closed: send again
                    continue      # (safe: every scan carries its scan_id)
                return Resp(0, "", "", time.perf_counter() - begin, error=repr(error), retried=True)
            except TimeoutError:
                return Resp(0, "", "", time.perf_counter() - begin, error=f"timeout after {timeout:g} s")
            except aiohttp.ClientError as error:
                return Resp(0, "", "", time.perf_counter() - begin, error=repr(error))
        raise AssertionError("unreachable")

    async def run_all() -> None:
        start = StartLine(len(handhelds))
        started = asyncio.Event()
        logins = asyncio.Semaphore(login_concurrency)

        async def one(hh: Handheld) -> None:
            arrived, holding = False, False
            try:
                await logins.acquire()
                holding = True
                connector = aiohttp.TCPConnector(limit=1, keepalive_timeout=keepalive)
                jar = aiohttp.CookieJar(unsafe=True)  # keep cookies for 127.0.0.1
                async with aiohttp.ClientSession(connector=connector, cookie_jar=jar,
                                                 timeout=aiohttp.ClientTimeout(total=timeout)) as session:
                    gen, value = hh.run(), None
                    while True:
                        try:
                            op = gen.send(value)
                        except StopIteration:
                            return
                        if isinstance(op, Req):
                            value = await send(session, op)
                        elif isinstance(op, Sleep):
                            await asyncio.sleep(max(0.0, op.until - time.monotonic()))
                            value = None
                        elif op is READY:
                            logins.release()
                            holding, arrived = False, True
                            if start.arrive_or_leave():
                                started.set()
                            await started.wait()
                            await asyncio.sleep(max(0.0, start.t0 - time.monotonic()))
                            value = start.t0
            except HandheldError as error:
                hh.error = str(error)
            except asyncio.CancelledError:
                hh.error = hh.error or f"handheld {hh.badge}: cancelled"
                raise
            except Exception:  # noqa: BLE001 - report it, keep the other handhelds going
                hh.error = f"handheld {hh.badge}: {traceback.format_exc()}"
            finally:
                if holding:
                    logins.release()
                if not arrived and start.arrive_or_leave():
                    started.set()

        tasks = [asyncio.create_task(one(hh)) for hh in handhelds]
        _done, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=10)
            for hh, task in zip(handhelds, tasks):
                if task in pending:
                    hh.error = f"handheld {hh.badge}: still running after the {budget:.0f} s budget; cancelled"

    asyncio.run(run_all())


def run_threads(handhelds: list[Handheld], base_url: str, timeout: float, login_concurrency: int,
                keepalive: float, budget: float) -> None:
    import requests

    start = StartLine(len(handhelds))
    lock = threading.Lock()
    started = threading.Event()
    logins = threading.BoundedSemaphore(login_concurrency)

    def send(session: requests.Session, req: Req) -> Resp:
        begin = time.perf_counter()
        for attempt in (0, 1):
            try:
                answer = session.request(req.method, base_url + req.path, data=req.data, headers=req.headers,
                                         allow_redirects=req.follow, timeout=timeout)
                return Resp(answer.status_code, urlsplit(answer.url).path, answer.text, time.perf_counter() - begin,
                            retried=attempt > 0, server=server_seconds(answer.headers.get(TIMING)),
                                own=server_seconds(answer.headers.get(TIMING), "own"))
            except requests.Timeout:
                return Resp(0, "", "", time.perf_counter() - begin, error=f"timeout after {timeout:g} s")
            except requests.ConnectionError as error:
                if attempt == 0 and "refused" not in str(error).lower():  # a kept-alive connection the server had just closed: send again
                    continue
                return Resp(0, "", "", time.perf_counter() - begin, error=repr(error), retried=True)
            except requests.RequestException as error:
                return Resp(0, "", "", time.perf_counter() - begin, error=repr(error))
        raise AssertionError("unreachable")

    def arrive_or_leave() -> None:
        with lock:
            if start.arrive_or_leave():
                started.set()

    def one(hh: Handheld) -> None:
        arrived, holding = False, False
        try:
            logins.acquire()
            holding = True
            with requests.Session() as session:
                gen, value = hh.run(), None
                while True:
                    try:
                        op = gen.send(value)
                    except StopIteration:
                        return
                    if isinstance(op, Req):
                        value = send(session, op)
                    elif isinstance(op, Sleep):
                        time.sleep(max(0.0, op.until - time.monotonic()))
                        value = None
                    elif op is READY:
                        logins.release()
                        holding, arrived = False, True
                        arrive_or_leave()
                        if not started.wait(budget):
                            raise HandheldError(f"handheld {hh.badge}: the others never got ready")
                        time.sleep(max(0.0, start.t0 - time.monotonic()))
                        value = start.t0
        except HandheldError as error:
            hh.error = str(error)
        except Exception:  # noqa: BLE001
            hh.error = f"handheld {hh.badge}: {traceback.format_exc()}"
        finally:
            if holding:
                logins.release()
            if not arrived:
                arrive_or_leave()

    threads = [threading.Thread(target=one, args=(hh,), name=f"handheld-{hh.badge}", daemon=True) for hh in handhelds]
    deadline = time.monotonic() + budget
    for thread in threads:
        thread.start()
    for hh, thread in zip(handhelds, threads):
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            hh.error = f"handheld {hh.badge}: still running after the {budget:.0f} s budget"


# ---------------------------------------------------------------------------------------------- main
