"""Export the members of a unit and its subtree as .xlsx or .csv.

ID numbers and phones are masked unless --unmask is given; an unmasked export is written to the
audit log (who ran it is the operating-system user, recorded with the command).
"""

import getpass
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from jiceng.core.actor import Actor
from jiceng.members.exports import (
    audit_unmasked_export,
    csv_chunks,
    export_rows,
    write_xlsx,
)
from jiceng.members.selectors import MemberFilters
from jiceng.org.models import Unit


class Command(BaseCommand):
    help = "Export the members of a unit and its subtree to .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Unit code, e.g. 340104.")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", type=Path, default=None, help="Default: standard output.")
        parser.add_argument(
            "--unmask",
            action="store_true",
            help="Full ID numbers and phones (written to the audit log).",
        )
        parser.add_argument("--language", default=None, help="Language of headers (zh-hans, en).")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit with code {options['unit']}.")
        filters = MemberFilters()
        with translation.override(options["language"] or translation.get_language()):
            if options["unmask"]:
                audit_unmasked_export(
                    actor=Actor.system(),
                    unit=unit,
                    filters=filters,
                    how=f"export_members by {getpass.getuser()}",
                )
            rows = export_rows(unit=unit, filters=filters, unmasked=options["unmask"])
            output: Path | None = options["output"]
            if options["format"] == "csv":
                self._csv(rows, output)
            else:
                self._xlsx(rows, output)

    def _csv(self, rows: Any, output: Path | None) -> None:
        if output is None:
            out = sys.stdout
            for chunk in csv_chunks(rows):
                out.write(chunk)
            out.flush()
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in csv_chunks(rows):
                handle.write(chunk)

    def _xlsx(self, rows: Any, output: Path | None) -> None:
        if output is not None:
            write_xlsx(rows, str(output))
            return
        # An .xlsx is a zip written with seeks: build it in a temporary file, then copy it out.
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "members.xlsx"
            write_xlsx(rows, str(path))
            with path.open("rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            sys.stdout.buffer.flush()
