"""The client's address: the one place that reads it from a request.

Without a proxy it is `REMOTE_ADDR`. Behind the production reverse proxy every request comes
from the proxy, so `REMOTE_ADDR` is the same for every citizen; the proxy passes the client's
address in a header, and `TRUSTED_PROXY_HEADER` names the one header to believe (a header is
only trustworthy when the proxy sets it and clients cannot reach the server directly):

- `""` (the default): `REMOTE_ADDR`; any forwarding header a client sends is ignored;
- `"HTTP_X_REAL_IP"` (nginx `proxy_set_header X-Real-IP $remote_addr`): that header;
- `"HTTP_X_FORWARDED_FOR"`: the address `TRUSTED_PROXY_HOPS` entries from the right. Each
  proxy appends the address it received the request from, so with one proxy (the default) the
  last entry is the client and anything to its left was written by the client itself.

A missing or malformed header falls back to `REMOTE_ADDR`. Audit entries, sessions, django-axes
(`AXES_CLIENT_IP_CALLABLE`) and rate limits all read the address through `client_address`.
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _valid(candidate: str) -> str | None:
    candidate = candidate.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[2001:db8::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # "203.0.113.9:51234"
        candidate = candidate.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _from_header(meta: Any) -> str | None:
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header:
        return None
    raw = str(meta.get(header, "") or "")
    if not raw:
        return None
    if header == FORWARDED_FOR:
        entries = [entry for entry in raw.split(",") if entry.strip()]
        hops = max(1, int(getattr(settings, "TRUSTED_PROXY_HOPS", 1)))
        if len(entries) < hops:
            return None
        return _valid(entries[-hops])
    return _valid(raw)


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, by the trusted proxy header when one is configured;
    None when unknown."""
    meta = getattr(request, "META", {}) or {}
    return _from_header(meta) or _valid(str(meta.get("REMOTE_ADDR", "") or "")) or None
