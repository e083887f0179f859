"""One ``Settings`` for the store, the ledger, the data folder, the session lifetime and
the server's limits, read from ``MATERIEL_*`` variables; a bad value is named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.errors import InputError
from materiel.settings import Settings, settings
from materiel.store.db import resolve_url
from materiel.track.ledger import default_ledger_path
from tests.server_kit import PASSWORD, Workspace

API = "/api/v1"


def test_the_data_folder_holds_the_store_and_the_ledger(monkeypatch, tmp_path):
    monkeypatch.delenv("MATERIEL_DB", raising=False)
    monkeypatch.delenv("MATERIEL_LEDGER", raising=False)
    monkeypatch.setenv("MATERIEL_DATA_DIR", str(tmp_path / "data"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'data' / 'materiel.db'}"
    assert default_ledger_path() == tmp_path / "data" / "pledges.json"


def test_variables_name_the_store_and_the_ledger(monkeypatch, tmp_path):
    monkeypatch.setenv("MATERIEL_DB", "sqlite:///elsewhere.db")
    monkeypatch.setenv("MATERIEL_LEDGER", str(tmp_path / "mine.json"))
    assert resolve_url(None) == "sqlite:///elsewhere.db"
    assert resolve_url("sqlite:///given.db") == "sqlite:///given.db"  # an argument wins
    assert default_ledger_path() == tmp_path / "mine.json"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MATERIEL_SESSION_HOURS", "soon"),
        ("MATERIEL_SESSION_HOURS", "-1"),
        ("MATERIEL_RUN_WORKERS", "-1"),  # 0 is allowed: separate workers take the runs
        ("MATERIEL_RUN_LEASE_S", "0"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(InputError, match=variable):
        settings()


def test_the_session_lifetime_sets_the_sign_in_token(space: Workspace):
    app = create_app(Settings(db=space.store.db.url, session_hours=2), space.store)
    with TestClient(app) as client:
        before = dt.datetime.now(dt.UTC)
        answer = client.post(f"{API}/auth/sign-in", json={"name": "viewer", "password": PASSWORD})
    assert answer.status_code == 200
    expires = dt.datetime.fromisoformat(answer.json()["expires_at"])
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    hours = (expires - before).total_seconds() / 3600
    assert 1.99 < hours < 2.01  # not the default 12


def test_settings_given_override_the_environment(monkeypatch):
    monkeypatch.setenv("MATERIEL_MAX_BODY_BYTES", "1000")
    assert settings().max_body_bytes == 1000
    assert settings(max_body_bytes=2000).max_body_bytes == 2000
    assert isinstance(Settings().folder(), Path)
