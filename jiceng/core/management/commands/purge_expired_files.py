"""Delete exports and uploaded rosters past FILE_RETENTION_SECONDS (see `core/jobs.py`).

Idempotent: run it as often as you like (from cron, or after a crash); the job worker also runs
it at each file's expiry.
"""

from typing import Any

from django.core.management.base import BaseCommand

from jiceng.core.jobs import purge_expired_files


class Command(BaseCommand):
    help = "Delete exports and uploaded rosters whose retention (FILE_RETENTION_SECONDS) is over."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired_files()
        self.stdout.write(f"purged {purged} expired job files")
