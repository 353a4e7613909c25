"""The embedded set-up that `make run` starts: SQLite in var/, loopback only."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR
from .env import env_bool

# A stable key for the local install, generated once by `make run` into var/secret_key.
if not SECRET_KEY:
    _key_file = VAR_DIR / "secret_key"
    SECRET_KEY = _key_file.read_text().strip() if _key_file.exists() else "insecure-local-only"

DEBUG = env_bool("DEBUG", False)

# The embedded demo: its printed logins keep working with a password alone.
MFA_REQUIRED_ROLES = []
