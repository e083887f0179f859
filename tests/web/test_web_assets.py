"""The web app's assets: copied from the npm registry's packages by the build step, served
by the app itself, and no page refers to another site."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "materiel" / "web"
VENDOR = WEB / "static" / "vendor"


def manifest() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((VENDOR / "manifest.json").read_text())
    return data


def test_vendor_files_are_the_manifests_packages_and_versions() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, entry in manifest().items():
        body = (VENDOR / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], name
        assert package["devDependencies"][entry["package"]] == entry["version"]
        locked = lock["packages"][f"node_modules/{entry['package']}"]
        assert locked["version"] == entry["version"]
        assert locked["integrity"].startswith("sha512-")  # npm ci checks the download
        assert (VENDOR / f"{name}.LICENSE").exists()


@pytest.mark.requires_npm
def test_the_build_step_reproduces_the_vendor_files() -> None:
    modules = ROOT / "node_modules"
    if not modules.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but node_modules is missing: `make` runs npm ci")
        pytest.skip("node_modules is missing: run `make` or `npm ci`")
    for name, entry in manifest().items():
        source = modules / entry["package"] / entry["from"]
        assert source.read_bytes() == (VENDOR / name).read_bytes(), name


def test_no_page_or_script_refers_to_another_site() -> None:
    own = [*WEB.glob("templates/*.html"), *WEB.glob("static/*.js"), WEB / "static" / "app.css"]
    for path in own:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", text), path


def test_the_app_serves_its_assets_and_pages_allow_only_its_own(tmp_path: Path) -> None:
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'store.db'}"))
    with TestClient(app) as client:
        for name in manifest():
            answer = client.get(f"/static/vendor/{name}")
            assert answer.status_code == 200
            assert answer.content == (VENDOR / name).read_bytes()
            assert answer.headers["cache-control"] == "public, max-age=3600"
        page = client.get("/sign-in")
        assert page.headers["cache-control"] == "no-store"
        policies = page.headers.get_list("content-security-policy")
        assert len(policies) == 1  # the API's stricter default is not added twice
        assert "script-src 'self'" in policies[0] and "unsafe-inline" not in policies[0]
        api = client.get("/api/v1/health")
        assert api.headers["content-security-policy"].startswith("default-src 'none'")
        scripts = re.findall(r'<script src="([^"]+)"', page.text)
        assert scripts == [
            "/static/vendor/htmx.min.js",
            "/static/vendor/chart.umd.min.js",
            "/static/vendor/dataTables.min.js",
            "/static/app.js",
            "/static/grid.js",
        ]
