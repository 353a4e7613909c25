"""The public complaint page: members without an account, scripts kept out."""

import datetime
import hashlib
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Tree, with_language
from jiceng.activities import antiabuse
from jiceng.activities.models import Complaint
from jiceng.core.errors import DomainError
from jiceng.core.models import AuditEntry
from jiceng.org.models import Unit

from .helpers import old_stamp, public_data


def _url(unit: Unit) -> str:
    return reverse("activities:public_complaint_new", kwargs={"code": unit.code})


def _post(unit: Unit, address: str = "203.0.113.9", **extra):
    return with_language(Client(REMOTE_ADDR=address), "en").post(
        _url(unit), public_data(unit, **extra)
    )


# --- The signed timestamp ----------------------------------------------------------------------


def test_a_stamp_a_person_could_have_filled_in_passes(tree: Tree):
    now = time.time()
    stamp = antiabuse.form_stamp(tree.shushan.pk, now=now - 60)
    antiabuse.check_form_stamp(stamp, tree.shushan.pk, now=now)


@pytest.mark.parametrize(
    ("age", "code"),
    [(0, "form_too_fast"), (2.9, "form_too_fast"), (2 * 3600 + 1, "form_expired")],
)
def test_too_fast_or_stale_forms_are_refused(tree: Tree, age: float, code: str):
    now = time.time()
    stamp = antiabuse.form_stamp(tree.shushan.pk, now=now - age)
    with pytest.raises(DomainError) as exc:
        antiabuse.check_form_stamp(stamp, tree.shushan.pk, now=now)
    assert exc.value.code == code


def test_forged_missing_or_other_units_stamps_are_refused(tree: Tree):
    stamp = old_stamp(tree.shushan)
    for bad, unit_pk in [
        (stamp[:-2] + "xx", tree.shushan.pk),
        ("", tree.shushan.pk),
        (stamp, tree.branch.pk),
    ]:
        with pytest.raises(DomainError) as exc:
            antiabuse.check_form_stamp(bad, unit_pk)
        assert exc.value.code == "form_invalid"


def test_the_source_hash_is_keyed_and_never_the_address():
    digest = antiabuse.source_hash("203.0.113.9")
    assert digest == antiabuse.source_hash("203.0.113.9")
    assert digest != antiabuse.source_hash("203.0.113.10")
    assert digest != hashlib.sha256(b"203.0.113.9").hexdigest()  # not reversible without the key
    assert "203.0.113.9" not in digest


# --- The page ----------------------------------------------------------------------------------


def test_a_member_submits_and_gets_a_reference(tree: Tree):
    response = _post(tree.branch)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.unit_id == tree.branch.pk
    assert complaint.channel == "public" and complaint.kind == "help_request"
    assert complaint.source_hash == antiabuse.source_hash("203.0.113.9", "13900001111")
    stored = [str(getattr(complaint, f.attname)) for f in Complaint._meta.concrete_fields]
    assert not any("203.0.113.9" in value for value in stored)
    thanks = Client().get(response["Location"])
    assert thanks.status_code == 200
    assert complaint.reference in thanks.content.decode()
    entry = AuditEntry.objects.get(action="complaint.submit")
    assert entry.actor is None and entry.actor_name == "public"
    assert entry.source_address == "203.0.113.9"


def test_the_form_page_opens_without_an_account(tree: Tree):
    response = Client().get(_url(tree.shushan))
    body = response.content.decode()
    assert response.status_code == 200
    assert "蜀山区个私协会" in body
    assert f'name="{antiabuse.HONEYPOT_FIELD}"' in body and 'class="hp-field"' in body
    assert 'name="stamp"' in body
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_honeypot_filled_is_refused_and_nothing_stored(tree: Tree):
    response = _post(tree.branch, **{antiabuse.HONEYPOT_FIELD: "http://spam.example"})
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert not Complaint.objects.exists()


def test_submitting_faster_than_a_person_is_refused(tree: Tree):
    response = _post(tree.branch, stamp=antiabuse.form_stamp(tree.branch.pk))
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    # The text is kept, so the member only has to send it again.
    assert "想了解个体工商户创业担保贷款怎么申请" in response.content.decode()


def test_a_stale_form_is_refused_and_given_a_fresh_stamp(tree: Tree):
    stale = antiabuse.form_stamp(tree.branch.pk, now=time.time() - 3 * 3600)
    response = _post(tree.branch, stamp=stale)
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    assert stale not in response.content.decode()


