"""The served application, composed at the top: the REST API of
:mod:`materiel.server` with the web app's pages of :mod:`materiel.web` at ``/``.

``materiel serve`` (and the tests) build it here, so that the API package never imports
the pages that sit on top of it.
"""

from __future__ import annotations

import logging
import os
import sys

from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from materiel.errors import MaterielError
from materiel.server import create_api
from materiel.settings import Settings, settings
from materiel.store import Store, open_store
from materiel.web import mount


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The API under ``/api/v1`` and the pages at ``/``, on ``store`` (or on the
    database of ``settings``)."""
    app = create_api(settings, store)
    mount(app)
    return app


def http_worker() -> FastAPI:
    """The application of one of the processes of ``materiel serve --workers N`` (an
    app factory: uvicorn calls it in each process it starts). The settings are the
    environment's (``materiel serve`` sets ``MATERIEL_DB``); the store was upgraded by
    ``materiel serve`` before the processes started, and the plan-run workers are that
    command's, not one set per process: this process starts none.

    If the application cannot be made (the database is away, a setting is wrong), the
    process says why in one line and exits with uvicorn's code for a failed start, so
    that uvicorn stops every process rather than starting this one again and again."""
    try:
        given = settings(run_workers=0)
        return create_app(given, open_store(given.db, migrate=False))
    except MaterielError as exc:
        logging.getLogger("uvicorn.error").error("server process %s: %s", os.getpid(), exc)
    except Exception:
        logging.getLogger("uvicorn.error").exception("server process %s failed", os.getpid())
    sys.exit(STARTUP_FAILURE)
