"""The audit log: personal data never in it (item 6), a page in the user's language and time
zone (item 24), and security events without an object (item 19)."""

import datetime
import hashlib
import hmac
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.activities.models import Complaint
from jiceng.activities.services.complaints import complaint_submit, complaint_transition
from jiceng.core import audit
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry

PHONE = "13955120012"
NAME = "王小明"

pytestmark = pytest.mark.django_db


def _submit(tree: Tree) -> Complaint:
    return complaint_submit(
        actor=Actor(user=None, source_address="203.0.113.9"),
        unit=tree.shushan,
        data={
            "kind": "complaint",
            "subject": "收费不合理",
            "content": "市场管理方多收了摊位费。",
            "submitter_name": NAME,
            "submitter_contact": PHONE,
        },
    )


def _after(entry: AuditEntry) -> dict[str, Any]:
    assert isinstance(entry.after, dict)
    return entry.after


def _before(entry: AuditEntry) -> dict[str, Any]:
    assert isinstance(entry.before, dict)
    return entry.before


def _table(body: str) -> str:
    return body.split('data-testid="audit"', 1)[1].split("</table>", 1)[0]


def _rows(body: str) -> list[str]:
    return re.findall(r"<tr[^>]*data-testid=\"entry\".*?</tr>", _table(body), re.S)


# --- item 6: personal data ------------------------------------------------------------------


def test_complaint_declares_its_personal_fields():
    assert {"submitter_name", "submitter_contact"} <= audit.personal_fields(Complaint)


def test_a_public_complaint_entry_keeps_a_keyed_hash_never_the_contact(tree: Tree, people: People):
    complaint = _submit(tree)
    entry = AuditEntry.objects.get(action="complaint.submit", object_id=str(complaint.pk))
    stored = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert PHONE not in stored and NAME not in stored
    assert _after(entry)["submitter_contact"] == audit.personal_hash(PHONE)
    assert _after(entry)["submitter_contact"].startswith(audit.PERSONAL_PREFIX)
    # Keyed: not a plain digest anyone could recompute over the 10^8 phones of a prefix.
    assert hashlib.sha256(PHONE.encode()).hexdigest()[:32] not in stored
    # Not personal: kept as it was.
    assert _after(entry)["subject"] == "收费不合理"

    body = client_for(people.hefei_admin, language="en").get(reverse("core:audit")).content
    page = body.decode()
    assert PHONE not in page and NAME not in page
    assert audit.PERSONAL_PREFIX not in page  # the hash is not shown either
    assert "Contact" in page or "contact" in page
    assert "not shown" in page


def test_a_transition_does_not_list_an_unchanged_personal_field(tree: Tree, people: People):
    complaint = _submit(tree)
    complaint_transition(
        actor=Actor(user=people.shushan_secretary),
        complaint=complaint,
        to_state="in_progress",
        response="已联系市场管理方。",
        expected_lock_version=complaint.lock_version,
    )
    entry = AuditEntry.objects.get(action="complaint.transition")
    assert _before(entry)["submitter_contact"] == _after(entry)["submitter_contact"]
    assert PHONE not in json.dumps([entry.before, entry.after])
    changed = {name for name, _old, _new in entry.changes()}
    assert "submitter_contact" not in changed and "state" in changed


def test_a_changed_personal_field_reads_as_changed_without_either_value(tree: Tree):
    complaint = _submit(tree)
    entry = audit_record(
        actor=Actor.system(),
        action="complaint.transition",
        unit=tree.shushan,
        obj=complaint,
        before={"submitter_contact": PHONE},
        after={"submitter_contact": "13800000000"},
    )
    assert _before(entry)["submitter_contact"] != _after(entry)["submitter_contact"]
    (change,) = audit.describe_changes(entry)
    assert change.personal
    assert PHONE not in (change.old + change.new) and "13800000000" not in change.new
    assert "changed" in change.note


def test_other_keys_can_be_declared_personal_per_entry(tree: Tree, people: People):
    """An identifier search records what was searched for only as a keyed hash."""
    entry = audit_record(
        actor=Actor(user=people.hefei_admin, source_address="198.51.100.4"),
        action="security.identifier_search",
        unit=people.hefei_admin.unit,
        after={"query": "340104199001011234", "results": 1},
        personal=("query",),
    )
    assert "340104199001011234" not in json.dumps(entry.after)
    assert _after(entry)["query"] == audit.personal_hash("340104199001011234")
    assert _after(entry)["results"] == 1


