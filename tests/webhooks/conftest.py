"""A real HTTP server on this machine that receives webhooks, and endpoints pointing at it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services
from webhooks.models import Event


class Receiver:
    """Records every request; answers with the statuses queued in `answers` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(f"状态 {status}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/12345?k=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    with Receiver() as running:
        yield running


@pytest.fixture
def hook_editor(county):
    from tests.conftest import make_user

    return make_user("hook-editor", "county_editor", county=county)


@pytest.fixture
def endpoint(county, receiver, hook_editor):
    return services.register_endpoint(
        county, by=hook_editor, url=receiver.url, events=list(Event.values), description="12345 平台"
    )
