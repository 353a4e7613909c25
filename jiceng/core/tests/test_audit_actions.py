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


def _constants(module: ast.Module) -> dict[str, str]:
    """The module's top-level string constants (`MEMBER_ACTION = "member.import"`)."""
    found: dict[str, str] = {}
    for node in module.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.update((t.id, value.value) for t in targets if isinstance(t, ast.Name))
    return found


def _codes(node: ast.expr, constants: dict[str, str] | None = None) -> list[str | re.Pattern[str]]:
    """The codes an `action=` expression may take: literals, the module's string constants,
    both sides of a conditional, and f-strings as a pattern (their formatted parts stand for
    one or more code characters)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and constants and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _codes(node.body, constants) + _codes(node.orelse, constants)
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
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_writer(node):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    rel = str(path.relative_to(SOURCE.parent))
                    codes = _codes(keyword.value, constants)
                    found.extend((rel, node.lineno, code) for code in codes)
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


def test_the_walk_reads_module_constants_and_refuses_what_it_cannot_read():
    module = ast.parse(
        'ACTION = "member.import"\n'
        "audit_record(action=ACTION)\n"
        'AuditEntry(action="a.b" if x else f"c.{y}")\n'
        "audit_record(action=code)\n"
    )
    constants = _constants(module)
    calls = [n for n in ast.walk(module) if isinstance(n, ast.Call) and _is_writer(n)]
    assert _codes(calls[0].keywords[0].value, constants) == ["member.import"]
    first, second = _codes(calls[1].keywords[0].value, constants)
    assert first == "a.b" and isinstance(second, re.Pattern) and second.match("c.d_e")
    with pytest.raises(AssertionError, match="cannot read an action code from 'code'"):
        _codes(calls[2].keywords[0].value, constants)


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
    # A group is offered under its translated label, never as the raw prefix (issue 9, 24).
    assert '<option value="member." selected>All member actions</option>' in body


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


def _literal_keys() -> list[tuple[str, int, str | re.Pattern[str], str]]:
    """(where, line, code, key) for each key of a literal before/after dict in the source."""
    found: list[tuple[str, int, str | re.Pattern[str], str]] = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path == AUDIT_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_writer(node):
                continue
            given = {k.arg: k.value for k in node.keywords if k.arg}
            if "action" not in given:
                continue
            keys = [
                key.value
                for side in ("before", "after")
                if isinstance(given.get(side), ast.Dict)
                for key in given[side].keys  # type: ignore[attr-defined]
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            ]
            rel = str(path.relative_to(SOURCE.parent))
            for code in _codes(given["action"]):
                found.extend((rel, node.lineno, code, key) for key in keys)
    return found


def test_every_key_an_entry_writes_reads_as_a_label():
    """Keys of before/after that are no model's field ("rows", "step") have a label, so the
    log never shows the key itself (issue 9, item 24)."""
    field_names = {
        f.name
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if getattr(f, "verbose_name", None) and f.concrete
    }
    found = _literal_keys()
    assert len(found) > 20, "the walk found too few keys: is it still reading them?"
    missing = [
        f"{where}:{line} {key}"
        for where, line, code, key in found
        if key not in field_names
        and actions.field_label(code if isinstance(code, str) else "", key) is None
    ]
    assert not missing, "label these keys (register(..., fields=) or register_field_labels): " + (
        ", ".join(missing)
    )


def test_coded_values_read_as_labels(tree: Tree, people: People):
    from jiceng.core.audit import describe_changes

    entry = audit_record(
        actor=Actor(user=people.hefei_admin, source_address="198.51.100.4"),
        action="security.sign_in",
        unit=tree.hefei,
        after={"second_factor": "totp"},
    )
    with translation.override("en"):
        (change,) = describe_changes(entry)
    assert (change.label, change.new) == ("Second factor", "authenticator app")
    unmask = AuditEntry(action="member.unmask", after={"fields": ["id_number", "phone"]})
    with translation.override("en"):
        (change,) = describe_changes(unmask)
    assert change.new == "ID number, phone"


SECURITY_CODE = re.compile(r"""["'](security\.[a-z_]+)["']""")
#: These name the codes to check that they are registered and rendered; they record nothing.
REGISTRY_TESTS = {"test_audit_actions.py", "test_audit_log.py"}


def _security_codes_in(paths: list[Path]) -> set[str]:
    return {
        code for path in paths for code in SECURITY_CODE.findall(path.read_text(encoding="utf-8"))
    }


def _sources(*, tests: bool) -> list[Path]:
    roots = [SOURCE, Path(settings.BASE_DIR) / "tests"] if tests else [SOURCE]
    return [
        path
        for root in roots
        for path in root.rglob("*.py")
        if ("tests" in path.parts) == tests
        and path.name not in REGISTRY_TESTS
        and path.name != "audit_actions.py"
        and "migrations" not in path.parts
    ]


def _security_registered() -> set[str]:
    return {a.code for a in actions.registered_actions() if a.code.startswith("security.")}


def test_every_security_code_in_the_source_is_registered_and_labelled():
    """Issue 9, item 19: every security event the source names ("security.…") is declared
    with a label of its own."""
    used = _security_codes_in(_sources(tests=False))
    assert {"security.sign_in", "security.identifier_search"} <= used, "is the walk reading?"
    assert used <= _security_registered(), used - _security_registered()
    for code in _security_registered():
        assert actions.label_for(code) != code, code


def test_every_registered_security_event_is_written_and_recorded_by_a_test():
    registered = _security_registered()
    written = _security_codes_in(_sources(tests=False))
    tested = _security_codes_in(_sources(tests=True))
    assert not registered - written, f"registered, never written: {registered - written}"
    assert not registered - tested, f"no test records: {registered - tested}"
