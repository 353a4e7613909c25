"""The client's address comes from the configured trusted proxy header only (issue 9, item 20)."""

from typing import Any

import pytest
from django.test import RequestFactory

from jiceng.core.clientip import client_address

PROXY = "10.0.0.2"


def _request(**meta: Any) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=meta.pop("REMOTE_ADDR", PROXY), **meta)


def test_without_a_configured_header_forwarding_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_X_REAL_IP="203.0.113.9")
    assert client_address(request) == PROXY


def test_x_real_ip_when_configured(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_REAL_IP"
    assert client_address(_request(HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"
    # X-Forwarded-For is not the configured header: a client writing it changes nothing.
    assert client_address(_request(HTTP_X_FORWARDED_FOR="198.51.100.1")) == PROXY


@pytest.mark.parametrize(
    ("hops", "header", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # A client's own entries are on the left; the proxy appended the real address.
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not to be believed
        (1, "not-an-address", PROXY),
        (1, "203.0.113.9:51234", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_x_forwarded_for_counts_trusted_hops_from_the_right(settings, hops, header, expected):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_address(_request(HTTP_X_FORWARDED_FOR=header)) == expected


def test_a_missing_header_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(_request()) == PROXY


def test_axes_locks_by_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_HOPS = 1
    assert settings.AXES_CLIENT_IP_CALLABLE == "jiceng.core.clientip.client_address"
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert get_client_ip_address(request) == "203.0.113.9"