def test_the_hash_is_keyed_by_the_member_data_key_or_the_secret_key(settings):
    settings.MEMBER_DATA_KEY = ""
    with_secret = audit.personal_hash(PHONE)
    settings.SECRET_KEY = settings.SECRET_KEY + "-other"
    assert audit.personal_hash(PHONE) != with_secret
    settings.MEMBER_DATA_KEY = "A" * 43 + "="
    with_member_key = audit.personal_hash(PHONE)
    settings.SECRET_KEY = settings.SECRET_KEY + "-again"
    assert audit.personal_hash(PHONE) == with_member_key  # the member-data key wins
    # Equal values hash equal (so "unchanged" stays unchanged); hashing twice changes nothing.
    assert audit.personal_hash(with_member_key) == with_member_key
    assert audit.personal_hash("") == "" and audit.personal_hash(None) is None
    assert (
        with_member_key.removeprefix(audit.PERSONAL_PREFIX)
        != hmac.new(b"", PHONE.encode(), hashlib.sha256).hexdigest()[:32]
    )


def test_scrub_command_hashes_old_rows_and_is_idempotent(tree: Tree, people: People):
    complaint = _submit(tree)
    # An entry written before the fix: the contact in the clear.
    old = AuditEntry.objects.create(
        actor_name="system",
        unit=tree.shushan,
        action="complaint.submit",
        object_type="activities.complaint",
        object_id=str(complaint.pk),
        before={"submitter_contact": "", "state": "received"},
        after={"submitter_contact": PHONE, "submitter_name": NAME, "state": "received"},
    )
    unrelated = audit_record(
        actor=Actor.system(), action="rollups.rebuild", unit=None, after={"rows": 3}
    )
    out = StringIO()
    call_command("scrub_audit_personal_data", "--dry-run", stdout=out)
    assert "1" in out.getvalue()
    old.refresh_from_db()
    assert _after(old)["submitter_contact"] == PHONE  # a dry run changes nothing

    out = StringIO()
    call_command("scrub_audit_personal_data", stdout=out)
    old.refresh_from_db()
    assert old.after == {
        "submitter_contact": audit.personal_hash(PHONE),
        "submitter_name": audit.personal_hash(NAME),
        "state": "received",
    }
    assert old.before == {"submitter_contact": "", "state": "received"}
    unrelated.refresh_from_db()
    assert unrelated.after == {"rows": 3}
    assert "Scrubbed 1 audit entr" in out.getvalue()

    again = StringIO()
    call_command("scrub_audit_personal_data", stdout=again)
    old.refresh_from_db()
    assert _after(old)["submitter_contact"] == audit.personal_hash(PHONE)
    assert "Scrubbed 0 audit entr" in again.getvalue()


# --- item 24: the page in the user's language and time zone ---------------------------------


def test_field_keys_that_are_not_model_fields_read_as_labels(tree: Tree, people: People):
    audit_record(
        actor=Actor(user=people.national),
        action="rollups.rebuild",
        unit=tree.anhui,
        after={"measure": "dues", "rows": 12, "years": [2025, 2026], "units": "all"},
        object_repr="dues",
    )
    body = client_for(people.national, language="en").get(reverse("core:audit")).content.decode()
    changes = _table(body)
    for key in ("measure", "rows", "years", "units"):
        assert f"<strong>{key}</strong>" not in changes
    assert "<strong>Data rows</strong>" in changes
    assert "<strong>Years</strong>" in changes and "2025, 2026" in changes
    assert "Rebuild summary figures" in changes


def test_times_and_timestamps_inside_changes_are_in_local_time(tree: Tree, people: People):
    complaint = _submit(tree)
    received = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
    entry = audit_record(
        actor=Actor(user=people.shushan_secretary),
        action="complaint.transition",
        unit=tree.shushan,
        obj=complaint,
        before={"responded_at": None},
        after={"responded_at": received.isoformat()},
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=received)
    # Only this entry (the others were written now, whatever the clock says).
    body = (
        client_for(people.hefei_admin, language="en")
        .get(reverse("core:audit"), {"action": "complaint.transition"})
        .content
    )
    page = _table(body.decode())
    assert "2026-03-01 18:00" in page  # 10:00 UTC is 18:00 in Asia/Shanghai
    assert "10:00" not in page and "+00:00" not in page and "T10" not in page


