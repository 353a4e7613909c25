"""Rewrite audit entries written before personal fields were hashed: every value of a
personal field (`personal_fields` on the entry's model) in before/after becomes its keyed hash.

Idempotent: a value already hashed is kept, so a second run changes nothing. Migration
`core.0002` runs it once on upgrade; run it again after declaring a model's `personal_fields`
anew (`--dry-run` counts)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiceng.core.audit import scrub_old_entries


class Command(BaseCommand):
    help = "Replace personal values in old audit entries with their keyed hash (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Change nothing: count the entries to scrub."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        total = scrub_old_entries(dry_run=dry_run)
        verb = "Would scrub" if dry_run else "Scrubbed"
        noun = "entry" if total == 1 else "entries"
        self.stdout.write(f"{verb} {total} audit {noun}.")
