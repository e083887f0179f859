"""Templates, page headers, and failures shown as pages (never a traceback)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from materiel.errors import MaterielError
from materiel.server import status_of
from materiel.store import Principal, RunInfo, Store, Unauthenticated
from materiel.version import __version__
from materiel.web import session
from materiel.web.grid import order_value, schema_unit
from materiel.web.views import duration, number

log = logging.getLogger("materiel.web")
HERE = Path(__file__).parent
#: Pages load only this server's own scripts, styles and images.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["num"] = number
env.filters["duration"] = duration
env.filters["order"] = order_value
env.globals["schema_unit"] = schema_unit
env.globals["version"] = __version__

NAV = (
    ("/", "Alliance overview"),
    ("/outlook", "Stockpile outlook"),
    ("/industry", "Industry"),
    ("/supply-chain", "Supply chains"),
    ("/ledger", "Contracts and facts"),
    ("/scenarios", "Scenarios"),
)


def page(
    request: Request,
    template: str,
    who: Principal | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page (or, for a template whose name starts with '_', a fragment)."""
    token = session.session_token(request)
    body = env.get_template(template).render(
        request=request,
        who=who,
        nav=NAV,
        path=request.url.path,
        csrf=session.csrf_for(token) if token and who else "",
        **context,
    )
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": CSP})


def fragment(store: Store, template: str, key: tuple[str, ...] | None, /, **context: Any) -> Markup:
    """``template`` rendered with ``context`` once for each ``key``, which must name all
    that decides what it shows (a finished run's view: :func:`materiel.web.views.view_key`,
    and whatever else the context holds); rendered every time when ``key`` is None."""

    def render() -> Markup:
        return Markup(env.get_template(template).render(**context))

    return store.views.get(None if key is None else (template, *key), render)


def outlook_body(store: Store, run: RunInfo, outlook: dict[str, Any], may_simulate: bool) -> Markup:
    """The outlook of a finished run (its table, odds and charts: ``_outlook_body.html``)
    as the outlook page and the run's page show it, kept for each key that names all it
    shows: the outlook's (the run, what decides the rows the user is served, the
    scenario's version), its odds' (the latest finished simulation of the run, the one
    queued or running) and whether the user may simulate."""
    odds = outlook.get("odds") or {}
    shown, pending = odds.get("run"), odds.get("pending")
    key = outlook.get("key")
    if key is not None:
        key = (
            *key,
            str(run.id),
            str(run.finished_at),
            f"{shown.id} {shown.created_at}" if shown else "",
            f"{pending.id} {pending.status}" if pending else "",
            str(may_simulate),
        )
    context = {**outlook, "run": run, "odds": odds, "may_simulate": may_simulate}
    return fragment(store, "_outlook_body.html", key, **context)


def failure(request: Request, status: int, message: str) -> HTMLResponse:
    who = None
    with contextlib.suppress(MaterielError):
        who = session.principal(request)
    return page(request, "error.html", who, status=status, status_code=status, message=message)


class WebRoute(APIRoute):
    """A route whose failures are pages: sign-in asked for, refusals and errors told."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                if request.method == "GET":
                    target = quote(
                        request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                        safe="",
                    )
                    if request.headers.get("hx-request"):
                        return Response(status_code=204, headers={"HX-Redirect": "/sign-in"})
                    return RedirectResponse(f"/sign-in?next={target}", status_code=303)
                return failure(request, 401, "Your session has ended: sign in again.")
            except RequestValidationError as exc:
                return failure(request, 422, "The address is not valid: " + _problems(exc))
            except session.CsrfRefused as exc:
                return failure(request, 403, str(exc))
            except MaterielError as exc:
                return failure(request, status_of(exc), str(exc))
            except Exception:  # a bug: logged, told plainly
                log.exception("web page failed")
                return failure(request, 500, "Something went wrong on the server; it was logged.")

        return guarded


def _problems(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("path", "query"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid input"
