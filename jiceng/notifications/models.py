"""A notification: one notice for one user, rendered in the reader's language when shown."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import find_kind


def validate_site_path(value: str) -> None:
    """A site-relative path: starts with "/" but not "//" (no other host), no backslash."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        raise ValidationError(
            _("Enter a path on this site, starting with a single “/”."), code="invalid_path"
        )


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # covered by the (user, key) and (user, read_at) indexes
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, validators=[validate_site_path])
    #: What makes a notice the same notice: one per user and key, whoever sends it again.
    key = models.CharField(_("key"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    scope_via = "user__unit"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "user"], name="notification_key_user"),
            models.CheckConstraint(
                condition=Q(url__startswith="/") & ~Q(url__startswith="//"),
                name="notification_url_site_path",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
            models.Index(fields=["user", "-created", "-id"], name="notification_user_created"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def label(self) -> str:
        kind = find_kind(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def text(self) -> str:
        """The message in the active language (the reader's, when shown in a request)."""
        kind = find_kind(self.kind)
        if kind is None:
            return self.kind
        try:
            return str(kind.message) % self.params
        except (KeyError, TypeError, ValueError):
            return str(kind.label)
