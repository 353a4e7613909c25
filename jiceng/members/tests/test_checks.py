"""The system checks of MEMBER_DATA_KEY (issue 9, item 21): its form is an error wherever it
is set; its absence an error where the settings require it, a deploy warning elsewhere."""

import base64
import os

import pytest

from jiceng.members.checks import member_data_key, member_data_key_form


@pytest.mark.parametrize(
    "key",
    [
        "abc",
        "not base64!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(bytes(range(33))).decode(),  # 33 bytes: one too many
    ],
)
def test_a_key_that_is_not_32_bytes_of_base64_is_an_error(settings, key: str):
    settings.MEMBER_DATA_KEY = key
    assert [m.id for m in member_data_key_form()] == ["jiceng.E001"]
    assert member_data_key() == []


def test_a_good_key_passes(settings):
    settings.MEMBER_DATA_KEY = base64.b64encode(os.urandom(32)).decode()
    assert member_data_key_form() == [] and member_data_key() == []


def test_a_missing_key_is_an_error_where_required_and_a_warning_elsewhere(settings):
    settings.MEMBER_DATA_KEY = ""
    settings.MEMBER_DATA_KEY_REQUIRED = True
    assert [m.id for m in member_data_key_form()] == ["jiceng.E002"]
    assert member_data_key() == []
    settings.MEMBER_DATA_KEY_REQUIRED = False
    assert member_data_key_form() == []
    assert [m.id for m in member_data_key()] == ["jiceng.W001"]
