"""`manage.py check --deploy` with production settings reports nothing."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py in a fresh process with production settings and the given environment."""
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env={**base, "DJANGO_SETTINGS_MODULE": "jiceng.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="jiceng.example.gov.cn",
        MEMBER_DATA_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_asks_for_a_member_data_key():
    """Production settings require the key: an error, not a warning (issue 9, item 21)."""
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="jiceng.example.gov.cn",
        MEMBER_DATA_KEY="",
    )
    assert result.returncode != 0
    assert "jiceng.E002" in result.stdout + result.stderr


def test_production_refuses_a_missing_secret_key():
    result = _manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
