"""Conditional reads of a finished run's tables: a strong ETag and ``If-None-Match``.

A finished run's table never changes, so what a user is served of it is named by the
store's tag (:meth:`materiel.store.Store.run_table_tag`: the run, the table, what
decides the rows the user is served) and the format it is written in. A request whose
``If-None-Match`` names that tag is answered 304 with no body, before the table is read;
the access checks come first, so a user who may not read the run still gets 403 or 404.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from starlette.responses import Response

#: How long a browser may keep a finished run's table without asking again [s]: the
#: rows never change, but the user's right to them might (a role changed), so a day
#: rather than a year; ``private``: only the user's own browser keeps it.
MAX_AGE = 86400
CACHE_CONTROL = f"private, max-age={MAX_AGE}"


def etag(tag: str, variant: str) -> str:
    """The strong ETag of the store's ``tag`` written as ``variant`` (a format, a page)."""
    return '"' + hashlib.sha256(f"{tag}\x1f{variant}".encode()).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag``: ``*``, or a list of tags compared
    weakly (``W/`` ignored), as RFC 9110 asks for this header."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == wanted for t in if_none_match.split(","))


def cache_headers(tag: str, vary: str) -> dict[str, str]:
    """The headers of a finished run's table and of its 304: the tag, how long to keep
    it, and the request header that says whose it is (``Authorization`` for the API,
    ``Cookie`` for the web app), so that a browser another user signs in to asks again."""
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": vary}


def not_modified(tag: str, vary: str) -> Response:
    """304, no body."""
    return Response(status_code=304, headers=cache_headers(tag, vary))


#: What :class:`Answers` keeps in each server process at most [bytes].
ANSWERS_BYTES = 64 * 1024 * 1024


class Answers:
    """Answers of finished runs' tables, written once: bytes by their strong ETag, the
    least recently served dropped first once they hold more than ``limit`` bytes.
    Written without the serving code's validation on every read (a page of the stock
    table took tens of ms to cut, validate and write). Safe across the server's
    threads; two threads that miss at once both write the same bytes."""

    def __init__(self, limit: int = ANSWERS_BYTES):
        self.limit, self.held = limit, 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tag: str, write: Callable[[], bytes]) -> bytes:
        with self._lock:
            if tag in self._items:
                self._items.move_to_end(tag)
                return self._items[tag]
        body = write()
        if len(body) > self.limit:
            return body
        with self._lock:
            if tag not in self._items:
                self._items[tag] = body
                self.held += len(body)
            while self.held > self.limit:
                self.held -= len(self._items.popitem(last=False)[1])
        return body
