"""Plan runs: background jobs with status, progress, results; cancellable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from materiel.server.deps import MAX_INT, PageDep, StoreDep, Who

router = APIRouter(tags=["runs"])
RunId = Annotated[int, Path(ge=1, le=MAX_INT)]


@router.post("/scenarios/{name}/runs", status_code=202, summary="Plan the scenario as it is now")
def start_run(
    name: Annotated[str, Path(min_length=1, max_length=100)],
    request: Request,
    who: Who,
    store: StoreDep,
) -> dict[str, Any]:
    run, snapshot = store.create_run(who, name)
    request.app.state.jobs.submit(run["id"], snapshot)
    return run


@router.get("/runs", summary="Plan runs")
def runs(who: Who, store: StoreDep, paging: PageDep) -> dict[str, Any]:
    return paging.page(store.runs(who))


@router.get("/runs/{run_id}", summary="A run's status, progress and summary")
def run(run_id: RunId, who: Who, store: StoreDep) -> dict[str, Any]:
    return store.run(who, run_id)


@router.post("/runs/{run_id}/cancel", summary="Cancel a queued or running run")
def cancel(run_id: RunId, who: Who, store: StoreDep) -> dict[str, Any]:
    return store.cancel_run(who, run_id)


@router.get("/runs/{run_id}/tables/{table}", summary="A table of the run's plan")
def run_table(
    run_id: RunId,
    table: Annotated[str, Path(min_length=1, max_length=40)],
    who: Who,
    store: StoreDep,
    paging: PageDep,
) -> dict[str, Any]:
    return paging.page(store.run_table(who, run_id, table))
