"""Import a roster from the command line: the same pipeline as the page, without a preview.

Exit status: 0 the import ran (in valid-only mode even with rejected rows), 1 an all-or-nothing
import was refused because some rows are invalid, 2 the input is unusable (not a spreadsheet,
unsafe, empty, no header, unknown unit).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from jiceng.core.actor import Actor
from jiceng.members.imports.errors import UnusableInput
from jiceng.members.imports.problems import render
from jiceng.members.imports.service import failure_text, run_inline
from jiceng.members.models import ImportMode, ImportProblem, ImportState, MemberType
from jiceng.members.validation import holds_members
from jiceng.org.models import Unit


class Command(BaseCommand):
    help = "Import a member roster (.xlsx, .xls or .csv) into a unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--unit",
            required=True,
            help="Unit code: a grassroots association's 6-digit division code (蜀山区 → "
            "340104), or a branch's or group's code.",
        )
        parser.add_argument(
            "--mode",
            choices=[m.value for m in ImportMode],
            default=ImportMode.VALID_ONLY.value,
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--sheet", default=None, help="Worksheet name (default: detected).")
        parser.add_argument(
            "--default-type",
            choices=[t.value for t in MemberType],
            default="",
            help="Member type for rows that give none and whose credit code does not tell.",
        )
        parser.add_argument("--language", default=None, help="Language of messages (zh-hans, en).")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or translation.get_language()):
            code = self._run(options)
        sys.exit(code)

    def _run(self, options: dict[str, Any]) -> int:
        as_json = options["json"]
        path: Path = options["file"]
        unit = Unit.objects.filter(code=options["unit"]).first()
        try:
            if unit is None or not holds_members(unit):
                raise UnusableInput("unknown_unit", unit_code=options["unit"])
            if not path.is_file():
                raise UnusableInput("unreadable", name=str(path), format="file", detail="not found")
            job = run_inline(
                actor=Actor.system(),
                unit=unit,
                path=path,
                mode=options["mode"],
                default_member_type=options["default_type"],
                sheet=options["sheet"],
            )
        except UnusableInput as exc:
            return self._unusable(exc.code, exc.message, as_json)
        if job.state == ImportState.FAILED:
            return self._unusable(job.failure_code, failure_text(job), as_json)
        problems = list(job.problems.filter(phase="commit").order_by("row", "id"))
        self._report(job, problems, as_json)
        return 1 if job.state == ImportState.REFUSED else 0

    def _unusable(self, code: str, message: str, as_json: bool) -> int:
        if as_json:
            error = {"row": None, "field": "", "code": code, "message": message}
            self._print_json({"errors": [error], "warnings": []})
        else:
            self.stderr.write(message)
        return 2

    def _report(self, job: Any, problems: list[ImportProblem], as_json: bool) -> None:
        def item(p: ImportProblem) -> dict[str, Any]:
            return {
                "row": p.row,
                "field": p.field,
                "code": p.code,
                "message": render(p.code, p.params),
            }

        errors = [item(p) for p in problems if p.severity == "error"]
        warnings = [item(p) for p in problems if p.severity == "warning"]
        if as_json:
            self._print_json(
                {
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                    "rejected": job.rejected_count,
                    "errors": errors,
                    "warnings": warnings,
                }
            )
            return
        for p in errors:
            self.stderr.write(f"row {p['row']} {p['field']}: {p['message']}")
        for p in warnings:
            self.stdout.write(f"row {p['row']} {p['field']} (warning): {p['message']}")
        verdict = "refused" if job.state == ImportState.REFUSED else "imported"
        self.stdout.write(
            f"{verdict}: created {job.created_count}, updated {job.updated_count}, "
            f"unchanged {job.unchanged_count}, rejected {job.rejected_count}, "
            f"skipped {job.skipped_count} rows"
        )

    def _print_json(self, data: dict[str, Any]) -> None:
        base = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        self.stdout.write(json.dumps({**base, **data}, ensure_ascii=False))
