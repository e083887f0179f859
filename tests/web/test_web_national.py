"""A run's national plan in the web app: a nation analyst opens its own ally's (page and
PDF) and is refused another's; alliance staff pick any ally; the other roles get none.
On SQLite and PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import html
import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.server_kit import SECRETS, Workspace
from tests.web_kit import csrf_of, plan_from_page, sign_in

#: The stockpile figures of BBB and CCC, as the small scenario has them and as a page
#: would print them.
pytestmark = pytest.mark.slow  # each test plans a run in a process of its own (4-5 s)
OTHERS = [f for ally in ("BBB", "CCC") for s in SECRETS[ally] for f in (s, f"{int(s):,}")]


def small_run(client: TestClient, space: Workspace) -> int:
    """A finished run of the small scenario, started by an alliance analyst (signed out
    after)."""
    assert sign_in(client, "alliance").status_code == 303
    run_id = plan_from_page(client, space, "small")
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    return run_id


def test_a_nation_analyst_gets_its_own_national_plan_and_not_another_s(
    client: TestClient, space: Workspace
) -> None:
    run_id = small_run(client, space)
    assert sign_in(client, "nation_AAA").status_code == 303
    run_page = client.get(f"/runs/{run_id}").text
    assert f'href="/runs/{run_id}/national?ally=AAA"' in run_page
    assert 'id="national-form"' not in run_page  # no other ally to pick

    page = client.get(f"/runs/{run_id}/national")
    assert page.status_code == 200
    assert "National plan of Ally A (AAA)" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    # its own target (20,202) is there; no figure of another ally is
    assert "20,202" in page.text
    assert not [f for f in OTHERS if f in page.text]

    pdf = client.get(f"/runs/{run_id}/national.pdf?ally=aaa")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert f"national-AAA-run-{run_id}.pdf" in pdf.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for title in ("Targets", "Contracts", "Spending", "Lines it hosts", "Supply risks"):
        assert title in text
    assert "20,202" in text and not [f for f in OTHERS if f in text]

    for refused in (f"/runs/{run_id}/national?ally=BBB", f"/runs/{run_id}/national.pdf?ally=BBB"):
        answer = client.get(refused)
        assert answer.status_code == 403, refused
        assert "may read AAA's national plans only" in html.unescape(answer.text)
        assert not [f for f in OTHERS if f in answer.text]
    assert client.get(f"/runs/{run_id + 1000}/national").status_code == 404


def test_alliance_staff_pick_any_ally_and_other_roles_get_none(
    client: TestClient, space: Workspace
) -> None:
    run_id = small_run(client, space)
    assert sign_in(client, "alliance").status_code == 303
    run_page = client.get(f"/runs/{run_id}").text
    assert 'id="national-form"' in run_page
    assert '<option value="CCC">CCC</option>' in run_page
    page = client.get(f"/runs/{run_id}/national?ally=BBB")
    assert page.status_code == 200 and "National plan of Ally B (BBB)" in page.text
    # even for alliance staff, the plan of BBB is what BBB's analysts see: not AAA's
    # nor CCC's figures, but its own (its target, 91,919)
    assert "91,919" in page.text
    assert not [f for f in ("20,202", "42,424", "52,525") if f in page.text]
    assert client.get(f"/runs/{run_id}/national?ally=ZZZ").status_code == 404
    missing = client.get(f"/runs/{run_id}/national")
    assert missing.status_code == 422 and "name the ally" in missing.text
    assert client.get(f"/runs/{run_id}/national?ally=B1").status_code == 422
    client.post("/sign-out", data={"csrf": csrf_of(run_page)})
    for user in ("industry", "viewer"):
        assert sign_in(client, user).status_code == 303
        answer = client.get(f"/runs/{run_id}/national?ally=AAA")
        assert answer.status_code == 403, user
        assert "20,202" not in answer.text
        client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
