"""The second factor in a browser (issue 9, item 15): enrol an authenticator from the QR code's
secret, sign out, sign in with password and code, and again with a recovery code."""

import base64
import re

import pytest
from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from conftest import PASSWORD, People

from .conftest import shot

pytestmark = pytest.mark.browser


def _code(secret: str, *, next_step: bool = False) -> str:
    """What the app shows for the secret as the page gives it (base32 in groups of four)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, t0=-30 if next_step else 0):06d}"


def _password_step(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()


def _sign_out(page: Page) -> None:
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(
    browser, live_server, people: People
):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    _password_step(page, base, "viewer")
    expect(page.get_by_test_id("whoami")).to_be_visible()
    page.goto(f"{base}/account/")
    shot(page, "two_factor_1_security_page")
    page.get_by_test_id("mfa-enrol").click()

    qr = page.get_by_test_id("mfa-qr").locator("svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] > 100  # a scannable size, drawn inline
    secret = page.get_by_test_id("mfa-secret").inner_text()
    shot(page, "two_factor_2_enrol")
    page.locator("input[name=code]").fill(_code(secret))
    page.get_by_test_id("mfa-confirm").click()

    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    shot(page, "two_factor_3_recovery_codes")
    page.goto(f"{base}/account/")
    expect(page.get_by_test_id("security-mfa")).to_contain_text("10 recovery codes left")
    _sign_out(page)

    # Password, then the app's next code (the one used to enrol cannot be replayed).
    _password_step(page, base, "viewer")
    page.wait_for_url(re.compile(r"/login/code/"))
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    shot(page, "two_factor_4_code_step")
    page.locator("input[name=code]").fill(_code(secret, next_step=True))
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    _sign_out(page)

    # Password, then a recovery code: signed in, and told how many are left.
    _password_step(page, base, "viewer")
    page.wait_for_url(re.compile(r"/login/code/"))
    page.locator("input[name=code]").fill(codes[0])
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("9 are left")
    shot(page, "two_factor_5_signed_in_with_recovery_code")
    context.close()
