import pytest
from django.utils.translation import gettext_lazy as _

from jiceng.campaigns.tests.conftest import (  # noqa: F401 — the campaign's fixtures, reused
    branch_task,
    campaign,
    grassroots_task,
    national_actor,
    phases,
    running,
)
from jiceng.notifications.kinds import Kind, register_kind

TEST_KIND = "tests.hello"

register_kind(
    Kind(
        code=TEST_KIND,
        # msgids the catalogue already translates, so the test reads both languages
        label=_("Audit log"),
        message=_("%(n)s of %(total)s resolved or closed"),
    )
)


@pytest.fixture
def params() -> dict[str, str | int]:
    return {"n": 3, "total": 5}
