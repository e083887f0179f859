"""The API application: ``create_api(settings)`` builds it with every router under
``/api/v1``. The served application (:func:`materiel.app.create_app`) adds the web
app's pages to what this returns; this package never imports the web app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from materiel.server import errors
from materiel.server.caching import Answers
from materiel.server.jobs import RunManager
from materiel.server.limits import Guard, SignInLimit, TooManyAttempts
from materiel.server.routes_account import router as account
from materiel.server.routes_data import router as data
from materiel.server.routes_runs import router as runs
from materiel.server.routes_scenarios import router as scenarios
from materiel.server.schemas import HealthPublic
from materiel.settings import Settings
from materiel.settings import settings as read_settings
from materiel.store import Store, open_store
from materiel.version import __version__

API = "/api/v1"
ROUTERS = (account, scenarios, runs, data)
#: A client may try this many times more sign-ins (over all names) than for one name.
CLIENT_FACTOR = 6


def start_run_workers(store: Store, settings: Settings) -> RunManager:
    """The server's own plan-run workers (``settings.run_workers`` of them). Runs stay
    queued across a restart; a run whose worker has gone is failed first."""
    store.fail_lost_runs(settings.run_lease_s)
    return RunManager(
        store,
        settings.run_workers,
        settings.run_grace_s,
        lease_s=settings.run_lease_s,
        poll_s=settings.run_poll_s,
        sweep_scheduler=settings.sweep_scheduler,
        sweep_workers=settings.sweep_workers,
    )


def create_api(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The API application on ``store`` (or on the database of ``settings``)."""
    settings = settings or read_settings()
    store = store or open_store(settings.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the threads the pages and the API answer in (see Settings.threads)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        app.state.jobs = start_run_workers(store, settings)
        try:
            yield
        finally:
            app.state.jobs.shutdown()

    app = FastAPI(
        title="materiel",
        version=__version__,
        description="Defence industrial capacity and munitions stockpile planning: the "
        "shared workspace's API. Send 'Authorization: Bearer TOKEN'.",
        docs_url=None,  # the interactive pages load scripts from elsewhere
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.answers = Answers()  # finished runs' tables as served, by their ETag
    app.state.sign_in_limit = SignInLimit(
        store, settings.sign_in_attempts, settings.sign_in_window_s, CLIENT_FACTOR
    )
    errors.install(app)

    @app.exception_handler(TooManyAttempts)
    async def _too_many(_request: Request, exc: TooManyAttempts) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)},
            status_code=429,
            headers={"Retry-After": str(max(1, round(exc.retry_after)))},
        )

    @app.get(
        f"{API}/health", tags=["server"], response_model=HealthPublic, summary="Is the server up"
    )
    def health() -> HealthPublic:
        return HealthPublic(status="ok", version=__version__)

    for router in ROUTERS:
        app.include_router(router, prefix=API)
    app.add_middleware(Guard, max_body=settings.max_body_bytes)
    return app
