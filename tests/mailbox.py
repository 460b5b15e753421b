"""A real SMTP server for tests (aiosmtpd on localhost): the forum's mail goes out over SMTP to it,
and tests read the messages it received, as a reader reads their inbox."""

import email
import email.policy
import re
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.processes import wait_for


class Mailbox:
    """aiosmtpd's handler: keeps every message delivered."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 30) -> EmailMessage:
        """The ``count``-th message to ``address``, once it has arrived."""
        return wait_for(
            lambda: self.to(address)[count - 1] if len(self.to(address)) >= count else None,
            timeout=timeout,
            what=f"mail number {count} to {address}",
        )


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path_part: str) -> str:
    """The link in the message's text whose path contains ``path_part``."""
    for url in re.findall(r"https?://\S+", body_of(message)):
        if path_part in url:
            return url
    raise AssertionError(f"no link with {path_part!r} in:\n{body_of(message)}")


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)
        self.port = port

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
