"""The API's interactive documentation (issue 9, item 25): Swagger UI renders every operation
under the site's CSP with no violation, loads nothing from another host, and can try an
operation with the signed-in session."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import People, Tree

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_api_docs_render_the_operations_with_no_csp_violation(
    page: Page, live_server, tree: Tree, people: People
):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(CSP_LISTENER)
    sign_in(page, live_server.url, "hefei")

    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response is not None and response.status == 200
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = {text.replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/api/v1/units/", "/api/v1/members/{id}/", "/api/v1/units/{id}/dues/"} <= paths

    # Try one: the session signs the request in, and the unit comes back.
    me = page.locator(".opblock").filter(has=page.locator('[data-path="/api/v1/me/"]'))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    live = me.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status")).to_have_text(re.compile("200"))
    expect(live).to_contain_text("340100")
    shot(page, "api-docs")

    violations = page.evaluate("window.__cspViolations")
    assert violations == [], violations
    assert not [line for line in console if "Content Security Policy" in line], console
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_api_docs_send_anonymous_users_to_sign_in(page: Page, live_server):
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/api/v1/docs/"))
