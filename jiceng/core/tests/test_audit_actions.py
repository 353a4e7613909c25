"""The registry of audit actions: every code written is declared with a label people read."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from conftest import People, Tree, client_for
from jiceng.core import actions
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.org.models import Venue
from jiceng.org.models.profile import ProfileItem

SOURCE = Path(settings.BASE_DIR) / "jiceng"
AUDIT_MODULE = SOURCE / "core" / "audit.py"  # audit_record itself passes its argument on
WRITERS = {"audit_record"}  # functions whose `action=` is an audit action code


def _is_writer(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name in WRITERS:
        return True
    # AuditEntry.objects.create(action=...) / AuditEntry(action=...) outside audit_record.
    return "AuditEntry" in ast.unparse(func)


def _codes(node: ast.expr) -> list[str | re.Pattern[str]]:
    """The codes an `action=` expression may take: literals, both sides of a conditional, and
    f-strings as a pattern (their formatted parts stand for one or more code characters)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(str(v.value)) if isinstance(v, ast.Constant) else r"[a-z_.]+"
            for v in node.values
        ]
        return [re.compile("".join(parts) + "$")]
    raise AssertionError(f"cannot read an action code from {ast.unparse(node)!r}")


def _source_actions() -> list[tuple[str, int, str | re.Pattern[str]]]:
    found: list[tuple[str, int, str | re.Pattern[str]]] = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path == AUDIT_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_writer(node):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    rel = str(path.relative_to(SOURCE.parent))
                    found.extend((rel, node.lineno, code) for code in _codes(keyword.value))
    return found


def test_every_action_code_in_the_source_is_registered():
    found = _source_actions()
    assert len(found) > 40, "the walk found too few audit_record calls: is it still reading them?"
    codes = [a.code for a in actions.registered_actions()]
    missing = []
    for where, line, code in found:
        if isinstance(code, str):
            ok = actions.is_registered(code)
        else:
            ok = any(code.match(c) for c in codes)
        if not ok:
            missing.append(f"{where}:{line} {getattr(code, 'pattern', code)}")
    assert not missing, "register these in the app's audit_actions.py: " + ", ".join(missing)


def test_every_profile_section_has_its_create_update_delete_registered():
    """org/services.py writes `profile.<model_name>.<verb>` for each ProfileItem model."""
    models = [m for m in apps.get_models() if issubclass(m, ProfileItem)]
    assert len(models) >= 7
    for model in models:
        for verb in ("create", "update", "delete"):
            assert actions.is_registered(f"profile.{model._meta.model_name}.{verb}"), model
    assert actions.is_registered("profile.venue.update")


def test_every_recognition_kind_has_its_create_update_delete_registered():
    from jiceng.activities.services.recognition import ACTION

    for prefix in ACTION.values():
        for verb in ("create", "update", "delete"):
            assert actions.is_registered(f"{prefix}.{verb}")


def test_every_label_is_a_lazy_translation_and_the_codes_fit_the_column():
    registered = actions.registered_actions()
    assert {"account.token.create", "account.token.revoke", "member.unmask"} <= {
        a.code for a in registered
    }
    max_length = AuditEntry._meta.get_field("action").max_length
    for action in registered:
        assert isinstance(action.label, Promise), f"{action.code}: mark its label gettext_lazy"
        assert max_length is not None and len(action.code) <= max_length
    assert actions.label_for("profile.venue.update") == "Edit venue"
    assert actions.label_for("unit.move") == "Move unit"
    assert actions.label_for("member.unmask") == "View full ID number and phone"


def test_an_unknown_code_reads_as_itself():
    assert actions.label_for("old.retired.action") == "old.retired.action"


def test_register_refuses_a_second_declaration_and_a_malformed_code(monkeypatch):
    monkeypatch.setattr(actions, "_registry", dict(actions._registry))
    actions.register("test.thing", "Do a thing")
    with pytest.raises(ValueError, match="already registered"):
        actions.register("test.thing", "Do it again")
    for bad in ("nodot", "Unit.Move", "unit..move", "unit.move.", "a." + "x" * 70):
        with pytest.raises(ValueError, match="malformed"):
            actions.register(bad, "Bad")


@pytest.mark.django_db
def test_audit_record_refuses_an_unregistered_action(tree: Tree):
    with pytest.raises(ValueError, match=r"unregistered audit action 'unit\.teleport'"):
        audit_record(actor=Actor.system(), action="unit.teleport", unit=tree.hefei)
    assert not AuditEntry.objects.filter(action="unit.teleport").exists()


def _venue_entry(tree: Tree, people: People) -> AuditEntry:
    venue = Venue.objects.get(unit=tree.shushan)
    return audit_record(
        actor=Actor(user=people.shushan_secretary),
        action="profile.venue.update",
        unit=tree.shushan,
        obj=venue,
        before={"address": ""},
        after={"address": "长江西路1号"},
    )


def _cells(body: str) -> list[str]:
    return re.findall(r'data-testid="action">([^<]*)<', body)


def test_audit_page_and_history_show_the_label_not_the_code(tree: Tree, people: People):
    _venue_entry(tree, people)
    client = client_for(people.hefei_admin, language="en")

    audit = client.get(reverse("core:audit")).content.decode()
    assert "Edit venue" in _cells(audit)
    assert not any(actions.CODE_RE.match(cell) for cell in _cells(audit))
    table = audit.split('data-testid="audit"')[1]
    assert "profile.venue.update" not in table
    # The filter offers the labels; the values are the codes.
    assert '<option value="profile.venue.update">Edit venue</option>' in audit
    assert '<option value="unit.move">Move unit</option>' in audit

    history_url = reverse("org:unit", kwargs={"pk": tree.shushan.pk}) + "?tab=history"
    history = client.get(history_url).content.decode()
    assert "Edit venue" in _cells(history)
    assert not any(actions.CODE_RE.match(cell) for cell in _cells(history))
    assert "profile.venue.update" not in history


def test_audit_filter_by_code_is_exact_and_a_prefix_still_works(tree: Tree, people: People):
    actor = Actor(user=people.national)
    audit_record(actor=actor, action="member.import", unit=tree.shushan)
    audit_record(actor=actor, action="member.import.resume", unit=tree.shushan)
    client = client_for(people.national, language="en")

    body = client.get(reverse("core:audit"), {"action": "member.import"}).content.decode()
    assert _cells(body) == ["Import members"]
    assert '<option value="member.import" selected>Import members</option>' in body

    body = client.get(reverse("core:audit"), {"action": "member."}).content.decode()
    assert sorted(_cells(body)) == ["Import members", "Resume member import"]
    assert '<option value="member." selected>member.</option>' in body


def test_a_chinese_page_shows_the_label_in_chinese(tree: Tree, people: People):
    """Chinese is the default language. Whether the catalogue has the label yet is the
    translators' part (test_i18n); here the page shows the gettext'd label, not the code."""
    _venue_entry(tree, people)
    client = client_for(people.hefei_admin)
    with translation.override("zh-hans"):
        expected = actions.label_for("profile.venue.update")
    audit = client.get(reverse("core:audit")).content.decode()
    assert 'lang="zh-hans"' in audit
    assert expected in _cells(audit)
    history_url = reverse("org:unit", kwargs={"pk": tree.shushan.pk}) + "?tab=history"
    assert expected in _cells(client.get(history_url).content.decode())
    if expected != "Edit venue":  # once the catalogue has it, no English label remains
        assert "Edit venue" not in _cells(audit)
