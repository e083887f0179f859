"""The REST API of the shared workspace (FastAPI), ``materiel serve``.

:func:`materiel.server.app.create_api` builds the API application: the API under
``/api/v1`` (OpenAPI schema at ``/openapi.json``). The web app mounts its routes on the
same application later.
"""
