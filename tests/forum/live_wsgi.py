"""Polls sent the way gunicorn sends them: through config.live_shortcut in front of Django.

Django's part is the test client (a raw WSGIHandler would close the test's transaction at the
end of its request); the shortcut is the real one, so what it answers never reaches the client."""

import io
import sys
from dataclasses import dataclass, field

from django.test import Client

from config.live_shortcut import LiveCountsShortcut


@dataclass
class WsgiAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    by_django: bool


@dataclass
class LiveWsgi:
    client: Client
    reached_django: list[str] = field(default_factory=list)

    def _django(self, environ, start_response):
        self.reached_django.append(environ["PATH_INFO"])
        extra = {key: value for key, value in environ.items() if key.startswith("HTTP_")}
        response = self.client.generic(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}" if environ["QUERY_STRING"] else ""),
            secure=environ["wsgi.url_scheme"] == "https",
            **extra,
        )
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def get(
        self, path: str, query: str = "", *, host: str = "testserver", https: bool = False, **headers
    ) -> WsgiAnswer:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443" if https else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https" if https else "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
        }
        seen = {}
        before = len(self.reached_django)

        def start_response(status, response_headers, exc_info=None):
            seen.update(status=int(status.split()[0]), headers=dict(response_headers))

        body = b"".join(LiveCountsShortcut(self._django)(environ, start_response))
        return WsgiAnswer(seen["status"], seen["headers"], body, len(self.reached_django) > before)
