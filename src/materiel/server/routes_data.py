"""Facts with provenance, the pledge ledger, and the tracker's figures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from materiel.report import to_json
from materiel.server.deps import MAX_INT, PageDep, Paging, StoreDep, Who, search
from materiel.server.schemas import (
    FactPublic,
    FactReview,
    FactsImport,
    FactsImportedPublic,
    FactsPublic,
    PledgePublic,
    PledgesPublic,
    PledgeUpdate,
    TrackerPublic,
)
from materiel.track import TrackResult

router = APIRouter(tags=["facts, pledges, tracker"])
FactId = Annotated[str, Path(min_length=1, max_length=40)]
PledgeId = Annotated[str, Path(min_length=1, max_length=40)]


@router.get(
    "/facts", response_model=FactsPublic, summary="Facts with their sources and review status"
)
def facts(
    who: Who,
    store: StoreDep,
    paging: PageDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=1000)] = None,
) -> FactsPublic:
    items = store.facts(who)
    if status is not None:
        items = search(items, "status", status, None, fields=_itself)
    items = search(items, "kind" if kind is not None else None, kind, q, fields=_itself)
    return paging.page(FactsPublic, items)


@router.post(
    "/facts",
    status_code=201,
    response_model=FactsImportedPublic,
    summary="Import facts (a facts file's 'facts')",
)
def import_facts(body: FactsImport, who: Who, store: StoreDep) -> FactsImportedPublic:
    return FactsImportedPublic.model_validate(store.import_facts(who, body.facts))


@router.patch("/facts/{fact_id}", response_model=FactPublic, summary="Review a fact (409 if stale)")
def review_fact(fact_id: FactId, body: FactReview, who: Who, store: StoreDep) -> FactPublic:
    fact = store.review_fact(who, fact_id, body.version, body.status, body.note)
    return FactPublic.model_validate(fact)


@router.get(
    "/pledges", response_model=PledgesPublic, summary="Pledges: built-in ones and the ledger's"
)
def pledges(
    who: Who,
    store: StoreDep,
    paging: PageDep,
    ally: Annotated[str | None, Query(max_length=8)] = None,
) -> PledgesPublic:
    items = store.pledges(who)
    found = search(items, "ally", ally, None, fields=_itself) if ally else items
    return paging.page(PledgesPublic, found)


@router.post(
    "/pledges", status_code=201, response_model=PledgePublic, summary="Add a pledge to the ledger"
)
def add_pledge(body: dict[str, Any], who: Who, store: StoreDep) -> PledgePublic:
    return PledgePublic.model_validate(store.add_pledge(who, body))


@router.patch(
    "/pledges/{pledge_id}", response_model=PledgePublic, summary="Change a pledge (409 if stale)"
)
def update_pledge(
    pledge_id: PledgeId, body: PledgeUpdate, who: Who, store: StoreDep
) -> PledgePublic:
    return PledgePublic.model_validate(
        store.update_pledge(who, pledge_id, body.version, body.changes)
    )


def _itself(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """A fact or pledge is searched in its own fields."""
    return item


def _tracked(result: TrackResult, paging: Paging) -> TrackerPublic:
    """A tracker result as JSON (title, summary, sources, units, every row), and its rows
    paged. Rows stay column: value: each tracker has its own columns."""
    payload = json.loads(to_json(result))
    rows = payload["rows"]
    page = {
        "total": len(rows),
        "offset": paging.offset,
        "limit": paging.limit,
        "items": rows[paging.offset : paging.offset + paging.limit],
    }
    return TrackerPublic.model_validate({**payload, **page})


@router.delete("/pledges/{pledge_id}", status_code=204, summary="Remove a mistaken pledge")
def remove_pledge(
    pledge_id: PledgeId,
    version: Annotated[int, Query(ge=0, le=MAX_INT, description="the version you read")],
    who: Who,
    store: StoreDep,
) -> Response:
    store.remove_pledge(who, pledge_id, version)
    return Response(status_code=204)


@router.get(
    "/tracker/spending",
    response_model=TrackerPublic,
    summary="Allies' defence spending against a threshold",
)
def tracker_spending(
    who: Who,
    paging: PageDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    threshold: Annotated[float, Query(ge=0, le=100)] = 2.0,
) -> TrackerPublic:
    from materiel.track import spending

    return _tracked(spending(year, threshold), paging)


@router.get(
    "/tracker/totals",
    response_model=TrackerPublic,
    summary="Alliance defence expenditure by year and real growth",
)
def tracker_totals(who: Who, paging: PageDep) -> TrackerPublic:
    from materiel.track import totals

    return _tracked(totals(), paging)


@router.get(
    "/tracker/aid",
    response_model=TrackerPublic,
    summary="Aid to Ukraine by donor, share of GDP and fair share",
)
def tracker_aid(
    who: Who,
    paging: PageDep,
    measure: Literal["allocation", "commitment"] = "allocation",
    category: Literal["military", "financial", "humanitarian", "total"] = "total",
) -> TrackerPublic:
    from materiel.track import AidOptions, aid

    return _tracked(aid(AidOptions(measure=measure, category=category)), paging)
