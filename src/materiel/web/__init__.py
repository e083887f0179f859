"""The web app: server-rendered pages (Jinja2) with htmx, served at ``/`` by the same
process as the API. Its data comes from the store's methods called as the signed-in
user, so the access policy that guards the API guards the pages too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

STATIC = Path(__file__).parent / "static"


class Assets(StaticFiles):
    """The static files, which a browser may keep for an hour (pages are never kept)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=3600"
        return response


def mount(app: FastAPI) -> None:
    """Add the pages, forms and static assets to the API application."""
    from materiel.web.downloads import router as downloads
    from materiel.web.forms import router as forms
    from materiel.web.national import router as national
    from materiel.web.pages import router as pages

    app.include_router(pages)
    app.include_router(national)
    app.include_router(downloads)
    app.include_router(forms)
    app.mount("/static", Assets(directory=STATIC), name="static")
