"""Slow clients for tests of the front: connections that trickle a request body."""

import socket
import threading
import time
import urllib.request
from contextlib import contextmanager


@contextmanager
def slow_bodies(host: str, port: int, *, connections: int, path: str, declared: int, interval: float):
    """Open ``connections`` connections that each declare a ``declared``-byte form body and send
    it one byte every ``interval`` seconds until the block ends. Yields the list of how many bytes
    each has sent (so a test can check they were still sending)."""
    stop = threading.Event()
    sent = [0] * connections
    sockets = []
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    for _ in range(connections):
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(head)
        sockets.append(sock)

    def trickle(index: int, sock: socket.socket) -> None:
        while not stop.wait(interval) and sent[index] < declared:
            try:
                sock.sendall(b"a")
            except OSError:
                return
            sent[index] += 1

    threads = [threading.Thread(target=trickle, args=(i, s), daemon=True) for i, s in enumerate(sockets)]
    for thread in threads:
        thread.start()
    try:
        yield sent
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for sock in sockets:
            sock.close()


def timed_get(url: str, *, timeout: float) -> tuple[int | None, float]:
    """(status or None on a timeout/error, seconds taken)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a test's own server
            response.read()
            return response.status, time.monotonic() - started
    except OSError:
        return None, time.monotonic() - started
