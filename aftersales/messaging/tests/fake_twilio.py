"""A local stand-in for Twilio's REST API, driven through the real twilio client.

``FakeTwilio`` serves ``/2010-04-01/Accounts/<sid>/Messages.json`` on
127.0.0.1: POST creates a message (or answers the error chosen for that
``To`` number, or waits first), GET lists them. ``LocalTwilioHttpClient`` is
twilio's own ``TwilioHttpClient`` with api.twilio.com replaced by the fake's
address from ``FAKE_TWILIO_URL``; the settings point ``TWILIO_HTTP_CLIENT``
at it, also in a Celery worker started as a subprocess.
"""

import json
import os
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from django.utils import timezone
from twilio.http.http_client import TwilioHttpClient

TWILIO_API = "https://api.twilio.com"


class LocalTwilioHttpClient(TwilioHttpClient):
    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace(TWILIO_API, os.environ["FAKE_TWILIO_URL"]), *args, **kwargs)


class FakeTwilio:
    def __init__(self):
        self.created: list[dict] = []
        self.refused: list[dict] = []
        self.errors: dict[str, tuple[int, int, str]] = {}  # To -> (HTTP status, Twilio code, message)
        self.delays: dict[str, float] = {}  # To -> seconds to wait before answering
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def created_for(self, to: str) -> list[dict]:
        with self.lock:
            return [message for message in self.created if message["to"] == to]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller died while we waited

            def do_POST(self):
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                to = form.get("To", "")
                if to in fake.errors:
                    status, code, text = fake.errors[to]
                    with fake.lock:
                        fake.refused.append(form)
                    more_info = f"https://www.twilio.com/docs/errors/{code}"
                    return self._answer(status, {"code": code, "message": text, "more_info": more_info, "status": status})
                with fake.lock:
                    message = {
                        "sid": f"SM{len(fake.created) + 1:032d}",
                        "to": to,
                        "from": form.get("From", ""),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                        "body": form.get("Body", ""),
                        "status": "queued",
                        "date_created": format_datetime(timezone.now().replace(microsecond=0)),
                        "date_sent": None,
                        "account_sid": "AC" + "0" * 32,
                        "direction": "outbound-api",
                    }
                    fake.created.append(message)
                time.sleep(fake.delays.get(to, 0))
                self._answer(201, message)

            def do_GET(self):
                query = parse_qs(urlparse(self.path).query)
                to = query.get("To", [""])[0]
                with fake.lock:
                    found = [m for m in reversed(fake.created) if not to or m["to"] == to]
                self._answer(
                    200,
                    {
                        "messages": found,
                        "end": len(found),
                        "first_page_uri": self.path,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": 50,
                        "previous_page_uri": None,
                        "start": 0,
                        "uri": self.path,
                    },
                )

        return Handler
