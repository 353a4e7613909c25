"""Eight signed-in clients against gunicorn on SQLite, as `make run` serves it: no server errors.

Issue 9, item 8: at 8 concurrent clients against `make run` (gunicorn, 2 workers x 4 threads,
SQLite in WAL mode) bursts of `sqlite3.OperationalError: disk I/O error` came from saving and
loading the session. Each request opened and closed its own connection (`CONN_MAX_AGE=0`), and
whenever the last connection of a process closed, SQLite checkpointed the WAL and deleted the
-wal and -shm files while the other process was opening them. Connections are now kept per
thread (`CONN_MAX_AGE`), and the WAL is kept (`journal_size_limit`) instead of deleted.

The server runs on a scratch SQLite database (migrated, with a few users) on a loopback port,
with the embedded set-up's database settings; the load is `load_test`'s, bounded in time.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from jiceng.core.management.commands.load_test import run_load
from jiceng.settings.base import database_from_url

PASSWORD = "Load-test-password-42"
USERS = ("load_national", "load_anhui", "load_hefei", "load_shushan")

#: Migrates the scratch database and adds a small tree with one user per level.
_SET_UP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import Level, Unit, Venue

root = Unit.objects.add_root(
    {{"code": "100000", "name": "中国个体劳动者协会", "level": Level.NATIONAL}}
)
Venue.objects.create(unit=root)

def child(parent, level, code, name):
    return services.unit_create(
        actor=Actor.system(), parent=parent, data={{"code": code, "name": name, "level": level}}
    )

anhui = child(root, Level.PROVINCE, "340000", "安徽省个私协会")
hefei = child(anhui, Level.CITY, "340100", "合肥市个私协会")
shushan = child(hefei, Level.GRASSROOTS, "340104", "蜀山区个私协会")
for i, (name, role, unit) in enumerate([
    ({USERS[0]!r}, Role.NATIONAL_ADMIN, root),
    ({USERS[1]!r}, Role.PROVINCIAL_ADMIN, anhui),
    ({USERS[2]!r}, Role.CITY_ADMIN, hefei),
    ({USERS[3]!r}, Role.GRASSROOTS_SECRETARY, shushan),
]):
    user = User(username=name, role=role, unit=unit, full_name=name, phone=f"1390000{{i:04d}}")
    user.set_password({PASSWORD!r})
    user.save()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in time")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "load.sqlite3"


@pytest.fixture
def server(tmp_path: Path, database: Path) -> Iterator[str]:
    """gunicorn with 2 workers x 4 threads on a scratch SQLite database; yields its base URL."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="jiceng.settings.test",
        AXES_ENABLED="false",
    )
    cwd = Path(settings.BASE_DIR)
    subprocess.run([sys.executable, "-c", _SET_UP], cwd=cwd, env=env, check=True, timeout=120)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "jiceng.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "2",
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, time.monotonic() + 60)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    errors = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "OperationalError" not in errors, errors[-4000:]


def test_eight_clients_get_no_server_error(server: str) -> None:
    result = run_load(
        server,
        [(name, PASSWORD) for name in USERS],
        clients=8,
        requests=40,
        relogin=8,
    )
    assert result.total >= 8 * 40
    assert result.errors == 0, result.failures[:10]
    assert result.seconds < 60


def test_the_wal_is_kept_between_requests(server: str, database: Path) -> None:
    """The cause of the bursts: with a connection per request the -wal and -shm files were
    deleted whenever a process had none left open, and created again by the next request."""
    result = run_load(server, [(USERS[0], PASSWORD)], clients=2, requests=6, relogin=0)
    assert result.errors == 0, result.failures
    time.sleep(1)  # idle: before the fix every connection had closed and the WAL was gone
    assert Path(f"{database}-wal").exists()
    assert Path(f"{database}-shm").exists()


def test_sqlite_connections_are_kept_and_the_wal_bounded() -> None:
    config = database_from_url("sqlite:////tmp/any.sqlite3")
    assert config["CONN_MAX_AGE"] is None or config["CONN_MAX_AGE"] > 0
    init = config["OPTIONS"]["init_command"]
    assert "journal_mode=WAL" in init
    assert "journal_size_limit=" in init
    assert config["OPTIONS"]["timeout"] >= 5
