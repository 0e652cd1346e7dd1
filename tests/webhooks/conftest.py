"""A real HTTP server in a thread standing for an organiser's system, and webhooks pointing at it.

Webhooks may reach it because the tests allow plain http and private addresses explicitly; the
tests of the refusals turn that off again.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories.registrations import PrivacyNoticeFactory, open_event
from tests.factories.webhooks import WebhookFactory


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, and what it answers next (200 once the list runs out)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    redirect_to: str = ""


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            state.requests.append(Received(dict(self.headers.items()), body))
            if state.delay:
                time.sleep(state.delay)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.redirect_to or "/elsewhere/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_TIMEOUT = 1.0


@pytest.fixture
def event(db):
    PrivacyNoticeFactory()
    return open_event(slug="moving-talents", title="Moving Talents")


@pytest.fixture
def webhook(event, receiver):
    return WebhookFactory(target_url=receiver.url, events=[event])
