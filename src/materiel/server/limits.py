"""Limits a real server keeps: request size, sign-in attempts, safe response headers."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from materiel.errors import MaterielError
from materiel.store import Store


class TooManyAttempts(MaterielError):
    """Too many sign-in attempts (HTTP 429)."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(f"too many sign-in attempts; try again in {retry_after:.0f} s")


class SignInLimit:
    """At most ``attempts`` sign-in attempts per client and name, and ``attempts *
    client_factor`` per client over all names, within a sliding ``window`` of seconds.
    The attempts are counted in the store (:meth:`materiel.store.Store.count_attempt`),
    so every server process on one database limits them as one. A refused attempt is
    not counted."""

    def __init__(self, store: Store, attempts: int, window: float, client_factor: int):
        self.store, self.window = store, window
        self.attempts, self.client_attempts = attempts, attempts * client_factor

    def hit(self, client: str, name: str) -> None:
        """Count one attempt of ``client`` at ``name``; :class:`TooManyAttempts` if
        either limit is reached (then nothing is counted)."""
        limits = [
            (f"name|{client}|{name}", self.attempts),
            (f"client|{client}", self.client_attempts),
        ]
        wait = self.store.count_attempt(limits, self.window)
        if wait is not None:
            raise TooManyAttempts(wait)


async def _answer(send: Send, status: int, text: str) -> None:
    body = json.dumps({"detail": text}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: refuses bodies over ``max_body`` bytes (413, also when streamed
    without a length), NUL characters in the address (400), and adds headers that keep a
    browser from running anything an answer carries."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]

    def __init__(self, app: ASGIApp, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path") or b""
        if b"%00" in raw or b"\x00" in raw or b"%00" in scope.get("query_string", b""):
            await _answer(send, 400, "the address may not contain NUL characters")
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _answer(send, 413, f"request body over {self.max_body} bytes")
            return
        received = 0
        too_big = False

        async def limited() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    raise _BodyTooLarge(413, f"request body over {self.max_body} bytes")
            return message

        started = False

        async def with_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}
                # a page may set its own policy (the web app's allows its own scripts)
                headers += [(k, v) for k, v in self.HEADERS if k not in own]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited, with_headers)  # type: ignore[arg-type]
        except _BodyTooLarge:
            if not started:
                await _answer(send, 413, f"request body over {self.max_body} bytes")


class _BodyTooLarge(HTTPException):
    """Raised while the body is read; FastAPI answers it with its status (413)."""
