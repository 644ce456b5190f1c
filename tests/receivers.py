"""Real receivers started by tests: an HTTP webhook receiver (http.server in a thread) and an SMTP server
(aiosmtpd). Both listen on 127.0.0.1 on a free port and keep what they received."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status of `answers` (then 200), after `delay` seconds."""
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
def webhook_receiver():
    state = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.delay:
                threading.Event().wait(state.delay)
            status = state.answers.pop(0) if state.answers else 200
            reply = b'{"ok": true}' if status < 300 else b"receiver says: temporarily broken"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass  # the sender gave up waiting (timeout test)

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/floorapp"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server():
    """An aiosmtpd server; `.messages` holds each received email as email.message.EmailMessage."""
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
            self.envelopes.append(envelope)
            self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                          policy=email.policy.default))
            return "250 Message accepted for delivery"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{port}"
    yield handler
    controller.stop()
