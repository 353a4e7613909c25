"""A bounded loopback load of signed-in clients against a running server.

Each client signs in (a session write), then requests pages (each reads the session and, with
`SESSION_SAVE_EVERY_REQUEST`, writes it back), signing in again every `--relogin` requests.
It counts the answers by status and exits 1 when any is a server error (5xx) or the request
failed outright, so it serves as a smoke test of concurrency against `make run`:

    manage.py load_test --url http://127.0.0.1:8000 --clients 8 --requests 100

The test `jiceng/core/tests/test_load.py` runs the same load against gunicorn (2 workers ×
4 threads, as `make run` does) on a scratch SQLite database.
"""

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

#: The pages every client cycles through after signing in; "{unit}" is the user's own unit page
#: (where "/" redirects).
DEFAULT_PATHS = (
    "{unit}",
    "{unit}?tab=children",
    "/units/search/?q=%E5%8D%8F%E4%BC%9A",
    "/",
    "{unit}?tab=history",
)
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class LoadResult:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int, what: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 or status == 0:
                self.failures.append(what)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Client:
    def __init__(self, base: str, username: str, password: str, result: LoadResult):
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise CommandError(f"not an http(s) URL: {base}")
        self.base = base.rstrip("/")
        self.username = username
        self.password = password
        self.result = result
        self.unit = "/"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        status, text, _location = self._fetch(path, data)
        return status, text

    def _fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # The scheme is checked in __init__: only http(s) URLs are opened.
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
                location = response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
            location = exc.headers.get("Location", "")
        except OSError as exc:
            self.result.record(0, f"{path}: {exc}")
            return 0, "", ""
        self.result.record(status, f"{path}: {status}")
        return status, text, location

    def sign_in(self) -> bool:
        self.jar.clear()
        status, page = self.fetch("/login/")
        match = _CSRF_INPUT.search(page)
        if status != 200 or match is None:
            return False
        status, _page = self.fetch(
            "/login/",
            {
                "csrfmiddlewaretoken": match.group(1),
                "username": self.username,
                "password": self.password,
            },
        )
        if status != 302:
            return False
        status, _page, location = self._fetch("/")
        self.unit = urllib.parse.urlsplit(location).path or "/"
        return status == 302

    def run(self, requests: int, relogin: int, paths: tuple[str, ...]) -> None:
        signed_in = False
        for i in range(requests):
            if not signed_in or (relogin and i % relogin == 0):
                signed_in = self.sign_in()
                continue
            self.fetch(paths[i % len(paths)].format(unit=self.unit))


def run_load(
    base_url: str,
    logins: list[tuple[str, str]],
    *,
    clients: int = 8,
    requests: int = 50,
    relogin: int = 10,
    paths: tuple[str, ...] = DEFAULT_PATHS,
) -> LoadResult:
    """`clients` threads, client i signed in as `logins[i % len(logins)]`, each making
    `requests` requests (sign-ins included); all start together."""
    result = LoadResult()
    workers = [_Client(base_url, *logins[i % len(logins)], result=result) for i in range(clients)]
    start = threading.Barrier(clients)

    def work(client: _Client) -> None:
        start.wait()
        client.run(requests, relogin, paths)

    threads = [threading.Thread(target=work, args=(client,)) for client in workers]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


class Command(BaseCommand):
    help = "Load a running server with signed-in clients; exit 1 on any server error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--requests", type=int, default=100, help="Per client.")
        parser.add_argument(
            "--relogin", type=int, default=10, help="Sign in again every this many requests."
        )
        parser.add_argument(
            "--login",
            action="append",
            default=[],
            help="username:password (repeatable); the demo logins when left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins: list[tuple[str, str]] = [
            (name, password)
            for name, _, password in (item.partition(":") for item in options["login"])
        ] or [
            (name, "Jiceng@2026demo")
            for name in ("national", "anhui", "hefei", "shushan", "shushan_branch", "baohe")
        ]
        result = run_load(
            options["url"],
            logins,
            clients=options["clients"],
            requests=options["requests"],
            relogin=options["relogin"],
        )
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items()))
        self.stdout.write(
            f"{result.total} requests in {result.seconds:.1f} s ({statuses}); "
            f"{result.errors} server errors"
        )
        if result.errors:
            for line in result.failures[:10]:
                self.stderr.write(line)
            raise CommandError(f"{result.errors} server errors under load")