def test_a_sixth_message_within_the_hour_from_one_address_is_refused(tree: Tree):
    for _ in range(antiabuse.SOURCE_LIMIT):
        assert _post(tree.branch).status_code == 302
    response = _post(tree.branch)
    assert response.status_code == 429
    assert Complaint.objects.count() == antiabuse.SOURCE_LIMIT
    # Another address, or another unit, is not held back.
    assert _post(tree.branch, address="198.51.100.1").status_code == 302
    assert _post(tree.shushan).status_code == 302
    # An hour later the address may write again.
    hour_ago = timezone.now() - antiabuse.SOURCE_WINDOW - datetime.timedelta(seconds=1)
    Complaint.objects.filter(unit=tree.branch).update(received_at=hour_ago)
    assert _post(tree.branch).status_code == 302


@pytest.mark.parametrize("which", ["unknown", "city", "province", "dissolved", "group"])
def test_only_active_grassroots_associations_and_branches_take_complaints(tree: Tree, which):
    if which == "unknown":
        code = "999999"
    elif which == "dissolved":
        Unit.objects.filter(pk=tree.baohe.pk).update(status="dissolved")
        code = tree.baohe.code
    else:
        code = {"city": tree.hefei, "province": tree.anhui, "group": tree.group}[which].code
    url = reverse("activities:public_complaint_new", kwargs={"code": code})
    assert Client().get(url).status_code == 404
    assert Client().post(url, {}).status_code == 404


def test_a_missing_subject_is_shown_next_to_the_field(tree: Tree):
    response = _post(tree.branch, subject="")
    assert response.status_code == 200
    assert 'data-field="subject"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_thank_you_page_needs_a_signed_reference(tree: Tree):
    url = reverse("activities:public_complaint_thanks", kwargs={"code": tree.branch.code})
    response = Client().get(url + "?r=20250101-FAKE00")
    assert response.status_code == 302
    assert response["Location"] == _url(tree.branch)


# --- Behind the production proxy (issue 9, item 20) ------------------------------------------


def _post_via_proxy(unit: Unit, client_address: str, **extra):
    """Every request comes from the proxy; the proxy appends the client's address."""
    return with_language(
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address), "en"
    ).post(_url(unit), public_data(unit, **extra))


def test_citizens_behind_the_proxy_are_told_apart_by_the_trusted_header(tree: Tree, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(antiabuse.SOURCE_LIMIT + 3):
        assert _post_via_proxy(tree.branch, f"203.0.113.{i + 1}").status_code == 302
    # One citizen is still limited, whatever they write to the left of the proxy's entry.
    for _ in range(antiabuse.SOURCE_LIMIT - 1):
        assert _post_via_proxy(tree.branch, "203.0.113.1").status_code == 302
    assert _post_via_proxy(tree.branch, "6.6.6.6, 203.0.113.1").status_code == 429
    entry = AuditEntry.objects.filter(action="complaint.submit").first()
    assert entry is not None and (entry.source_address or "").startswith("203.0.113.")


def test_without_the_header_setting_a_forged_header_is_ignored(tree: Tree, settings):
    settings.TRUSTED_PROXY_HEADER = ""
    for i in range(antiabuse.SOURCE_LIMIT):
        assert _post_via_proxy(tree.branch, f"203.0.113.{i + 1}").status_code == 302
    assert _post_via_proxy(tree.branch, "203.0.113.99").status_code == 429


def test_people_sharing_one_address_are_limited_each_and_together(tree: Tree, monkeypatch):
    """One office NAT address: different people (contacts) each get their own allowance, up to
    the wider per-address limit."""
    monkeypatch.setattr(antiabuse, "ADDRESS_LIMIT", 8)
    for i in range(antiabuse.SOURCE_LIMIT + 2):
        response = _post(tree.branch, submitter_contact=f"1390000{i:04d}")
        assert response.status_code == 302
    assert _post(tree.branch, submitter_contact="13900009999").status_code == 302  # the 8th
    assert _post(tree.branch, submitter_contact="13900008888").status_code == 429
    assert _post(tree.branch, address="198.51.100.7").status_code == 302


def test_without_a_contact_the_text_tells_submitters_apart(tree: Tree):
    for _ in range(antiabuse.SOURCE_LIMIT):
        assert _post(tree.branch, submitter_contact="").status_code == 302
    assert _post(tree.branch, submitter_contact="").status_code == 429
    assert _post(tree.branch, submitter_contact="", content="另一件事：摊位费。").status_code == 302
