"""Checking and committing a roster, batch by batch.

One pass over the rows does everything: parse and check each row (`rows.py`), then per batch
of valid rows look up the members they name (by credit code nationwide, by name and operator
inside the target unit for rows without a code), decide create / update / unchanged / refused,
and — when committing — write the batch with the engine's bulk path (`core/bulk.py`).

Durability:
- valid-only: each batch commits in its own transaction together with the job's counters and
  its checkpoint (the last source row it covers). A process killed mid-import loses at most the
  batch in flight; running the job again skips rows up to the checkpoint (still reading them,
  to know their credit codes) and ends in the same state as an uninterrupted run.
- all-or-nothing: the whole import is one transaction, rolled back if any row fails; progress
  then reaches the page through the cache (see core/jobs.py).

Where the batches go — checked only, or written here, or written by a second process while
this one reads on — is `sinks.py`'s business.

Existing members: the check records every member a row would change, field by field (old →
new, personal fields masked), as the job's "changes" (`ImportProblem` rows of that phase, one
per member); the person then chooses to update them or leave them as they are (`EXISTING_*`,
kept in the job's preview). Each member an import changes gets an audit entry of its own
(`member.import`, with the old and new values of the fields that changed, personal ones
masked), in the shape `core.audit.audit_record` gives and written in bulk in the batch's
transaction, so its history shows the import. New rows cost none of this.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jiceng.core import bulk
from jiceng.core.actions import check_registered
from jiceng.core.actor import Actor
from jiceng.core.audit import personal_fields, scrub_personal
from jiceng.core.models import AuditEntry
from jiceng.core.validators import mask_phone
from jiceng.org.anchors import anchors_of
from jiceng.org.models import Unit

from .. import crypto
from ..identifiers import mask_id_number
from ..models import ImportMode, ImportProblem, Member, MemberImport, MemberStatus
from ..validation import MEMBER_LEVELS, credit_code_taken_params, member_flags
from .errors import UnusableInput
from .layout import Layout
from .readers import Roster, open_roster
from .rows import ERROR, Problem, Row, RowParser, unit_keys
from .seen import SeenKeys, mark_duplicate, row_key

if TYPE_CHECKING:
    from jiceng.accounts.models import User

    from .sinks import Sink

BATCH_ROWS = 25_000
PREVIEW, COMMIT = "preview", "commit"
#: The phase of the job's list of members the import would change.
CHANGES = "changes"
#: What the import does to existing members it would change (the person's choice).
EXISTING_UPDATE, EXISTING_SKIP = "update", "skip"

#: Columns written for a new member, in order.
INSERT_FIELDS = (
    "unit",
    "grassroots",
    "province",
    "member_type",
    "business_name",
    "operator",
    "credit_code",
    "registration_number",
    "id_number_encrypted",
    "id_number_index",
    "id_number_legacy",
    "phone",
    "industry",
    "address",
    "join_date",
    "status",
    "flags",
    "last_import",
    "created_at",
    "updated_at",
    "lock_version",
)
#: Columns an update may change (an import never moves a member: that is its own action).
UPDATE_FIELDS = (
    "member_type",
    "business_name",
    "operator",
    "credit_code",
    "registration_number",
    "id_number_encrypted",
    "id_number_index",
    "id_number_legacy",
    "phone",
    "industry",
    "address",
    "join_date",
    "status",
    "flags",
    "last_import",
    "updated_at",
)
#: Fields compared to tell an update from an unchanged row.
COMPARED = (
    "member_type",
    "business_name",
    "operator",
    "credit_code",
    "registration_number",
    "id_number_index",
    "id_number_legacy",
    "phone",
    "industry",
    "address",
    "join_date",
    "status",
    "flags",
)
EXISTING_VALUES = ("id", "unit_id", "unit__path", "id_number_encrypted", *COMPARED)
#: Fields listed when a member changes (the others follow from them), in the order shown.
LISTED = (
    "business_name",
    "operator",
    "member_type",
    "credit_code",
    "registration_number",
    "id_number",
    "phone",
    "industry",
    "address",
    "join_date",
    "status",
)


def existing_choice(job: MemberImport) -> str:
    """Whether the import updates the existing members it would change, or skips them."""
    return EXISTING_SKIP if job.preview.get("existing") == EXISTING_SKIP else EXISTING_UPDATE


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Outcome:
    counts: Counts
    refused: bool = False
    touched_units: set[int] = field(default_factory=set)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def member_units(target: Unit) -> list[Unit]:
    """The units a roster for `target` may put members in: target and its sub-units."""
    return list(Unit.objects.subtree(target).filter(level__in=MEMBER_LEVELS))


class ImportRun:
    """One pass over a roster for a job: `phase` is PREVIEW (check only) or COMMIT."""

    def __init__(
        self,
        job: MemberImport,
        *,
        phase: str,
        viewer: "User | None",
        roster: Roster | None = None,
    ):
        self.job = job
        self.roster = roster
        self.phase = phase
        self.write = phase == COMMIT
        self.atomic = self.write and job.mode == ImportMode.ALL_OR_NOTHING
        self.viewer = viewer
        self.target: Unit = job.unit
        self.layout = Layout(
            sheet=job.sheet_name,
            header_row=job.header_row or 0,
            columns=job.columns,
            mapping={int(k): v for k, v in job.mapping.items()},
        )
        self.field_column = {f: i for i, f in self.layout.mapping.items()}
        self.now = timezone.now()
        self.adapt = bulk.adapter(connection)
        self.stored_now = self.adapt["datetime"](self.now)
        self.stored_json: dict[tuple[str, ...], Any] = {}
        self.units = member_units(self.target)
        self.anchors = _anchors(self.units)
        self.held: list[Problem] = []  # all-or-nothing: problems written after the rollback
        self.problem_rows: list[ImportProblem] = []
        self.skip_existing = self.write and existing_choice(job) == EXISTING_SKIP
        check_registered("member.import")  # the action of each member entry (`_audit_entry`)
        self.actor_name = Actor(user=viewer).name
        self.personal = personal_fields(Member)

    # --- the pass ---------------------------------------------------------------------------

    def execute(self) -> Outcome:
        from .sinks import sink_for

        if "business_name" not in self.layout.mapping.values():
            raise UnusableInput("no_business_name_column")
        if self.roster is None and not self.job.file:
            raise UnusableInput("file_expired", name=self.job.original_name)
        roster = self.roster or open_roster(Path(self.job.file.path), name=self.job.original_name)
        self.total = roster.row_estimate(self.layout.sheet)
        resume_from = self.job.checkpoint_row if self.write and not self.atomic else 0
        sink = sink_for(self, resume_from=resume_from)
        try:
            with lean_connection():
                self._pass(roster, sink, resume_from=resume_from)
            return sink.finish()
        except BaseException:
            sink.abort()
            raise

    def start(self, resume_from: int) -> Outcome:
        """Counters to start from (a resumed commit's, or none), and the first progress."""
        outcome = Outcome(counts=self._counts_at_start(resume_from))
        self.job.report_progress(resume_from, self.total)
        return outcome

    def finish_atomic(self, outcome: Outcome, *, refused: bool) -> Outcome:
        """After the all-or-nothing transaction: what was refused, and every problem found."""
        if refused:
            outcome.refused = True
            outcome.touched_units.clear()
            counts = outcome.counts
            counts.created = counts.updated = counts.unchanged = 0
        self._save_problems(self.problem_rows)
        return outcome

    def _counts_at_start(self, resume_from: int) -> Counts:
        if not resume_from:
            phases = [self.phase] if self.write else [self.phase, CHANGES]
            ImportProblem.objects.filter(job=self.job, phase__in=phases).delete()
            return Counts()
        job = self.job
        return Counts(
            rows=job.rows_total,
            created=job.created_count,
            updated=job.updated_count,
            unchanged=job.unchanged_count,
            rejected=job.rejected_count,
            warnings=job.warning_count,
            skipped=job.skipped_count,
        )

    def _rows(self, roster: Roster) -> Iterator[tuple[int, list[Any]]]:
        for number, values in roster.rows(self.layout.sheet):
            if number > self.layout.header_row:
                yield number, values

    def _pass(self, roster: Roster, sink: "Sink", *, resume_from: int) -> None:
        """Read and check every row, handing each batch to the sink. Rows up to `resume_from`
        (a resumed commit) are read and checked again, so their keys count for duplicates, but
        not handed on."""
        parser = RowParser(
            layout=self.layout,
            default_member_type=self.job.default_member_type,
            units=unit_keys(self.units),
            target_name=self.target.name,
            today=timezone.localdate(),
        )
        pending: list[Row] = []
        skipped = 0
        last = resume_from
        with SeenKeys(self.job.pk) as seen:
            for number, values in self._rows(roster):
                last = number
                if parser.is_skipped(values):
                    if number > resume_from:
                        skipped += 1
                    continue
                pending.append(parser.parse(number, values))
                if len(pending) >= BATCH_ROWS:
                    batch = self._new_rows(pending, seen, resume_from)
                    pending = []
                    if batch:
                        sink.put(batch, through=number, skipped=skipped)
                        skipped = 0
            sink.put(self._new_rows(pending, seen, resume_from), through=last, skipped=skipped)

    @staticmethod
    def _new_rows(rows: list[Row], seen: "SeenKeys", resume_from: int) -> list[Row]:
        """Mark later occurrences of a key in the file as duplicates; drop replayed rows."""
        keyed = [(key, row) for row in rows if not row.error and (key := row_key(row))]
        first = seen.first_rows([(key, row.number) for key, row in keyed])
        for key, row in keyed:
            if first[key] != row.number:
                mark_duplicate(row, first[key])
        return [row for row in rows if row.number > resume_from]

    # --- one batch --------------------------------------------------------------------------

    def prepare(self, batch: list[Row], *, through: int, skipped: int) -> "Prepared":
        """Look up the members the batch names and decide what each row does."""
        prepared = Prepared(rows=batch, through=through, counts=Counts(skipped=skipped))
        valid = [r for r in batch if not r.error]
        by_code, holders = self._lookup_codes(valid)
        by_name = self._lookup_names(valid)
        for row in valid:
            self._decide(row, by_code, holders, by_name, prepared)
        counts = prepared.counts
        for row in batch:
            counts.rows += 1
            if row.error:
                counts.rejected += 1
            elif any(p.severity != ERROR for p in row.problems):
                counts.warnings += 1
            prepared.problems.extend(self._problem_rows(row))
        return prepared

    def commit_batch(self, prepared: "Prepared", outcome: Outcome) -> None:
        """Write one batch durably with the job's counters and checkpoint (valid-only)."""
        for attempt in range(3):
            try:
                with transaction.atomic():
                    self._write(prepared.creates, prepared.updates, prepared.audits)
                    self._save_problems(prepared.problems)
                    merged = Counts(**outcome.counts.as_dict())
                    self._add(merged, prepared.counts)
                    self._checkpoint(merged, prepared.through)
                break
            except IntegrityError:
                # Another writer took a credit code between our lookup and our insert: look
                # again (those rows now fail as taken) and write the batch again.
                if attempt == 2:
                    raise
                prepared = self.prepare(
                    prepared.rows, through=prepared.through, skipped=prepared.counts.skipped
                )
        outcome.counts = merged
        outcome.touched_units |= prepared.touched

    def write_in_transaction(self, prepared: "Prepared", outcome: Outcome) -> None:
        """Write one batch inside the all-or-nothing transaction; problems wait for its end.
        Progress reaches the page through the cache: the job's row would be hidden inside."""
        self.problem_rows.extend(prepared.problems)
        self._write(prepared.creates, prepared.updates, prepared.audits)
        self._add(outcome.counts, prepared.counts)
        outcome.touched_units |= prepared.touched
        self.job.publish_progress(prepared.through, self.total)

    def save_preview(self, prepared: "Prepared", outcome: Outcome) -> None:
        self._save_problems(prepared.problems)
        self._add(outcome.counts, prepared.counts)
        self.job.report_progress(prepared.through, self.total)

    def _decide(
        self,
        row: Row,
        by_code: dict[str, dict[str, Any]],
        holders: dict[str, dict[str, Any]],
        by_name: dict[tuple[str, str], dict[str, Any]],
        prepared: "Prepared",
    ) -> None:
        values = row.values
        code = values.get("credit_code", "")
        if code:
            existing = by_code.get(code)
        else:
            existing = by_name.get((values["business_name"], values.get("operator", "")))
        status = values.get("status") or (existing["status"] if existing else MemberStatus.ACTIVE)
        holder = holders.get(code) if code else None
        if (
            holder is not None
            and status == MemberStatus.ACTIVE
            and (existing is None or holder["id"] != existing["id"])
        ):
            unit = Unit(name=holder["unit__name"], path=holder["unit__path"])
            row.add(
                Problem(
                    "credit_code",
                    "credit_code_taken",
                    ERROR,
                    code,
                    credit_code_taken_params(
                        code=code,
                        holder_name=holder["business_name"],
                        holder_unit=unit,
                        viewer=self.viewer,
                    ),
                )
            )
            return
        if row.id_number:
            values["id_number_index"] = crypto.blind_index(row.id_number)
            values["id_number_legacy"] = row.id_legacy
        if existing is None:
            self._create(row, status, prepared)
        else:
            self._update(row, existing, status, prepared)

    def _create(self, row: Row, status: str, prepared: "Prepared") -> None:
        v = row.values
        unit_id = v.get("unit_id", self.target.pk)
        province_id, grassroots_id = self.anchors[unit_id]
        flags = member_flags(
            member_type=v["member_type"],
            credit_code=v.get("credit_code", ""),
            phone_kind=row.phone_kind,
            join_date=v.get("join_date"),
            id_legacy=row.id_legacy,
        )
        prepared.counts.created += 1
        prepared.touched.add(unit_id)
        if not self.write:
            return
        now = self.stored_now
        prepared.creates.append(
            (
                unit_id,
                grassroots_id,
                province_id,
                v["member_type"],
                v["business_name"],
                v.get("operator", ""),
                v.get("credit_code", ""),
                v.get("registration_number", ""),
                crypto.encrypt(row.id_number) if row.id_number else None,
                v.get("id_number_index", ""),
                row.id_legacy,
                v.get("phone", ""),
                v.get("industry", ""),
                v.get("address", ""),
                self.adapt["date"](v.get("join_date")),
                status,
                self._json(flags),
                self.job.pk,
                now,
                now,
                1,
            )
        )

    def _update(
        self, row: Row, existing: dict[str, Any], status: str, prepared: "Prepared"
    ) -> None:
        merged = {name: existing[name] for name in COMPARED}
        for name, value in row.values.items():
            if name in merged:
                merged[name] = value
        merged["status"] = status
        merged["flags"] = member_flags(
            member_type=merged["member_type"],
            credit_code=merged["credit_code"],
            phone_kind=row.phone_kind or _phone_kind(merged["phone"]),
            join_date=merged["join_date"],
            id_legacy=merged["id_number_legacy"],
        )
        if all(merged[name] == existing[name] for name in COMPARED):
            prepared.counts.unchanged += 1
            return
        if self.skip_existing:
            prepared.counts.unchanged += 1  # left as it is, as the person chose
            return
        prepared.counts.updated += 1
        prepared.touched.add(existing["unit_id"])
        before, after = self._changes(existing, merged, row)
        if not self.write:
            prepared.problems.append(self._change_row(row, existing, before, after))
            return
        prepared.audits.append(self._audit_entry(existing, merged, before, after))
        encrypted = (
            crypto.encrypt(row.id_number) if row.id_number else existing["id_number_encrypted"]
        )
        prepared.updates.append(
            (
                merged["member_type"],
                merged["business_name"],
                merged["operator"],
                merged["credit_code"],
                merged["registration_number"],
                encrypted,
                merged["id_number_index"],
                merged["id_number_legacy"],
                merged["phone"],
                merged["industry"],
                merged["address"],
                self.adapt["date"](merged["join_date"]),
                merged["status"],
                self._json(merged["flags"]),
                self.job.pk,
                self.stored_now,
                existing["id"],
            )
        )

    @staticmethod
    def _changes(
        existing: dict[str, Any], merged: dict[str, Any], row: Row
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The listed fields that change, as (old values, new values), JSON-ready; the phone
        and the ID number only masked."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name in LISTED:
            if name == "id_number":
                if merged["id_number_index"] == existing["id_number_index"]:
                    continue
                encrypted = existing["id_number_encrypted"]
                old = mask_id_number(crypto.decrypt(encrypted)) if encrypted else ""
                new = mask_id_number(row.id_number) if row.id_number else ""
            else:
                old, new = existing[name], merged[name]
                if old == new:
                    continue
                if name == "phone":
                    old, new = (mask_phone(old) if old else ""), (mask_phone(new) if new else "")
            before[name] = old.isoformat() if hasattr(old, "isoformat") else old
            after[name] = new.isoformat() if hasattr(new, "isoformat") else new
        return before, after

    def _audit_entry(
        self,
        existing: dict[str, Any],
        merged: dict[str, Any],
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> AuditEntry:
        """The member's entry as `core.audit.audit_record` writes one (the same action, shape
        and personal-data rule: the member's personal fields as a keyed hash, on top of the
        masking), built here to be written in bulk with the batch."""
        return AuditEntry(
            actor=self.viewer,
            actor_name=self.actor_name,
            unit_id=existing["unit_id"],
            action="member.import",
            object_type=Member._meta.label_lower,
            object_id=str(existing["id"]),
            object_repr=merged["business_name"][:255],
            before=scrub_personal(before, self.personal),
            after=scrub_personal(after, self.personal),
        )

    def _change_row(
        self, row: Row, existing: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
    ) -> ImportProblem:
        """One member the import would change, for the preview's list."""
        return ImportProblem(
            job_id=self.job.pk,
            phase=CHANGES,
            row=row.number,
            severity="change",
            code="member_changed",
            value=str(existing["business_name"])[:200],
            params={
                "member": existing["id"],
                "changes": [[name, before[name], after[name]] for name in before],
            },
        )

    def _json(self, flags: list[str]) -> Any:
        key = tuple(flags)
        stored = self.stored_json.get(key)
        if stored is None:
            stored = self.stored_json[key] = self.adapt["json"](flags)
        return stored

    # --- lookups ----------------------------------------------------------------------------

    def _lookup_codes(
        self, rows: list[Row]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """(members to update, by code: in the target's subtree, active ones first) and
        (active holders of the codes anywhere, by code)."""
        codes = self._codes_on_record(
            [r.values["credit_code"] for r in rows if r.values.get("credit_code")]
        )
        if not codes:
            return {}, {}
        found = list(
            Member.objects.filter(credit_code__in=codes)
            .order_by("credit_code", "-id")
            .values(*EXISTING_VALUES, "unit__name")
        )
        prefix = self.target.path
        mine: dict[str, dict[str, Any]] = {}
        holders: dict[str, dict[str, Any]] = {}
        for member in found:
            code = member["credit_code"]
            active = member["status"] == MemberStatus.ACTIVE
            if active:
                holders[code] = member
            if member["unit__path"].startswith(prefix):
                current = mine.get(code)
                if current is None or (active and current["status"] != MemberStatus.ACTIVE):
                    mine[code] = member
        return mine, holders

    @staticmethod
    def _codes_on_record(codes: list[str]) -> list[str]:
        """Which of these credit codes any member has: an index-only probe in plain SQL, so a
        batch of new members (the usual case) costs one cheap query and no ORM work."""
        table = connection.ops.quote_name(Member._meta.db_table)
        sql = f"SELECT DISTINCT credit_code FROM {table} WHERE credit_code {{in}}"  # noqa: S608
        with connection.cursor() as cursor:
            return [code for (code,) in bulk.select_in(cursor, sql, codes)]

    def _lookup_names(self, rows: list[Row]) -> dict[tuple[str, str], dict[str, Any]]:
        """Members without a credit code in the target's subtree, by (name, operator)."""
        names = {r.values["business_name"] for r in rows if not r.values.get("credit_code")}
        if not names:
            return {}
        found = (
            Member.objects.in_subtree(self.target)
            .filter(credit_code="", business_name__in=names)
            .order_by("id")
            .values(*EXISTING_VALUES)
        )
        result: dict[tuple[str, str], dict[str, Any]] = {}
        for member in found:
            result.setdefault((member["business_name"], member["operator"]), member)
        return result

    # --- writing ----------------------------------------------------------------------------

    def _write(
        self,
        creates: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        audits: list[AuditEntry],
    ) -> None:
        if creates:
            bulk.insert_rows(connection, Member, INSERT_FIELDS, creates)
        if updates:
            bulk.update_rows(
                connection,
                Member,
                UPDATE_FIELDS,
                updates,
                extra_set='"lock_version" = "lock_version" + 1',
            )
        if audits:
            AuditEntry.objects.bulk_create(audits, batch_size=1000)

    def _problem_rows(self, row: Row) -> list[ImportProblem]:
        return [
            ImportProblem(
                job_id=self.job.pk,
                phase=self.phase,
                row=row.number,
                column=self._column(p.field),
                field=p.field,
                severity=p.severity,
                code=p.code,
                value=str(p.value)[:200],
                params=p.params,
            )
            for p in row.problems
        ]

    def _column(self, field_name: str) -> str:
        index = self.field_column.get(field_name)
        return self.layout.column_label(index)[:120] if index is not None else ""

    def _save_problems(self, problems: list[ImportProblem]) -> None:
        if problems:
            ImportProblem.objects.bulk_create(problems, batch_size=1000)

    @staticmethod
    def _add(into: Counts, more: Counts) -> None:
        for name, value in more.as_dict().items():
            setattr(into, name, getattr(into, name) + value)

    def _checkpoint(self, counts: Counts, through: int) -> None:
        """Counters, checkpoint and progress, in the batch's own transaction."""
        self.job.checkpoint_row = through
        self.job.rows_total = counts.rows
        self.job.created_count = counts.created
        self.job.updated_count = counts.updated
        self.job.unchanged_count = counts.unchanged
        self.job.rejected_count = counts.rejected
        self.job.warning_count = counts.warnings
        self.job.skipped_count = counts.skipped
        self.job.report_progress(
            through,
            self.total,
            checkpoint_row=through,
            rows_total=counts.rows,
            created_count=counts.created,
            updated_count=counts.updated,
            unchanged_count=counts.unchanged,
            rejected_count=counts.rejected,
            warning_count=counts.warnings,
            skipped_count=counts.skipped,
        )


def unmap() -> None:
    """No memory-mapped reads on this SQLite connection: an import touches every page of a
    growing file, and mapped pages would count against the job's memory for nothing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size=0")


@contextmanager
def lean_connection() -> Iterator[None]:
    """This thread's connection without memory-mapped reads for the import, then as before."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        mmap = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA temp_store")
        temp_store = int(cursor.fetchone()[0])
        # The import's temporary table (SeenKeys) goes to a file, not to memory. (SQLite
        # allows the change only outside a transaction: a caller's one keeps its setting.)
        outside = not connection.in_atomic_block
        if outside:
            cursor.execute("PRAGMA temp_store=FILE")
    unmap()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size={mmap}")
            if outside:
                cursor.execute(f"PRAGMA temp_store={temp_store}")


def _phone_kind(phone: str) -> str:
    from jiceng.core.validators import normalize_phone

    return normalize_phone(phone)[0] if phone else ""


def _anchors(units: list[Unit]) -> dict[int, tuple[int, int]]:
    """unit id → (province id, grassroots id) for units at or below a grassroots association."""
    return {
        unit_id: (int(a.province_id), int(a.grassroots_id))  # type: ignore[arg-type]
        for unit_id, a in anchors_of(units).items()
    }


@dataclass
class Prepared:
    """A checked batch, ready to write."""

    rows: list[Row]
    through: int
    counts: Counts
    creates: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    problems: list[ImportProblem] = field(default_factory=list)
    #: One audit entry per member the batch changes (committing only).
    audits: list[AuditEntry] = field(default_factory=list)