def test_the_filter_is_a_select_of_labels_and_unknown_values_are_errors(tree: Tree, people: People):
    client = client_for(people.hefei_admin, language="en")
    body = client.get(reverse("core:audit"), {"action": "no.such.action"}).content.decode()
    assert '<option value="no.such.action"' not in body
    assert "Select a valid choice" in body or "not an action" in body
    assert 'data-testid="audit"' not in body  # an error, not an empty list

    body = client.get(reverse("core:audit"), {"action": "<b>x"}).content.decode()
    assert "<b>x" not in body

    body = client.get(reverse("core:audit"), {"unit": "3401"}).content.decode()
    assert "6-digit" in body
    assert 'data-testid="audit"' not in body

    body = client.get(reverse("core:audit"), {"unit": "<b>no such unit"}).content.decode()
    assert "No unit with a name like this in your area" in body and "<b>no" not in body
    assert 'data-testid="audit"' not in body


def test_the_unit_filter_takes_a_name_too(tree: Tree, people: People):
    audit_record(actor=Actor.system(), action="rollups.rebuild", unit=tree.shushan)
    audit_record(actor=Actor.system(), action="rollups.rebuild", unit=tree.baohe)
    audit_record(actor=Actor.system(), action="rollups.rebuild", unit=tree.xuanwu)
    client = client_for(people.hefei_admin, language="en")
    query = {"unit": " 蜀山 ", "action": "rollups.rebuild"}
    (row,) = _rows(client.get(reverse("core:audit"), query).content.decode())
    assert tree.shushan.name in row
    # Part of a name several units share: each of them in the user's area, none outside it.
    query = {"unit": "区个私协会", "action": "rollups.rebuild"}
    rows = _rows(client.get(reverse("core:audit"), query).content.decode())
    assert len(rows) == 2 and not any(tree.xuanwu.name in row for row in rows)
    outside = client.get(reverse("core:audit"), {"unit": "玄武"}).content.decode()
    assert "No unit with a name like this in your area" in outside


def test_a_unit_code_outside_the_users_area_is_the_same_error_as_no_such_unit(
    tree: Tree, people: People
):
    client = client_for(people.hefei_admin, language="en")
    outside = client.get(reverse("core:audit"), {"unit": tree.jiangsu.code}).content.decode()
    missing = client.get(reverse("core:audit"), {"unit": "999999"}).content.decode()
    assert "No unit with this code in your area" in outside
    assert "No unit with this code in your area" in missing
    assert tree.jiangsu.name not in outside

    audit_record(actor=Actor.system(), action="rollups.rebuild", unit=tree.shushan)
    audit_record(actor=Actor.system(), action="rollups.rebuild", unit=tree.baohe)
    inside = client.get(reverse("core:audit"), {"unit": tree.shushan.code}).content.decode()
    rows = _rows(inside)  # the fixture's own "create unit" entry, and the rebuild
    assert len(rows) == 2 and all(tree.shushan.name in row for row in rows)
    assert not any(tree.baohe.name in row for row in rows)
    both = {"unit": tree.shushan.code, "action": "rollups.rebuild"}
    (row,) = _rows(client.get(reverse("core:audit"), both).content.decode())
    assert tree.shushan.name in row and "Rebuild summary figures" in row


def test_an_empty_result_says_no_records_in_the_table(tree: Tree, people: People):
    client = client_for(people.hefei_admin, language="en")
    body = client.get(reverse("core:audit"), {"action": "unit.move"}).content.decode()
    assert "No records" in _table(body)


def test_the_table_is_stacked_and_sortable_with_a_label_on_every_cell(tree: Tree, people: People):
    audit_record(actor=Actor(user=people.national), action="rollups.rebuild", unit=tree.hefei)
    client = client_for(people.hefei_admin, language="en")
    body = client.get(reverse("core:audit"), {"action": "rollups.rebuild"}).content
    page = body.decode()
    table_tag = re.search(r"<table[^>]*data-testid=\"audit\"[^>]*>", page)
    assert table_tag is not None
    assert "table-stack" in table_tag.group(0) and "data-sortable" in table_tag.group(0)
    (row,) = _rows(page)
    cells = re.findall(r"<td[^>]*>", row)
    assert len(cells) == 7
    assert all("data-label=" in cell for cell in cells)
    assert 'data-label="Unit"' in row


# --- item 19: security events ---------------------------------------------------------------


