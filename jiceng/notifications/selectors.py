"""Reads of a user's notifications: each one query (the list's page adds its bounded count)."""

from django.db.models import QuerySet

from jiceng.accounts.models import User

from .models import Notification


def notifications_for_user(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created", "-id")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread: one indexed count on (user, read_at)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
