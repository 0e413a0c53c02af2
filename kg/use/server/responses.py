"""Answers as ASGI messages: the headers every answer carries, validators for HTTP caches
(``ETag`` from the build and the bytes; ``Vary: Accept``), and bodies sent in pieces that wait
for a slow client, with a bound on how long it may stall."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

Send = Callable[[dict[str, Any]], Awaitable[None]]
PIECE = 64 * 1024  # bytes per body message: the server waits for the client between pieces


class Stalled(Exception):
    """A client stopped reading its answer for longer than the server allows."""


class Response(NamedTuple):
    """A whole answer: status, headers (lower-case names), body; ``etag`` once computed."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    etag: str = ""

    @property
    def size(self) -> int:
        return len(self.body)


def etag(build: str, content_type: str, body: bytes) -> str:
    """A strong validator: the build it came from and a digest of the bytes and their type (the
    JSON and the CSV of one URL differ)."""
    digest = hashlib.blake2b(content_type.encode() + b"\0" + body, digest_size=9).hexdigest()
    return f'"{build or "nobuild"}-{digest}"'


def tagged(response: Response, build: str) -> Response:
    """``response`` with its ETag."""
    return response if response.etag else response._replace(etag=etag(build, response.content_type, response.body))


def _headers(response: Response) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"access-control-allow-origin", b"*"),  # read-only open data: any page may query it
        (b"x-content-type-options", b"nosniff"),
        (b"vary", b"Accept"),
        *response.headers,
    ]
    if response.etag:
        headers.append((b"etag", response.etag.encode()))
    if response.status == 503:
        headers.append((b"retry-after", b"5"))
    if response.status in (204, 304):  # RFC 9110: no body, so no Content-Type or Content-Length
        return headers
    headers.append((b"content-type", response.content_type.encode()))
    headers.append((b"content-length", str(len(response.body)).encode()))
    if response.content_type.startswith("text/html"):
        headers.append((b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'"))
    return headers


async def send_response(send: Send, response: Response, head: bool = False, stall: float = 30.0) -> None:
    """Send ``response``; its body in pieces, each of which the client must take within
    ``stall`` seconds (:class:`Stalled` otherwise). ``head``: the headers only."""
    await send({"type": "http.response.start", "status": response.status, "headers": _headers(response)})
    body = b"" if head or response.status in (204, 304) else response.body
    if len(body) <= PIECE:
        await send({"type": "http.response.body", "body": body})
        return
    view = memoryview(body)
    for start in range(0, len(body), PIECE):
        message = {"type": "http.response.body", "body": bytes(view[start:start + PIECE]), "more_body": start + PIECE < len(body)}
        try:
            await asyncio.wait_for(send(message), stall)
        except asyncio.TimeoutError:
            raise Stalled() from None
