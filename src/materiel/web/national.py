"""A run's national plan: the document of ``materiel national-plan`` for one ally, as a
page and as a PDF to download. A nation analyst gets its own ally's only; alliance staff
and admins pick any ally of the run's scenario. The figures come from the store as a
nation analyst of that ally sees them (:meth:`materiel.store.Store.national_view`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from materiel.errors import InputError
from materiel.report import national_pdf, render_national
from materiel.store import AccessDenied, Principal, RunInfo, Store
from materiel.web import session
from materiel.web.render import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
AllyQ = Annotated[
    str | None, Query(pattern=r"^[A-Za-z]{3}$", description="the ally, ISO alpha-3 (DEU)")
]
#: The document is self-contained: its own inline styles and SVG, nothing else.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def choice(
    store: Store, who: Principal, run: RunInfo, versions: tuple[str, ...] | None = None
) -> dict[str, Any] | None:
    """Which national plans of a finished run the user may open: its own ally's for a
    nation analyst, any ally of the scenario for alliance staff; None for the others.
    ``versions``: the scenario's, read already for the page."""
    if run.status != "done":
        return None
    if who.role == "nation" and who.ally:
        return {"allies": [who.ally], "pick": False}
    policy = store.policy(who)
    if not policy.may("scenario.create"):
        return None

    def codes() -> tuple[str, ...]:
        return tuple(str(r.data.get("code")) for r in store.rows(who, run.scenario, "allies"))

    try:  # kept for the scenario's versions: reading its rows took 5 ms a page
        if not versions:
            versions = store.scenario_versions(who, run.scenario)
        key = ("national allies", *versions, *policy.view())
        allies = list(store.views.get(key, codes))
    except AccessDenied:
        return None
    return {"allies": allies, "pick": True}


def _page(request: Request, run_id: int, ally: str | None) -> tuple[str, str]:
    """(the ally, the national plan's HTML) for the signed-in user."""
    from materiel.workflows import national_of_run

    who: Principal = session.principal(request)
    if ally is None:
        if who.role != "nation" or not who.ally:
            raise InputError("ally: name the ally whose national plan to show (?ally=DEU)")
        ally = who.ally
    store: Store = request.app.state.store
    view = store.national_view(who, run_id, ally.upper())
    return view.ally, render_national(national_of_run(view))


@router.get("/runs/{run_id}/national")
def national_page(request: Request, run_id: int, ally: AllyQ = None) -> Response:
    _, page = _page(request, run_id, ally)
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP})


@router.get("/runs/{run_id}/national.pdf")
def national_download(request: Request, run_id: int, ally: AllyQ = None) -> Response:
    code, page = _page(request, run_id, ally)
    return Response(
        national_pdf(page),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="national-{code}-run-{run_id}.pdf"'},
    )
