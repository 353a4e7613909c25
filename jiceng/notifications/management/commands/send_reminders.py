"""The daily reminder job: `manage.py send_reminders [--date YYYY-MM-DD]`. Idempotent: a
notice already sent to a user is not sent again, so it may run more than once a day."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiceng.notifications.reminders import run_reminders


class Command(BaseCommand):
    help = "Send the day's reminders (tasks due, tasks overdue, documents to acknowledge)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="the day to remind for, YYYY-MM-DD (default: today in Asia/Shanghai)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: not a date YYYY-MM-DD: {options['date']!r}") from error
        created = run_reminders(day)
        self.stdout.write(f"{created} notifications created")
