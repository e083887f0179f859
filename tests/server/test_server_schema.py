"""schemathesis against the OpenAPI schema: no request it makes gets a server error
(a few examples per operation, as the admin, who may reach every code path)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from materiel.app import create_app
from materiel.settings import Settings
from tests.server_kit import Workspace

EXAMPLES = int(os.environ.get("MATERIEL_SCHEMA_EXAMPLES", "8"))


@pytest.mark.slow
def test_no_server_error(space: Workspace) -> None:
    app = create_app(Settings(db=space.store.db.url, max_body_bytes=256 * 1024), space.store)
    headers = space.headers("admin")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    with TestClient(app):  # runs the application's start-up (the job runner)
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                response = case.call(headers=headers)
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> "
                        f"{response.status_code}: {response.text[:300]}"
                    )

            check()
    assert operations >= 30 and len(statuses) >= 2 * operations
    assert any(200 <= s < 300 for s in statuses)  # not every request was refused
    assert not failures, "\n".join(failures[:20])
