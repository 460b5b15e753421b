"""Oversized request bodies are refused from their declared length, before they are read."""

import socket
import threading
import time

import pytest
from django.test import Client

from tests.processes import free_port, start_web

pytestmark = pytest.mark.django_db

HUNDRED_MB = 100 * 1024 * 1024


def test_oversized_form_post_is_refused_with_a_page(client: Client, article):
    """A web form post declaring 100 MB gets a short 413 page, not a read to the end."""
    response = client.post(
        f"/articles/{article.slug}/comments/",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(HUNDRED_MB),
    )
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert b"larger than 65536 bytes" in response.content


def test_oversized_api_body_is_refused_in_the_api_error_shape(client: Client):
    response = client.post(
        "/api/v1/auth/token/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(HUNDRED_MB)
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 65536 bytes."}


def test_chunked_body_without_a_length_is_refused(client: Client):
    response = client.post(
        "/api/v1/auth/token/", data=b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 413
    assert "Content-Length" in response.json()["detail"]


def test_body_within_the_limit_passes(client: Client):
    response = client.post(
        "/api/v1/auth/token/", data={"username": "x", "password": "y"}, content_type="application/json"
    )
    assert response.status_code == 401  # wrong credentials: the view ran


def _post_claiming_100_mb(port: int) -> tuple[bytes, float]:
    """Send headers claiming 100 MB and a little of the body; return the status line and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /accounts/sign-in/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            + f"Content-Length: {HUNDRED_MB}\r\n\r\n".encode()
            + b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
            + b"a" * 16384
        )
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0], time.monotonic() - started


def _health_seconds(port: int) -> float:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert b" 200 " in sock.recv(64).split(b"\r\n", 1)[0]
    return time.monotonic() - started


@pytest.mark.slow
def test_gunicorn_answers_413_at_once_and_stays_responsive(process_log_dir):
    """On a real gunicorn: two 100 MB posts at once are refused in under a second each, and
    /health/ answers meanwhile (before, each held a worker for its 30 s timeout)."""
    port = free_port()
    web = start_web(log_dir=process_log_dir, port=port)
    try:
        results: list[tuple[bytes, float]] = []
        posts = [threading.Thread(target=lambda: results.append(_post_claiming_100_mb(port))) for _ in range(2)]
        for post in posts:
            post.start()
        health = _health_seconds(port)
        for post in posts:
            post.join(timeout=15)
        assert len(results) == 2, web.log()
        for status_line, seconds in results:
            assert status_line.startswith(b"HTTP/1.1 413"), (status_line, web.log())
            assert seconds < 1.0
        assert health < 1.0
        assert _health_seconds(port) < 1.0
    finally:
        web.stop()


@pytest.mark.parametrize("path", ["/articles/any/comments/", "/api/v1/articles/any/comments/"])
def test_the_413_answer_carries_the_security_headers(client: Client, path, settings):
    """Refused before the rest of the middleware runs, but with the headers every page carries."""
    settings.SECURE_HSTS_SECONDS = 3600
    response = Client().post(
        path, data=b"x", content_type="application/json", CONTENT_LENGTH=str(HUNDRED_MB), secure=True
    )
    assert response.status_code == 413
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=3600"
    assert "default-src 'self'" in response["Content-Security-Policy"]
