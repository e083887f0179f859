"""Signing in, API tokens, users and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from materiel.server.deps import MAX_INT, PageDep, StoreDep, Who
from materiel.server.schemas import (
    AuditPublic,
    MePublic,
    NewTokenPublic,
    SignedInPublic,
    SignIn,
    TokenCreate,
    TokenPublic,
    TokensPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)

router = APIRouter(tags=["account"])


@router.post(
    "/auth/sign-in",
    response_model=SignedInPublic,
    summary="Sign in with a name and password; returns a token",
)
def sign_in(body: SignIn, request: Request, store: StoreDep) -> SignedInPublic:
    client = request.client.host if request.client else "unknown"
    request.app.state.sign_in_limit.hit(client, body.name)
    hours = request.app.state.settings.session_hours
    token, expires = store.sign_in(body.name, body.password, hours)
    return SignedInPublic(token=token, expires_at=expires.isoformat(), token_type="bearer")


@router.get("/auth/me", response_model=MePublic, summary="Who the token belongs to")
def me(who: Who) -> MePublic:
    return MePublic.model_validate(who)


@router.get("/tokens", response_model=TokensPublic, summary="Your API tokens (never their secret)")
def tokens(who: Who, store: StoreDep, paging: PageDep) -> TokensPublic:
    return paging.page(TokensPublic, store.list_tokens(who))


@router.post(
    "/tokens",
    status_code=201,
    response_model=NewTokenPublic,
    summary="A new API token; shown once",
)
def create_token(body: TokenCreate, who: Who, store: StoreDep) -> NewTokenPublic:
    return NewTokenPublic.model_validate(store.create_token(who, body.name, body.days))


@router.delete(
    "/tokens/{token_id}", response_model=TokenPublic, summary="Revoke one of your tokens"
)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=MAX_INT)], who: Who, store: StoreDep
) -> TokenPublic:
    return TokenPublic.model_validate(store.revoke_token(who, token_id))


@router.get("/users", response_model=UsersPublic, summary="Users (admin)")
def users(who: Who, store: StoreDep, paging: PageDep) -> UsersPublic:
    return paging.page(UsersPublic, store.list_users(who))


@router.post("/users", status_code=201, response_model=UserPublic, summary="Create a user (admin)")
def create_user(body: UserCreate, who: Who, store: StoreDep) -> UserPublic:
    user = store.create_user(who, body.name, body.role, body.password, body.ally, body.producer)
    return UserPublic.model_validate(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserPublic,
    summary="Disable or enable a user, or set its password (admin)",
)
def update_user(
    user_id: Annotated[int, Path(ge=1, le=MAX_INT)], body: UserUpdate, who: Who, store: StoreDep
) -> UserPublic:
    """``{"active": false}`` refuses the user's sign-in and revokes every token and
    browser session it holds at once; ``{"active": true}`` lets it sign in again (the
    old tokens stay revoked). ``{"password": ...}`` sets its password (at least 8
    characters). Each change is in the audit log, never the password."""
    return UserPublic.model_validate(
        store.update_user(who, user_id, active=body.active, password=body.password)
    )


@router.get(
    "/audit",
    response_model=AuditPublic,
    summary="The audit log, newest first (admin); it cannot be changed",
)
def audit(
    who: Who,
    store: StoreDep,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPublic:
    return AuditPublic.model_validate(store.audit_log(who, offset, limit))
