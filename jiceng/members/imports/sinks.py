"""Where checked batches go: the preview's problem list, the database in this process, or the
database through a second process.

A large commit is split over two processes: this one reads the file and checks each row (pure
Python), a writer process looks up the members the rows name, decides and writes (mostly the
database's own time). Two processes rather than two threads because both halves would
otherwise queue for the one interpreter lock; rows cross in batches, as compact tuples.
"""

import abc
import contextlib
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from . import child
from .pipeline import COMMIT, Counts, ImportRun, Outcome
from .rows import Problem, Row

#: Rosters shorter than this are written here: starting a writer process costs a second or two.
PROCESS_MIN_ROWS = 50_000


class Refused(Exception):
    """Raised inside the all-or-nothing transaction to roll it back."""


class WriterFailed(RuntimeError):
    """The writer process stopped: its batches up to the last checkpoint are written."""


class Sink(abc.ABC):
    @abc.abstractmethod
    def put(self, rows: list[Row], *, through: int, skipped: int) -> None: ...

    @abc.abstractmethod
    def finish(self) -> Outcome: ...

    def abort(self) -> None:
        return None


def sink_for(run: ImportRun, *, resume_from: int) -> Sink:
    """A writer process for a large import outside any transaction; this process otherwise
    (inside a caller's transaction a second connection could not see its uncommitted rows)."""
    if connection.in_atomic_block or run.total < PROCESS_MIN_ROWS:
        return Here(run, resume_from=resume_from)
    return WriterProcess(run, resume_from=resume_from)


class Here(Sink):
    """Checks, decides and writes in this process."""

    def __init__(self, run: ImportRun, *, resume_from: int):
        self.run = run
        self.outcome = run.start(resume_from)
        self.rejected = 0
        self.transaction = transaction.atomic() if run.atomic else None
        if self.transaction is not None:
            self.transaction.__enter__()

    def put(self, rows: list[Row], *, through: int, skipped: int) -> None:
        prepared = self.run.prepare(rows, through=through, skipped=skipped)
        self.rejected += prepared.counts.rejected
        if not self.run.write:
            self.run.save_preview(prepared, self.outcome)
        elif self.transaction is not None:
            self.run.write_in_transaction(prepared, self.outcome)
        else:
            self.run.commit_batch(prepared, self.outcome)

    def finish(self) -> Outcome:
        if self.transaction is None:
            return self.outcome
        refused = self.rejected > 0
        atomic, self.transaction = self.transaction, None
        if refused:
            atomic.__exit__(Refused, Refused(), None)
        else:
            atomic.__exit__(None, None, None)
        return self.run.finish_atomic(self.outcome, refused=refused)

    def abort(self) -> None:
        if self.transaction is not None:
            atomic, self.transaction = self.transaction, None
            atomic.__exit__(Refused, Refused(), None)


# --- the writer process ---------------------------------------------------------------------


def encode(rows: list[Row]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples (dates as ordinals): a third of the cost of pickling the objects."""
    out = []
    for r in rows:
        values = r.values
        joined = values.get("join_date")
        if joined is not None:
            values = {**values, "join_date": joined.toordinal()}
        problems = tuple((p.field, p.code, p.severity, p.value, p.params) for p in r.problems)
        out.append((r.number, r.error, values, r.id_number, r.id_legacy, r.phone_kind, problems))
    return out


def decode(items: list[tuple[Any, ...]]) -> list[Row]:
    import datetime

    rows = []
    for number, error, values, id_number, id_legacy, phone_kind, problems in items:
        joined = values.get("join_date")
        if joined is not None:
            values["join_date"] = datetime.date.fromordinal(joined)
        rows.append(
            Row(
                number=number,
                values=values,
                id_number=id_number,
                id_legacy=id_legacy,
                phone_kind=phone_kind,
                problems=[Problem(*p) for p in problems],
                error=error,
            )
        )
    return rows


class WriterProcess(Sink):
    """Hands each batch to a writer process (`python -m jiceng.members.imports.child`) over a
    pipe: one batch in the pipe while the one before is written; a full pipe holds the reader
    back. A reader that dies closes the pipe, and the writer stops; a writer that dies breaks
    it, and the reader stops."""

    def __init__(self, run: ImportRun, *, resume_from: int):
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        self.process = subprocess.Popen(  # noqa: S603  (our own module, our own arguments)
            [sys.executable, "-m", child.__name__, str(child_reads), str(child_writes)],
            pass_fds=(child_reads, child_writes),
            env=env,
            cwd=settings.BASE_DIR,
        )
        os.close(child_reads)
        os.close(child_writes)
        self.outgoing = os.fdopen(parent_writes, "wb")
        self.incoming = os.fdopen(parent_reads, "rb")
        self._send(
            {
                "database": {k: v for k, v in connection.settings_dict.items() if k != "TEST"},
                "job": run.job.pk,
                "phase": run.phase,
                "viewer": run.viewer.pk if run.viewer is not None else None,
                "resume_from": resume_from,
                "total": run.total,
            }
        )

    def put(self, rows: list[Row], *, through: int, skipped: int) -> None:
        self._send(("rows", encode(rows), through, skipped))

    def finish(self) -> Outcome:
        self._send(("finish",))
        reply = child.receive(self.incoming)
        self._close()
        if reply is None or reply[0] == "error":
            raise WriterFailed(reply[1] if reply else self._ended())
        counts, touched, refused = reply[1]
        return Outcome(counts=Counts(**counts), touched_units=set(touched), refused=refused)

    def abort(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                child.send(self.outgoing, ("abort",))
        self._close()

    def _send(self, message: Any) -> None:
        try:
            child.send(self.outgoing, message)
        except (BrokenPipeError, ConnectionResetError):
            reply = child.receive(self.incoming)
            self._close()
            raise WriterFailed(reply[1] if reply else self._ended()) from None

    def _close(self) -> None:
        for stream in (self.outgoing, self.incoming):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _ended(self) -> str:
        return f"the writer process ended (exit code {self.process.wait()})"


def serve(init: dict[str, Any], incoming: Any, outgoing: Any) -> None:
    """The writer process's loop: batches until told to finish, abort, or the pipe closes."""
    from jiceng.accounts.models import User

    from ..models import MemberImport
    from .pipeline import lean_connection

    job = MemberImport.objects.select_related("unit").get(pk=init["job"])
    viewer = User.objects.filter(pk=init["viewer"]).first() if init["viewer"] else None
    run = ImportRun(job, phase=init["phase"], viewer=viewer)
    run.total = init["total"]
    with lean_connection():
        _writer_connection(init["phase"])
        sink = Here(run, resume_from=init["resume_from"])
        try:
            while True:
                message = child.receive(incoming)
                if message is None:  # the reader is gone: stop, as if killed
                    raise WriterFailed("the reading process ended")
                if message[0] == "rows":
                    sink.put(decode(message[1]), through=message[2], skipped=message[3])
                elif message[0] == "finish":
                    outcome = sink.finish()
                    counts = outcome.counts.as_dict()
                    touched = sorted(outcome.touched_units)
                    child.send(outgoing, ("done", (counts, touched, outcome.refused)))
                    return
                else:
                    raise WriterFailed("aborted by the reading process")
        except BaseException:
            sink.abort()
            raise
        finally:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _writer_connection(phase: str) -> None:
    """The writer's SQLite connection copies the write-ahead log into the database once, at
    the end, instead of at every batch's commit (that copying cost more than the inserts)."""
    if connection.vendor == "sqlite" and phase == COMMIT:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
