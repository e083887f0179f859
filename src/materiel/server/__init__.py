"""The REST API of the shared workspace (FastAPI), ``materiel serve``.

:func:`materiel.server.app.create_api` builds the API application: the API under
``/api/v1`` (OpenAPI schema at ``/openapi.json``). The web app mounts its routes on the
same application later.
"""

from __future__ import annotations

from materiel.server.app import create_api
from materiel.server.errors import status_of
from materiel.server.limits import TooManyAttempts

__all__ = [
    "TooManyAttempts",
    "create_api",
    "status_of",
]
