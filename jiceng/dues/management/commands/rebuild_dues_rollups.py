import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiceng.dues.services import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the dues roll-up (one row per unit and year) from all members and payments, "
        "in one set-based statement. The pages stay correct without it; run it after loading "
        "data behind the services' back, or to check the roll-up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", help="Only this dues year (repeatable)."
        )

    def handle(self, *args: Any, year: list[int] | None, **options: Any) -> None:
        started = time.monotonic()
        rows = rollup_rebuild(years=year)
        elapsed = time.monotonic() - started
        which = ", ".join(str(y) for y in year) if year else "all years"
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {rows:,} dues roll-up rows ({which}) in {elapsed:.1f} s.")
        )
