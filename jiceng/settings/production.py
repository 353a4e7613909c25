"""Production: PostgreSQL via DATABASE_URL, HTTPS, secure cookies. SECRET_KEY must be set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY
from .env import env_bool, env_int, env_list

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# members / personal data: ID numbers are encrypted with a key of their own, never one derived
# from SECRET_KEY (the system check `jiceng.E002` stops every command without it).
MEMBER_DATA_KEY_REQUIRED = True

# Every role that may unmask personal data or manage accounts signs in with a second factor
# (the deploy check `accounts.W001` compares this list with accounts/roles.py).
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES",
    ["national_admin", "provincial_admin", "city_admin", "grassroots_secretary", "branch_staff"],
)
