"""Item 25 of issue 9: /api/v1/ answers an index of the endpoints and /api/v1/docs/ the
interactive documentation of the schema, assets served by the app itself, for signed-in users
only."""

import re

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from conftest import People, Tree, client_for


def test_the_api_root_lists_the_endpoints(people: People, tree: Tree):
    response = client_for(people.shushan_secretary, language="en").get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["schema"].endswith("/api/v1/schema/")
    assert body["docs"].endswith("/api/v1/docs/")
    paths = {entry["path"] for entry in body["endpoints"]}
    assert {
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/units/{id}/children/",
        "/api/v1/units/{id}/dues/",
        "/api/v1/units/{id}/dues/children/",
        "/api/v1/members/",
        "/api/v1/members/{id}/",
    } <= paths
    units = next(e for e in body["endpoints"] if e["path"] == "/api/v1/units/")
    assert units["methods"] == ["GET"] and units["summary"]


def test_the_api_root_works_with_a_token(people: People, tree: Tree):
    from jiceng.accounts import services
    from jiceng.core.actor import Actor

    _, key = services.api_token_create(actor=Actor(user=people.viewer), name="script")
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/")
    assert response.status_code == 200 and response.json()["endpoints"]


def test_anonymous_gets_no_api_root_docs_or_schema():
    anonymous = Client()
    assert anonymous.get("/api/v1/").status_code == 403  # the API's answer without credentials
    docs = anonymous.get("/api/v1/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("accounts:login"))
    assert anonymous.get("/api/v1/docs/?script").status_code == 302
    assert anonymous.get("/api/v1/schema/").status_code == 403


def test_the_docs_page_loads_only_local_assets_and_no_inline_code(people: People):
    response = client_for(people.viewer, language="en").get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/' in attrs for attrs in scripts)  # no inline script
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [a for a in assets if "//" in a]  # nothing from another host (no CDN)
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_docs_script_is_served_as_javascript(people: People):
    response = client_for(people.viewer).get("/api/v1/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert "SwaggerUIBundle" in body and "/api/v1/schema/" in body
    assert "no-store" in response["Cache-Control"]  # it carries the CSRF token
