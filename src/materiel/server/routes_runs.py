"""Plan runs: background jobs with status, progress, results; cancellable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from materiel.server.caching import Answers, cache_headers, etag, matches, not_modified
from materiel.server.deps import MAX_INT, PageDep, StoreDep, Who
from materiel.server.schemas import (
    PlanTablePublic,
    RunPublic,
    RunsPublic,
    SimulationCreate,
    SweepCreate,
)
from materiel.sweeps import check_sweep

router = APIRouter(tags=["runs"])
RunId = Annotated[int, Path(ge=1, le=MAX_INT)]
#: Whose a run's table is, to a cache: the API's token.
VARY = "Authorization"


@router.post(
    "/scenarios/{name}/runs",
    status_code=202,
    response_model=RunPublic,
    summary="Plan the scenario as it is now",
    responses={429: {"description": "you have as many runs queued or running as you may"}},
)
def start_run(
    name: Annotated[str, Path(min_length=1, max_length=100)],
    request: Request,
    who: Who,
    store: StoreDep,
) -> RunPublic:
    run, snapshot = store.create_run(who, name, request.app.state.settings.run_limit)
    request.app.state.jobs.submit(run.id, snapshot)
    return RunPublic.model_validate(run)


@router.post(
    "/scenarios/{name}/sweeps",
    status_code=202,
    response_model=RunPublic,
    summary="Plan the scenario for every combination of levers (a sweep run)",
    responses={429: {"description": "you have as many runs queued or running as you may"}},
)
def start_sweep(
    name: Annotated[str, Path(min_length=1, max_length=100)],
    body: SweepCreate,
    request: Request,
    who: Who,
    store: StoreDep,
) -> RunPublic:
    """Queues a sweep run, as ``materiel sweep`` on the scenario as it is now; when
    done, its table ``sweep`` has a row per combination (the levers' values, then the
    figures of its plan). Alliance staff's: each row sums every ally's figures."""
    run = store.create_sweep(
        who,
        name,
        lambda scenario: check_sweep(scenario, body.vary, body.set_, body.simulate, body.seed),
        request.app.state.settings.run_limit,
    )
    request.app.state.jobs.submit(run.id)
    return RunPublic.model_validate(run)


@router.post(
    "/runs/{run_id}/simulations",
    status_code=202,
    response_model=RunPublic,
    summary="Simulate a finished plan run over sampled futures (a run of its own)",
    responses={429: {"description": "you have as many runs queued or running as you may"}},
)
def start_simulation(
    run_id: RunId, body: SimulationCreate, request: Request, who: Who, store: StoreDep
) -> RunPublic:
    """Queues a simulation run of plan run ``run_id``; when done, its table
    ``simulation_targets`` gives each target's probability of being met by its date
    and the months it is met in (5th, 50th, 95th percentiles of the futures)."""
    run = store.create_simulation(
        who,
        run_id,
        body.futures,
        body.seed,
        body.confidence,
        request.app.state.settings.run_limit,
    )
    request.app.state.jobs.submit(run.id)
    return RunPublic.model_validate(run)


@router.get("/runs", response_model=RunsPublic, summary="Plan runs")
def runs(who: Who, store: StoreDep, paging: PageDep) -> RunsPublic:
    return paging.page(RunsPublic, store.runs(who))


@router.get(
    "/runs/{run_id}", response_model=RunPublic, summary="A run's status, progress and summary"
)
def run(run_id: RunId, who: Who, store: StoreDep) -> RunPublic:
    return RunPublic.model_validate(store.run(who, run_id))


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunPublic,
    summary="Cancel a queued or running run (yours; alliance analysts and admins: any)",
)
def cancel(run_id: RunId, who: Who, store: StoreDep) -> RunPublic:
    """Ends the run's process and every process it started, within seconds."""
    return RunPublic.model_validate(store.cancel_run(who, run_id))


@router.get(
    "/runs/{run_id}/tables/{table}",
    response_model=PlanTablePublic,
    summary="A table of the run's plan",
    responses={304: {"description": "not modified: the If-None-Match named its ETag"}},
)
def run_table(
    run_id: RunId,
    table: Annotated[str, Path(min_length=1, max_length=40)],
    who: Who,
    store: StoreDep,
    paging: PageDep,
    request: Request,
) -> Response:
    """Rows are column: value, each plan table with its own columns (see
    :class:`~materiel.server.schemas.PlanTablePublic`). A finished run's table never
    changes: the answer has a strong ETag (of the run, the table, what decides the rows
    this user is served, and the page) and may be kept a day by the user's own client;
    sent back in ``If-None-Match``, it is answered 304 with no body. The answer's bytes
    are kept under that ETag (:class:`~materiel.server.caching.Answers`) and served
    again to whoever the same ETag is made for."""
    tag = etag(store.run_table_tag(who, run_id, table), f"json {paging.offset} {paging.limit}")
    if matches(request.headers.get("if-none-match"), tag):
        return not_modified(tag, VARY)
    answers: Answers = request.app.state.answers

    def write() -> bytes:
        page = paging.page(PlanTablePublic, store.kept_run_table(who, run_id, table))
        return page.model_dump_json().encode()

    body = answers.get(tag, write)
    return Response(body, media_type="application/json", headers=cache_headers(tag, VARY))
