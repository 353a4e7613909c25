"""Schemathesis over the whole API schema (item 7 of issue 9): every operation, with a bounded
number of generated requests (valid and invalid), signed in with an API token, answers no 5xx
and only what the schema documents (status codes, content types, bodies, headers).

The schema is the one `/api/v1/schema/` serves (same generator); the requests go through the
whole WSGI stack (middleware, authentication, scope) inside the test's transaction."""

import json
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import People, Tree
from jiceng.accounts.models import ApiToken
from jiceng.members.tests.factories import make_member

#: Generated requests per operation: keeps the whole run well under a minute on two cores.
MAX_EXAMPLES = 40

#: Requests made per operation, printed at the end (run with -s to see them).
CALLS: Counter[str] = Counter()


#: The API token the requests carry (its account is made by the `token` fixture).
KEY = "schemathesis-" + "0" * 32


def _load() -> schemathesis.BaseSchema:
    document = SchemaGenerator().get_schema(request=None, public=True)
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "database": "none",
                "with-security-parameters": False,
            },
        }
    )
    schema = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(document)), config=config
    )
    schema.app = WSGIHandler()
    return schema


schema = _load()


@schema.auth()
class TokenAuth:
    """Signs every request in with `KEY`; schemathesis also sends each operation without it and
    with a wrong one, and expects a refusal (the `ignored_auth` check)."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return KEY

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Token {data}"


@pytest.fixture
def token(people: People, tree: Tree) -> Iterator[None]:
    """`KEY` as a national admin's API token, with members to list; the WSGI handler keeps the
    test's connection open, as Django's test client does."""
    make_member(tree.branch, business_name="城关分会某商户", phone="13812345678")
    make_member(tree.xuanwu, business_name="玄武区某商户")
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


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # a failure found in CI is found again on a laptop
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, token: None) -> None:
    CALLS[case.operation.label] += 1
    excluded: list[schemathesis.CheckFunction] = []
    if (case.query or {}).get("cursor"):
        # A cursor is opaque: only those the API hands out (`next`, `previous`) are valid, which
        # a schema cannot say; a made-up one is a 400 naming it (test_malformed.py).
        excluded.append(positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    started = time.monotonic()
    yield
    print(
        f"\nschemathesis: {len(CALLS)} operations, {sum(CALLS.values())} requests "
        f"in {time.monotonic() - started:.1f} s: {dict(CALLS)}"
    )
