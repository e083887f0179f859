"""Scenarios and their tables: read, create, change with a version, validate, export;
private variants, their promotion, and each scenario's baseline run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from materiel.server.deps import MAX_INT, PageDep, StoreDep, Who, search
from materiel.server.schemas import (
    BaselineChoice,
    ExportPublic,
    MetaUpdate,
    Promote,
    RowCreate,
    RowPublic,
    RowsPublic,
    RowUpdate,
    SavedRowPublic,
    ScenarioCreate,
    ScenarioPublic,
    ScenariosPublic,
    ValidationPublic,
    VariantCreate,
)

router = APIRouter(tags=["scenarios"])
Name = Annotated[str, Path(min_length=1, max_length=100, description="scenario name")]
Table = Annotated[str, Path(min_length=1, max_length=40, description="table name")]
RowId = Annotated[int, Path(ge=1, le=MAX_INT)]
VersionQ = Annotated[int, Query(ge=0, le=MAX_INT, description="the version you read")]
Column = Annotated[str | None, Query(max_length=100, description="filter: column name")]
Value = Annotated[str | None, Query(max_length=1000, description="filter: the column's value")]
Text = Annotated[str | None, Query(max_length=1000, description="rows containing this text")]


@router.get("/scenarios", response_model=ScenariosPublic, summary="Stored scenarios")
def scenarios(who: Who, store: StoreDep, paging: PageDep) -> ScenariosPublic:
    return paging.page(ScenariosPublic, store.list_scenarios(who))


@router.post(
    "/scenarios",
    status_code=201,
    response_model=ScenarioPublic,
    summary="Create a scenario (validated whole)",
)
def create_scenario(body: ScenarioCreate, who: Who, store: StoreDep) -> ScenarioPublic:
    return ScenarioPublic.model_validate(store.create_scenario(who, body.meta, body.tables))


@router.get(
    "/scenarios/{name}",
    response_model=ScenarioPublic,
    summary="A scenario's settings, version and table sizes",
)
def scenario(name: Name, who: Who, store: StoreDep) -> ScenarioPublic:
    return ScenarioPublic.model_validate(store.get_scenario(who, name))


@router.patch(
    "/scenarios/{name}",
    response_model=ScenarioPublic,
    summary="Change a scenario's settings (409 if stale)",
)
def update_scenario(name: Name, body: MetaUpdate, who: Who, store: StoreDep) -> ScenarioPublic:
    return ScenarioPublic.model_validate(store.update_meta(who, name, body.version, body.changes))


@router.delete("/scenarios/{name}", status_code=204, summary="Delete a scenario (409 if stale)")
def delete_scenario(name: Name, version: VersionQ, who: Who, store: StoreDep) -> Response:
    store.delete_scenario(who, name, version)
    return Response(status_code=204)


@router.get(
    "/scenarios/{name}/validation",
    response_model=ValidationPublic,
    summary="The CLI's validation messages",
)
def validation(name: Name, who: Who, store: StoreDep) -> ValidationPublic:
    return ValidationPublic.model_validate(store.validate(who, name))


@router.get(
    "/scenarios/{name}/export",
    response_model=ExportPublic,
    summary="Every table you may read, as you may read it",
)
def export(name: Name, who: Who, store: StoreDep) -> ExportPublic:
    return ExportPublic.model_validate(store.export(who, name))


@router.get(
    "/scenarios/{name}/tables/{table}",
    response_model=RowsPublic,
    summary="Rows of a table; filters; pages",
)
def rows(
    name: Name,
    table: Table,
    who: Who,
    store: StoreDep,
    paging: PageDep,
    column: Column = None,
    value: Value = None,
    q: Text = None,
) -> RowsPublic:
    found = search(store.rows(who, name, table), column, value, q, fields=lambda r: r.data)
    return paging.page(RowsPublic, found)


@router.post(
    "/scenarios/{name}/tables/{table}",
    status_code=201,
    response_model=SavedRowPublic,
    summary="Add a row",
)
def add_row(name: Name, table: Table, body: RowCreate, who: Who, store: StoreDep) -> SavedRowPublic:
    return SavedRowPublic.model_validate(store.add_row(who, name, table, body.data))


@router.get(
    "/scenarios/{name}/tables/{table}/{row_id}", response_model=RowPublic, summary="One row"
)
def row(name: Name, table: Table, row_id: RowId, who: Who, store: StoreDep) -> RowPublic:
    return RowPublic.model_validate(store.row(who, name, table, row_id))


@router.put(
    "/scenarios/{name}/tables/{table}/{row_id}",
    response_model=SavedRowPublic,
    summary="Replace a row (409 if stale)",
)
def update_row(
    name: Name, table: Table, row_id: RowId, body: RowUpdate, who: Who, store: StoreDep
) -> SavedRowPublic:
    saved = store.update_row(who, name, table, row_id, body.version, body.data)
    return SavedRowPublic.model_validate(saved)


@router.delete("/scenarios/{name}/tables/{table}/{row_id}", status_code=204, summary="Delete a row")
def delete_row(
    name: Name, table: Table, row_id: RowId, version: VersionQ, who: Who, store: StoreDep
) -> Response:
    store.delete_row(who, name, table, row_id, version)
    return Response(status_code=204)


@router.post(
    "/scenarios/{name}/variants",
    status_code=201,
    response_model=ScenarioPublic,
    summary="Make a private variant of a scenario (copy on write)",
)
def create_variant(name: Name, body: VariantCreate, who: Who, store: StoreDep) -> ScenarioPublic:
    """The variant is seen by you, alliance staff and admins only; it stores only the
    rows you change and follows the base elsewhere."""
    return ScenarioPublic.model_validate(store.create_variant(who, name, body.name))


@router.post(
    "/scenarios/{name}/promote",
    response_model=ScenarioPublic,
    summary="Apply a variant's changes to its base (409 if the base is stale)",
)
def promote(name: Name, body: Promote, who: Who, store: StoreDep) -> ScenarioPublic:
    """``version`` is the base's version you read; answers the base as it now is. The
    variant is emptied."""
    return ScenarioPublic.model_validate(store.promote(who, name, body.version))


@router.put(
    "/scenarios/{name}/baseline",
    response_model=ScenarioPublic,
    summary="Choose the scenario's baseline run",
)
def baseline(name: Name, body: BaselineChoice, who: Who, store: StoreDep) -> ScenarioPublic:
    """The run pages show unless the user picks another: a done run of this scenario,
    or null for none (then the latest done run)."""
    return ScenarioPublic.model_validate(store.set_baseline(who, name, body.run))
