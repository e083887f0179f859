"""The REST API of the shared workspace (FastAPI), ``materiel serve``.

:func:`materiel.server.app.create_api` builds the API application: the API under
``/api/v1`` (OpenAPI schema at ``/openapi.json``). The web app mounts its routes on the
same application later. :class:`RunWorker` takes queued plan runs from the store
(``materiel worker``, and the server's own workers).
"""

from __future__ import annotations

from materiel.server.app import create_api, start_run_workers
from materiel.server.caching import cache_headers, etag, matches, not_modified
from materiel.server.errors import status_of
from materiel.server.jobs import RunWorker, work_until_stopped
from materiel.server.limits import TooManyAttempts

__all__ = [
    "RunWorker",
    "TooManyAttempts",
    "cache_headers",
    "create_api",
    "etag",
    "matches",
    "not_modified",
    "start_run_workers",
    "status_of",
    "work_until_stopped",
]
