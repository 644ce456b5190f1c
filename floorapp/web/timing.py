"""Server-Timing on every answer: how long the app took, as the browser's dev tools and the bench read it.

`Server-Timing: app;dur=3.2, own;dur=2.9`:

- `app` is the wall time from the request entering Flask to the start of the answer: session and login
  loading, CSRF, the view, the database and the template; not the time the request waited for the
  worker or the network. Under gevent it also counts the time other requests ran while this one waited
  (for Postgres, for a lock, for a pool connection).
- `own` is the time the request's own greenlet was running (the wall time less the time it was switched
  out), i.e. what the request itself cost the worker. Without gevent the two are the same.

It is a WSGI wrapper, so every before_request hook counts.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from flask import Flask

HEADER = "Server-Timing"

try:
    import greenlet
except ImportError:  # pragma: no cover - greenlet comes with gevent and SQLAlchemy
    greenlet = None

# id(greenlet) -> [seconds run so far, when it last started running (or None while switched out)]
_running: dict[int, list] = {}
_trace_installed = False


def _install_switch_trace() -> None:
    """Count, per timed request's greenlet, the time it runs: one small callback on each greenlet switch."""
    global _trace_installed
    if _trace_installed or greenlet is None:
        return
    previous = greenlet.gettrace()

    def trace(event: str, args: Any) -> None:
        if event in ("switch", "throw") and _running:
            origin, target = args
            now = perf_counter()
            left = _running.get(id(origin))
            if left is not None and left[1] is not None:
                left[0] += now - left[1]
                left[1] = None
            entered = _running.get(id(target))
            if entered is not None:
                entered[1] = now
        if previous is not None:
            previous(event, args)

    greenlet.settrace(trace)
    _trace_installed = True


class ServerTiming:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/socket.io"):  # long-lived: not a request to time
            return self.wsgi_app(environ, start_response)
        started = perf_counter()
        key = id(greenlet.getcurrent()) if greenlet is not None else 0
        clock = _running[key] = [0.0, started]

        def timed_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            now = perf_counter()
            own = clock[0] + (now - clock[1] if clock[1] is not None else 0.0)
            headers.append((HEADER, f"app;dur={(now - started) * 1000:.2f}, own;dur={own * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, timed_start_response)
        finally:
            _running.pop(key, None)


def install_timing(app: Flask) -> None:
    _install_switch_trace()
    app.wsgi_app = ServerTiming(app.wsgi_app)  # type: ignore[method-assign]
