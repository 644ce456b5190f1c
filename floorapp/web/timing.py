"""Server-Timing on every answer: how long the app took, as the browser's dev tools and the bench read it.

`Server-Timing: app;dur=3.2` is the time from the request entering Flask to the start of the answer:
session and login loading, CSRF, the view, the database and the template; not the time the request
waited for a free worker or the network. It is a WSGI wrapper, so every before_request hook counts.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from flask import Flask

HEADER = "Server-Timing"


class ServerTiming:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/socket.io"):  # long-lived: not a request to time
            return self.wsgi_app(environ, start_response)
        started = perf_counter()

        def timed_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((HEADER, f"app;dur={(perf_counter() - started) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed_start_response)


def install_timing(app: Flask) -> None:
    app.wsgi_app = ServerTiming(app.wsgi_app)  # type: ignore[method-assign]
