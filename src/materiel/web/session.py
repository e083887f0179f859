"""Browser sessions: a cookie holding a store token, and a CSRF token per session.

The session cookie holds an API token that the store issued at sign-in (so the same
revocation and expiry apply as to the API). It is HTTP-only, SameSite=Strict, and
Secure when the page is served over https. Every POST must carry the session's CSRF
token (a form field ``csrf`` or the header ``X-CSRF-Token``): an HMAC of the session
token, which a page of another site cannot read. Before sign-in, the sign-in form is
protected by a random token in a cookie of its own, repeated in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from materiel.store import Principal, Unauthenticated

SESSION_COOKIE = "materiel_session"
PRE_COOKIE = "materiel_signin"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class CsrfRefused(Exception):
    """A POST without the right CSRF token (HTTP 403); nothing was changed."""


def csrf_for(secret: str) -> str:
    return hmac.new(b"materiel-web-csrf", secret.encode(), hashlib.sha256).hexdigest()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        secure=_secure(request),
        samesite="strict",
    )


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def principal(request: Request) -> Principal:
    """Who the session belongs to; :class:`Unauthenticated` when there is none."""
    token = session_token(request)
    if not token:
        raise Unauthenticated("sign in first")
    who: Principal = request.app.state.store.principal(token)
    return who


def pre_token(request: Request, response: Response) -> str:
    """The sign-in form's token: the cookie's, or a new one set on ``response``."""
    token = request.cookies.get(PRE_COOKIE)
    if not token:
        token = secrets.token_urlsafe(24)
        set_cookie(request, response, PRE_COOKIE, token, 3600)
    return token


async def check_csrf(request: Request, before_sign_in: bool = False) -> None:
    """Refuse a POST whose CSRF token is missing or wrong."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    secret = request.cookies.get(PRE_COOKIE) if before_sign_in else session_token(request)
    expected = (secret if before_sign_in else csrf_for(secret)) if secret else ""
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("this form has expired or did not come from this site; reload the page")
