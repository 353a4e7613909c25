"""Rebuild the roll-up engine's summary rows from the raw facts, or check that the maintained
rows equal a rebuild (`--check`: exit 1 and list the differences when they do not)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import autodiscover_modules

from jiceng.core import rollups
from jiceng.core.actor import Actor


class Command(BaseCommand):
    help = "Rebuild summary rows of the roll-up measures, or check them against a rebuild."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--measure",
            action="append",
            default=[],
            help="A measure to rebuild (repeatable); every measure when left out.",
        )
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            default=None,
            help="Only this year (repeatable); every year when left out.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: compare the stored rows with a fresh computation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("measures")
        known = rollups.measures()
        names = options["measure"] or sorted(known)
        unknown = [name for name in names if name not in known]
        if unknown:
            raise CommandError(
                f"Unknown measure: {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        failed = False
        for name in names:
            measure = known[name]
            if options["check"]:
                diffs = rollups.differences(measure)
                for key, stored, computed in diffs[:20]:
                    self.stdout.write(f"{name} {key}: stored {stored}, computed {computed}")
                self.stdout.write(f"{name}: {len(diffs)} difference(s)")
                failed = failed or bool(diffs)
            else:
                started = time.monotonic()
                rows = rollups.rebuild(measure, actor=Actor.system(), years=options["year"])
                elapsed = time.monotonic() - started
                which = ", ".join(map(str, options["year"])) if options["year"] else "all years"
                self.stdout.write(f"{name}: rebuilt {rows:,} rows ({which}) in {elapsed:.1f} s")
        if failed:
            raise SystemExit(1)
