"""Django messages whose Simplified Chinese translation is missing upstream.

Django 5.2 rewrote the password-length message (with %d) after its zh_Hans catalogue was last
updated, so users saw it in English. Listing the msgids here puts them in our catalogue.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
