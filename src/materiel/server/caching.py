"""Conditional reads of a finished run's tables: a strong ETag and ``If-None-Match``.

A finished run's table never changes, so what a user is served of it is named by the
store's tag (:meth:`materiel.store.Store.run_table_tag`: the run, the table, what
decides the rows the user is served) and the format it is written in. A request whose
``If-None-Match`` names that tag is answered 304 with no body, before the table is read;
the access checks come first, so a user who may not read the run still gets 403 or 404.
"""

from __future__ import annotations

import hashlib

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
