"""Test settings: the same as base, with a file-backed SQLite so threads can write in parallel."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "test-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
# Argon2 is tested explicitly; the suite itself hashes with a fast hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: shared-cache memory databases raise "table is locked"
    # at once instead of waiting, which would hide how real concurrent writers behave.
    # One file per test process (pid), so that two suites run side by side never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# WhiteNoise serves STATIC_ROOT; tests use the finders, so give it an (empty) directory.
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Each test process keeps its own cache (job progress, rate limits).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
