"""Downloads of a finished run's plan tables, as CSV or XLSX, as the user may see them:
the rows are the store's (:meth:`materiel.store.Store.run_table`, the API's rule), so a
nation analyst's file holds what its pages and the API show it, and no more."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from materiel.planner import SERVED
from materiel.report import table_bytes
from materiel.server import cache_headers, etag, matches, not_modified
from materiel.store import SIM_TABLE, SWEEP_TABLE, Principal, RunInfo, Store
from materiel.web import session
from materiel.web.render import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
#: Whose a download is, to a browser's cache: the session cookie.
VARY = "Cookie"
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def readable(store: Store, who: Principal, run: RunInfo) -> list[str]:
    """The tables of a finished run this user may download: a plan run's plan tables, in
    the planner's order; a simulation run's table of targets (:data:`SIM_TABLE`); a
    sweep run's table of combinations (:data:`SWEEP_TABLE`)."""
    if run.status != "done":
        return []
    policy = store.policy(who)
    if not policy.may("run.read"):
        return []
    tables = (SIM_TABLE,) if run.simulates is not None else SERVED
    if run.kind == "sweep":
        tables = (SWEEP_TABLE,)
    return [t for t in tables if policy.may_read_table(f"plan.{t}")]


@router.get("/runs/{run_id}/tables/{table}.{fmt}")
def download(
    request: Request,
    run_id: int,
    table: str = Path(pattern=r"^[a-z_]{1,40}$"),
    fmt: Literal["csv", "xlsx"] = Path(),
) -> Response:
    """A finished run's table never changes: the file has a strong ETag (of the run,
    the table, what decides the rows this user is served, and the format), and a
    request that sends it back in ``If-None-Match`` is answered 304, the table unread."""
    who: Principal = session.principal(request)
    store: Store = request.app.state.store
    tag = etag(store.run_table_tag(who, run_id, table), fmt)
    if matches(request.headers.get("if-none-match"), tag):
        return not_modified(tag, VARY)
    rows: list[dict[str, Any]] = store.run_table(who, run_id, table)
    return Response(
        table_bytes(rows, fmt, table),
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="run-{run_id}-{table}.{fmt}"',
            **cache_headers(tag, VARY),
        },
    )
