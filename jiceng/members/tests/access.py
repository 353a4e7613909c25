"""Access-matrix cases for the member pages (see jiceng/core/tests/access.py)."""

from types import SimpleNamespace

from django.core.files.base import ContentFile

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.tests.access import UNIT, Case, pk_of
from jiceng.members.imports.service import member_import_start, run_check, run_inspect
from jiceng.members.models import ExportFormat, ExportState, MemberExport

from .factories import make_member

MEMBER = pk_of("member")
IMPORT = pk_of("member_import")
EXPORT = pk_of("member_export")

CASES: dict[str, Case] = {
    "members:list": Case("object", kwargs=UNIT),
    "members:create": Case("object", Perm.MEMBER_EDIT, kwargs=UNIT),
    "members:export_csv": Case("object", Perm.EXPORT, kwargs=UNIT),
    "members:export_start": Case(
        "object", Perm.EXPORT, "post", UNIT, data=lambda o: {"file_format": "csv"}
    ),
    "members:import_upload": Case("object", Perm.MEMBER_EDIT, kwargs=UNIT),
    "members:import_list": Case("object", Perm.MEMBER_EDIT, kwargs=UNIT),
    "members:detail": Case("object", kwargs=MEMBER),
    "members:edit": Case("object", Perm.MEMBER_EDIT, kwargs=MEMBER),
    "members:move": Case("object", Perm.MEMBER_EDIT, kwargs=MEMBER),
    "members:unmask": Case("object", Perm.MEMBER_UNMASK, "post", MEMBER),
    "members:import": Case("object", Perm.MEMBER_EDIT, kwargs=IMPORT),
    "members:import_configure": Case("object", Perm.MEMBER_EDIT, "post", IMPORT),
    "members:import_commit": Case("object", Perm.MEMBER_EDIT, "post", IMPORT),
    "members:import_resume": Case("object", Perm.MEMBER_EDIT, "post", IMPORT),
    "members:import_report": Case("object", Perm.MEMBER_EDIT, kwargs=IMPORT),
    "members:export": Case("object", Perm.EXPORT, kwargs=EXPORT),
    "members:export_download": Case("object", Perm.EXPORT, kwargs=EXPORT),
    "api:member-list": Case("list", marker=lambda o: o.member.business_name),
    "api:member-detail": Case("object", kwargs=MEMBER),
}

ROSTER = "字号名称,经营者,统一社会信用代码\n城关小吃店,张三,\n,李四,\n".encode()


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    objects.member = make_member(tree.branch, business_name="城关分会某商户")
    job = member_import_start(
        actor=Actor.system(),
        unit=tree.branch,
        upload=ContentFile(ROSTER, name="roster.csv"),
        name="roster.csv",
        default_member_type="individual",
        enqueue=False,
    )
    run_inspect(job)
    job.state = "validating"
    run_check(job, viewer=None)
    objects.member_import = job
    export = MemberExport(
        unit=tree.branch, file_format=ExportFormat.CSV, state=ExportState.DONE, progress_total=1
    )
    export.file.save("members.csv", ContentFile(b"\xef\xbb\xbfname\n"), save=False)
    export.save()
    objects.member_export = export
