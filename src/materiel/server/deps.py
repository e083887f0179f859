"""What every route needs: the store, the signed-in principal, a page of a list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from materiel.server.schemas import Page
from materiel.store import Principal, Store, Unauthenticated

MAX_INT = 2**31 - 1
P = TypeVar("P", bound=Page[Any])
T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="an API token (mat_...)")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("sign in: send an API token as 'Authorization: Bearer TOKEN'")
    return get_store(request).principal(credentials.credentials)


StoreDep = Annotated[Store, Depends(get_store)]
Who = Annotated[Principal, Depends(get_principal)]


class Paging:
    def __init__(
        self,
        offset: Annotated[int, Query(ge=0, le=MAX_INT, description="items to skip")] = 0,
        limit: Annotated[int, Query(ge=1, le=500, description="items to return")] = 100,
    ):
        self.offset, self.limit = offset, limit

    def page(self, model: type[P], items: Sequence[Any]) -> P:
        """The page of ``items`` asked for, as ``model`` (its items read from the store's
        records or dicts)."""
        return model.model_validate(
            {
                "total": len(items),
                "offset": self.offset,
                "limit": self.limit,
                "items": list(items[self.offset : self.offset + self.limit]),
            }
        )


PageDep = Annotated[Paging, Depends()]


def search(
    items: list[T],
    column: str | None,
    value: str | None,
    q: str | None,
    fields: Callable[[T], Mapping[str, Any]],
) -> list[T]:
    """Items whose ``column`` equals ``value`` (as text) and that contain ``q`` anywhere,
    both looked for in ``fields(item)`` (a row's data; a fact or pledge itself). Filters
    compare text in Python over items the policy let through, never SQL."""
    out = items
    if column is not None:
        out = [r for r in out if str(fields(r).get(column)) == (value or "")]
    if q:
        needle = q.casefold()
        out = [r for r in out if needle in str(fields(r)).casefold()]
    return out
