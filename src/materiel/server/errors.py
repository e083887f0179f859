"""Failures as HTTP answers: a status and a message, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from materiel.errors import DataError, InputError, MaterielError, ScenarioError, SolveError
from materiel.store import AccessDenied, Conflict, LimitReached, NotFound, Unauthenticated

log = logging.getLogger("materiel.server")

STATUS: tuple[tuple[type[MaterielError], int], ...] = (
    (Unauthenticated, 401),
    (AccessDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (LimitReached, 429),
    (ScenarioError, 422),
    (InputError, 422),
    (SolveError, 422),
    (DataError, 503),
)


def status_of(exc: MaterielError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(MaterielError)
    async def _materiel(_request: Request, exc: MaterielError) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, ScenarioError):
            body["problems"] = [str(p) for p in exc.problems]
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return JSONResponse(body, status_code=status_of(exc), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); this is a bug in materiel"},
            status_code=500,
        )
