from django.conf import settings
from django.db.models import QuerySet

from .models import User


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked out now (one query)."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    qs = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if settings.AXES_COOLOFF_TIME:
        qs = qs.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return set(qs.values_list("username", flat=True))


def account_list(*, user: User, query: str = "") -> QuerySet[User]:
    qs = User.objects.for_user(user).order_by("unit__path", "username")
    if query:
        from django.db.models import Q

        qs = qs.filter(
            Q(username__contains=query) | Q(full_name__contains=query) | Q(phone__startswith=query)
        )
    return qs
