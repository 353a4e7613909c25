"""Error pages in the site's layout and language, saying what happened, with the way home
(issue 9, item 9)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import People, Tree, client_for, with_language
from jiceng import urls
from jiceng.core import error_views

LAYOUT = 'class="navbar'  # the site header of base.html
HOME = 'data-testid="error-home" href="/"'


def _assert_page(response, status: int, chinese: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert LAYOUT in body and 'lang="zh-hans"' in body
    assert chinese in body, body[:2000]
    assert 'href="/"' in body and "返回首页" in body
    assert "Not Found" not in body and "Forbidden" not in body
    return body


def test_handlers_are_wired(settings):
    assert urls.handler400 == "jiceng.core.error_views.bad_request"
    assert urls.handler403 == "jiceng.core.error_views.permission_denied"
    assert urls.handler404 == "jiceng.core.error_views.page_not_found"
    assert urls.handler500 == "jiceng.core.error_views.server_error"
    assert settings.CSRF_FAILURE_VIEW == "jiceng.core.error_views.csrf_failure"


def test_404_in_chinese_with_the_layout(db: None):
    _assert_page(Client().get("/no-such-page/"), 404, "页面不存在")


def test_404_for_a_signed_in_user_keeps_the_menu(people: People):
    body = _assert_page(client_for(people.viewer).get("/no-such-page/"), 404, "页面不存在")
    assert 'data-testid="whoami"' in body


def test_404_in_english_when_chosen(db: None):
    response = with_language(Client(), "en").get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and "Back to the home page" in body


def test_403_in_chinese_with_the_layout(tree: Tree, people: People):
    url = reverse("org:unit_edit", kwargs={"pk": tree.shushan.pk})
    body = _assert_page(client_for(people.viewer).get(url), 403, "无权")
    assert 'data-testid="whoami"' in body


def test_400_in_chinese_with_the_layout(db: None):
    response = Client(HTTP_HOST="attacker.example").get("/login/")
    _assert_page(response, 400, "请求无效")


def test_csrf_failure_in_chinese_with_the_layout(db: None):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x"})
    _assert_page(response, 403, "表单已过期")


@pytest.mark.urls("jiceng.core.tests.error_urls")
def test_500_in_chinese_with_the_layout(db: None):
    response = Client(raise_request_exception=False).get("/boom/")
    _assert_page(response, 500, "服务器错误")


def test_500_needs_neither_the_database_nor_the_user():
    """No `db` fixture: any query would fail, and the page would fall back to the fixed one
    without the layout."""
    request = RequestFactory().get("/")  # no user, no session
    response = error_views.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in body and "返回首页" in body and LAYOUT in body


def test_500_falls_back_to_a_fixed_page(monkeypatch):
    def broken(name: str):
        raise RuntimeError("no templates")

    monkeypatch.setattr(error_views.loader, "get_template", broken)
    response = error_views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()
