"""Failures of the store that the API turns into HTTP statuses."""

from __future__ import annotations

from materiel.errors import MaterielError


class AccessDenied(MaterielError):
    """The signed-in user may not do this (HTTP 403)."""


class NotFound(MaterielError):
    """No such thing, or none the user may see (HTTP 404): the two are not told apart."""


class Conflict(MaterielError):
    """A stale version or a duplicate key (HTTP 409): nothing was changed."""


class Unauthenticated(MaterielError):
    """No valid credentials (HTTP 401)."""
