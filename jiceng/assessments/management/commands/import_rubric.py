"""`manage.py import_rubric FILE --name NAME [--json]`: import a rubric sheet (评分细则).

Prints what was read — criteria (top-level items), indicators (scorable leaves), points (the
total without bonus items) and every problem by the sheet's row number — and exits 0 when
imported, 1 when refused for problems in rows, 2 for a file that is no usable workbook.
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiceng.core.actor import Actor

from ...rubric_import import UnusableRubric
from ...services import rubric_import


class Command(BaseCommand):
    help = "Import a rubric (评分细则) from an Excel sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True, help="The rubric's name.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        as_json: bool = options["json"]
        if not path.is_file():
            self._unusable(f"{path}: no such file", as_json)
        try:
            rubric, read = rubric_import(actor=Actor.system(), path=path, name=options["name"])
        except UnusableRubric as exc:
            self._unusable(str(exc), as_json)
        summary = read.summary()
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(
                f"criteria {summary['criteria']}, indicators {summary['indicators']}, "
                f"points {summary['points']}"
            )
            for problem in summary["errors"]:
                self.stdout.write(f"row {problem['row']}: {problem['message']}")
            if rubric is not None:
                self.stdout.write(f"imported as {rubric}")
        sys.exit(0 if rubric is not None else 1)

    def _unusable(self, message: str, as_json: bool) -> None:
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "criteria": 0,
                        "indicators": 0,
                        "points": 0,
                        "errors": [],
                        "unusable": message,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stderr.write(message)
        sys.exit(2)
