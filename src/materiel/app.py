"""The served application, composed at the top: the REST API of
:mod:`materiel.server` with the web app's pages of :mod:`materiel.web` at ``/``.

``materiel serve`` (and the tests) build it here, so that the API package never imports
the pages that sit on top of it.
"""

from __future__ import annotations

from fastapi import FastAPI

from materiel.server import create_api
from materiel.settings import Settings
from materiel.store import Store
from materiel.web import mount


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The API under ``/api/v1`` and the pages at ``/``, on ``store`` (or on the
    database of ``settings``)."""
    app = create_api(settings, store)
    mount(app)
    return app