def test_security_actions_are_registered():
    from jiceng.core import actions

    for code in (
        "security.sign_in",
        "security.sign_in_failed",
        "security.locked_out",
        "security.unlocked",
        "security.sign_out",
        "security.mfa_enabled",
        "security.mfa_disabled",
        "security.mfa_reset",
        "security.recovery_code_used",
        "security.reauthenticated",
        "security.session_ended",
        "security.identifier_search",
        "security.export",
        "security.existence_probe",
    ):
        assert actions.is_registered(code), code
    assert actions.label_for("security.sign_in") == "Signed in"


def test_security_events_read_well_and_can_be_filtered(tree: Tree, people: People):
    user = people.shushan_secretary
    audit_record(
        actor=Actor(user=user, source_address="198.51.100.7"),
        action="security.sign_in",
        unit=user.unit,
        object_repr=user.username,
    )
    audit_record(
        actor=Actor(user=None, source_address="198.51.100.8"),
        action="security.sign_in_failed",
        unit=user.unit,
        after={"username": user.username},
    )
    audit_record(actor=Actor(user=user), action="rollups.rebuild", unit=user.unit)
    client = client_for(people.hefei_admin, language="en")

    body = client.get(reverse("core:audit"), {"action": "security.sign_in"}).content.decode()
    (row,) = _rows(body)
    assert "Signed in" in row and "198.51.100.7" in row and tree.shushan.name in row

    body = client.get(reverse("core:audit"), {"action": "security."}).content.decode()
    rows = _rows(body)
    assert len(rows) == 2
    assert '<option value="security." selected>All security events</option>' in body
    assert "Sign-in failed" in body and "198.51.100.8" in body


def test_entries_without_a_unit_are_seen_at_the_root_only(tree: Tree, people: People):
    audit_record(
        actor=Actor(user=None, source_address="192.0.2.1"),
        action="security.sign_in_failed",
        unit=None,
        after={"username": "nobody"},
    )
    national = client_for(people.national, language="en").get(reverse("core:audit")).content
    assert "192.0.2.1" in national.decode()
    province = client_for(people.anhui_admin, language="en").get(reverse("core:audit")).content
    assert "192.0.2.1" not in province.decode()


def test_every_action_belongs_to_a_group_with_a_label():
    """The filter offers each group under a translated label, so none may be missing one."""
    from jiceng.core import actions

    for group in actions.action_groups():
        assert group.label, f"register_group({group.prefix[:-1]!r}, ...) in core/audit_actions.py"
        assert actions.group_label(group.prefix) == str(group.label)


def test_the_migration_scrubs_existing_rows(tree: Tree):
    """Upgrading scrubs the rows already there (core.0002 runs the command's function)."""
    import importlib

    from django.apps import apps as global_apps

    migration = importlib.import_module("jiceng.core.migrations.0002_scrub_audit_personal_data")
    complaint = _submit(tree)
    old = AuditEntry.objects.create(
        actor_name="system",
        unit=tree.shushan,
        action="complaint.submit",
        object_type="activities.complaint",
        object_id=str(complaint.pk),
        after={"submitter_contact": PHONE, "state": "received"},
    )
    migration.scrub(global_apps, None)
    old.refresh_from_db()
    assert _after(old) == {"submitter_contact": audit.personal_hash(PHONE), "state": "received"}


#: Models with a phone or identifier field whose audit entries do not hash it, and why.
NOT_HASHED = {
    "org.unit": "the association's office phone and contact, shown on its public page",
    "members.member": "its service masks the phone and ID number (members.services.audit_snapshot)",
}
PERSONAL_NAMES = ("phone", "mobile", "id_number", "contact")


def test_every_model_with_a_phone_or_id_number_keeps_it_out_of_the_log():
    from django.apps import apps

    for model in apps.get_models():
        label = model._meta.label_lower
        personal = {
            f.name
            for f in model._meta.concrete_fields
            if any(word in f.name for word in PERSONAL_NAMES)
            and f.get_internal_type() != "BooleanField"
        }
        if not personal or label in NOT_HASHED:
            continue
        assert personal <= audit.personal_fields(model), (
            f"{label}: personal_fields = {tuple(sorted(personal))} (or say why not in NOT_HASHED)"
        )


def test_a_profile_phone_is_kept_as_a_keyed_hash(tree: Tree, people: People):
    from jiceng.org.models.profile import StaffMember

    entry = audit_record(
        actor=Actor(user=people.shushan_secretary),
        action="profile.staffmember.update",
        unit=tree.shushan,
        obj=StaffMember(unit=tree.shushan, name="李华"),
        before={"phone": ""},
        after={"phone": PHONE},
    )
    assert _after(entry)["phone"] == audit.personal_hash(PHONE)
