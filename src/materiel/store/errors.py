"""Failures of the store that the API turns into HTTP statuses."""

from __future__ import annotations

from materiel.errors import MaterielError


class AccessDenied(MaterielError):
    """The signed-in user may not do this (HTTP 403)."""


class NotFound(MaterielError):
    """No such thing, or none the user may see (HTTP 404): the two are not told apart."""


class Conflict(MaterielError):
    """A stale version or a duplicate key (HTTP 409): nothing was changed."""


class LimitReached(MaterielError):
    """The user has as many of something as it may have at once (HTTP 429): nothing was
    made."""


class Unauthenticated(MaterielError):
    """No valid credentials (HTTP 401)."""


def stale(what: str, current: int, given: int | None) -> Conflict:
    """The refusal of a change made on a version that is no longer current."""
    return Conflict(
        f"{what} was changed by someone else: you sent version {given}, it is now at "
        f"version {current} or later; reload it and apply your change again"
    )


class UserDisabled(Unauthenticated):
    """The user's name and password are right but an admin has disabled it (HTTP 401)."""
