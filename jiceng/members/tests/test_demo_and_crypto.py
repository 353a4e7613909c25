"""The demo rosters are well-formed; the keys behind ID numbers behave."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from jiceng.members import crypto
from jiceng.members.identifiers import check_credit_code, check_id_number
from jiceng.members.models import Member
from jiceng.org.models import Level, Unit


@pytest.mark.django_db
def test_small_demo_members_are_valid_and_anchored():
    call_command("seed_demo", "--scale", "small", "--members", "3000", verbosity=0)
    members = list(Member.objects.select_related("unit", "grassroots", "province")[:3000])
    assert 2500 <= len(members) <= 3000
    for member in members[:500]:
        assert check_credit_code(member.credit_code) == member.credit_code
        assert member.unit.path.startswith(member.grassroots.path)
        assert member.grassroots.level == Level.GRASSROOTS
        assert member.grassroots.path.startswith(member.province.path)
        assert member.province.level == Level.PROVINCE
        if member.id_number_encrypted:
            assert check_id_number(member.id_number)[0] == member.id_number
    assert len({m.credit_code for m in members}) == len(members)
    assert Member.objects.filter(unit__level=Level.BRANCH).exists()
    assert Unit.objects.filter(level=Level.GRASSROOTS).count() > 100


def test_encryption_round_trip_and_index():
    blob = crypto.encrypt("11010519491231002X")
    assert blob != crypto.encrypt("11010519491231002X")  # a fresh nonce each time
    assert crypto.decrypt(blob) == "11010519491231002X"
    assert crypto.blind_index("11010519491231002X") == crypto.blind_index("11010519491231002X")
    assert crypto.blind_index("11010519491231002X") != crypto.blind_index("440524188001010014")


def test_a_configured_key_replaces_the_derived_one():
    derived = crypto.blind_index("11010519491231002X")
    blob = crypto.encrypt("11010519491231002X")
    with override_settings(MEMBER_DATA_KEY=base64.b64encode(os.urandom(32)).decode()):
        assert crypto.blind_index("11010519491231002X") != derived
        with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
            crypto.decrypt(blob)
    with override_settings(MEMBER_DATA_KEY="not base64!"), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    assert crypto.decrypt(blob) == "11010519491231002X"
