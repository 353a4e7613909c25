"""Background task of the notifications: the daily reminder job (see docs/notifications.md)."""

from django_tasks import task


@task()
def send_reminders(day: str | None = None) -> int:
    """Run every reminder source for `day` (ISO date; default today in Asia/Shanghai)."""
    import datetime

    from .reminders import run_reminders

    return run_reminders(datetime.date.fromisoformat(day) if day else None)
