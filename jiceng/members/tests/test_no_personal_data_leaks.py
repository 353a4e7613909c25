"""The property issue 9 asks for: to a user who did not unmask, no response of any member page
(lists, search results, htmx fragments, forms, imports, exports) and no log line written while
answering it holds a full ID number or a full phone of a member.

A sweep, per role that may not unmask, over every member URL (from the access matrix's cases),
each search shape by GET and by POST, with and without htmx, and the export flows to the file."""

import logging
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.tests.jobs import run_jobs
from jiceng.members.imports.service import member_import_start, run_check, run_inspect
from jiceng.members.models import MemberExport

from . import access
from .factories import id_number, make_member

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "reviewer", "hefei_admin", "anhui_admin", "national"]
PHONES = ["13712345678", "15955120012"]


def _secrets(objects: SimpleNamespace) -> list[str]:
    return [*PHONES, *objects.id_numbers]


def _make(tree: Tree) -> SimpleNamespace:
    objects = SimpleNamespace(tree=tree)
    access.make_objects(tree, objects)
    numbers = [id_number(), id_number()]
    objects.id_numbers = numbers
    objects.people = [
        make_member(tree.branch, business_name="城关豆腐坊", phone=PHONES[0], id_number=numbers[0]),
        make_member(tree.group, business_name="小组修车铺", phone=PHONES[1], id_number=numbers[1]),
    ]
    roster = (
        "字号名称,经营者,联系电话,身份证号\n"
        f"城关新店,王五,{PHONES[0]},{numbers[0]}\n"
        f"城关错店,赵六,1595512001,{numbers[1][:-1]}0\n"
    ).encode()
    job = member_import_start(
        actor=Actor.system(),
        unit=tree.branch,
        upload=ContentFile(roster, name="roster.csv"),
        name="roster.csv",
        default_member_type="individual",
        enqueue=False,
    )
    run_inspect(job)
    job.state = "validating"
    run_check(job, viewer=None)
    objects.member_import = job
    return objects


def _queries(objects: SimpleNamespace) -> list[str]:
    number = objects.id_numbers[0]
    return [PHONES[0], PHONES[0][:7], PHONES[1][:9], number, number[:14], "城关"]


def _urls(objects: SimpleNamespace, user) -> list[tuple[str, str]]:
    urls = []
    for name, case in access.CASES.items():
        if case.method != "get" or (case.perm is not None and not user.can(case.perm)):
            continue
        kwargs = case.kwargs(objects) if case.kwargs else {}
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return response.content.decode("utf-8", "replace")


def _check(label: str, response, secrets: list[str], caplog) -> None:
    body = _body(response)
    lines = " ".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in body, f"{label}: {secret} in the response"
        assert secret not in lines, f"{label}: {secret} in a log line"
    caplog.clear()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_log_line_holds_a_full_identifier(tree: Tree, people: People, role: str, caplog):
    caplog.set_level(logging.DEBUG)
    objects = _make(tree)
    secrets = _secrets(objects)
    user = getattr(people, role)
    client: Client = client_for(user)
    list_url = reverse("members:list", kwargs={"pk": tree.branch.pk})
    csv_url = reverse("members:export_csv", kwargs={"pk": tree.branch.pk})
    caplog.clear()

    for name, url in _urls(objects, user):
        _check(name, client.get(url), secrets, caplog)
        _check(f"{name} (htmx)", client.get(url, headers={"HX-Request": "true"}), secrets, caplog)
    for member in objects.people:
        _check(
            "detail",
            client.get(reverse("members:detail", kwargs={"pk": member.pk})),
            secrets,
            caplog,
        )
        _check(
            "unmask",
            client.post(reverse("members:unmask", kwargs={"pk": member.pk})),
            secrets,
            caplog,
        )
        if user.can(Perm.MEMBER_EDIT):
            _check(
                "edit",
                client.get(reverse("members:edit", kwargs={"pk": member.pk})),
                secrets,
                caplog,
            )
    for query in _queries(objects):
        for label, response in [
            ("search GET", client.get(list_url, {"q": query})),
            ("search GET htmx", client.get(list_url, {"q": query}, headers={"HX-Request": "true"})),
            ("search POST", client.post(list_url, {"q": query}, follow=True)),
            (
                "search POST htmx",
                client.post(list_url, {"q": query}, headers={"HX-Request": "true"}),
            ),
            ("csv GET", client.get(csv_url, {"q": query})),
            ("csv POST", client.post(csv_url, {"q": query})),
            ("csv unmasked", client.get(csv_url, {"q": query, "unmasked": "1"})),
        ]:
            _check(f"{label} {query}", response, secrets, caplog)

    for file_format in ["csv", "xlsx"]:
        start = client.post(
            reverse("members:export_start", kwargs={"pk": tree.branch.pk}),
            {"file_format": file_format, "unmasked": "on"},
        )
        _check(f"export start unmasked {file_format}", start, secrets, caplog)
        start = client.post(
            reverse("members:export_start", kwargs={"pk": tree.branch.pk}),
            {"file_format": file_format},
        )
        _check(f"export start {file_format}", start, secrets, caplog)
        run_jobs()
        job = MemberExport.objects.filter(created_by=user).latest("id")
        for name in ["members:export", "members:export_download"]:
            response = client.get(reverse(name, kwargs={"pk": job.pk}))
            assert response.status_code == 200, name
            _check(f"{name} {file_format}", response, secrets, caplog)
