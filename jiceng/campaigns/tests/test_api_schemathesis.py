"""Schemathesis over the campaign endpoints, with a campaign in the database (the API-wide run,
jiceng/api/tests/test_schemathesis.py, has none): generated requests, valid and invalid, signed
in as a national admin, answer no 5xx and only what the schema documents."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import People, Tree
from jiceng.accounts.models import ApiToken
from jiceng.api.tests.test_schemathesis import KEY, MAX_EXAMPLES, _load
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import Campaign, Phase, Task
from jiceng.core.actor import Actor

from .conftest import d

schema = _load().include(path_regex=r"^/api/v1/(campaigns/|units/\{id\}/tasks/)")

COMPLETE = "POST /api/v1/units/{id}/tasks/{task_pk}/complete/"


@schema.auth()
class TokenAuth:
    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return KEY

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Token {data}"


@pytest.fixture
def token(
    running: Campaign,
    phases: list[Phase],
    grassroots_task: Task,
    branch_task: Task,
    tree: Tree,
    people: People,
) -> Iterator[None]:
    """`KEY` as a national admin's token; the running 2009 campaign (plus a form and a meeting
    task for associations, one of them done), and 安徽's own draft."""
    actor = Actor(user=people.national)
    for kind, title in (("form", "自查"), ("meeting", "动员会")):
        task = services.task_create(
            actor=actor,
            phase=phases[1],
            owner_unit=tree.root,
            data={"level": "grassroots", "title": title, "deadline": d(5, 31), "completion": kind},
        )
    completion.task_complete(actor=actor, task=grassroots_task, unit=tree.shushan)
    services.campaign_create(actor=actor, unit=tree.anhui, name="安徽省建设年", year=2010)
    assert task.pk
    ApiToken.objects.create(
        user=people.national, name="fuzz", prefix=KEY[:8], key_hash=ApiToken.hash_key(KEY)
    )
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_campaign_paths_are_all_here() -> None:
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results)
    labels = {result.ok().label for result in results if isinstance(result, Ok)}
    assert labels == {
        "GET /api/v1/campaigns/",
        "GET /api/v1/campaigns/{id}/",
        "GET /api/v1/campaigns/{id}/progress/",
        "GET /api/v1/units/{id}/tasks/",
        COMPLETE,
    }


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_campaign_endpoints_conform_to_the_schema(case: schemathesis.Case, token: None) -> None:
    excluded: list[schemathesis.CheckFunction] = []
    if case.operation.label == COMPLETE:
        # What a task needs depends on its kind (a note for a form, date, place and attendance
        # for a meeting) and the meeting's date may not lie in the future: rules a schema
        # cannot state, so a well-typed body may still be a 400 naming the field.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded)
