"""Shared fixtures. The people in the tests are named for where they sit:

- `national`: national admin at the root;
- `anhui_admin`: provincial admin of 安徽 (the subtree under test);
- `hefei_admin`: city admin of 合肥; `shushan_secretary`: grassroots secretary of 蜀山区;
- `branch_staff`: staff of a 蜀山区 branch; `reviewer`, `viewer`: read-only in 安徽;
- `outsider`: provincial admin of 江苏, a sibling subtree, who must get 404 everywhere in 安徽.
"""

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import Level, Unit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests

PASSWORD = "Correct-horse-battery-9"
_phones = itertools.count(13900000000)


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Domain messages are asserted in English, the source language; pages set their own."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (job progress, rate limits), as ids restart too."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def media_in_tmp(settings, tmp_path: Path) -> Path:
    """Uploads stored in a directory of the test's own (use it, or wrap it in an autouse
    fixture for a whole app)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_unit(parent: Unit | None, level: str, code: str, name: str, **extra: object) -> Unit:
    if parent is None:
        unit = Unit.objects.add_root({"code": code, "name": name, "level": level, **extra})
        from jiceng.org.models import Venue

        Venue.objects.create(unit=unit)
        return unit
    return services.unit_create(
        actor=Actor.system(),
        parent=parent,
        data={"code": code, "name": name, "level": level, **extra},
    )


def make_user(username: str, role: str, unit: Unit) -> User:
    user = User(
        username=username, role=role, unit=unit, full_name=username, phone=str(next(_phones))
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class Tree:
    root: Unit
    anhui: Unit
    jiangsu: Unit
    hefei: Unit
    nanjing: Unit
    shushan: Unit
    baohe: Unit
    xuanwu: Unit
    branch: Unit
    group: Unit


@pytest.fixture
def tree(db: None) -> Tree:
    root = make_unit(None, Level.NATIONAL, "100000", "中国个体劳动者协会")
    anhui = make_unit(root, Level.PROVINCE, "340000", "安徽省个私协会")
    jiangsu = make_unit(root, Level.PROVINCE, "320000", "江苏省个私协会")
    hefei = make_unit(anhui, Level.CITY, "340100", "合肥市个私协会")
    nanjing = make_unit(jiangsu, Level.CITY, "320100", "南京市个私协会")
    shushan = make_unit(hefei, Level.GRASSROOTS, "340104", "蜀山区个私协会")
    baohe = make_unit(hefei, Level.GRASSROOTS, "340111", "包河区个私协会")
    xuanwu = make_unit(nanjing, Level.GRASSROOTS, "320102", "玄武区个私协会")
    branch = make_unit(shushan, Level.BRANCH, "340104001", "蜀山区城关分会")
    group = make_unit(branch, Level.GROUP, "340104001001", "城关分会第一会员小组")
    return Tree(root, anhui, jiangsu, hefei, nanjing, shushan, baohe, xuanwu, branch, group)


@dataclass
class People:
    national: User
    anhui_admin: User
    hefei_admin: User
    shushan_secretary: User
    branch_staff: User
    reviewer: User
    viewer: User
    outsider: User
    baohe_secretary: User


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        national=make_user("national", Role.NATIONAL_ADMIN, tree.root),
        anhui_admin=make_user("anhui", Role.PROVINCIAL_ADMIN, tree.anhui),
        hefei_admin=make_user("hefei", Role.CITY_ADMIN, tree.hefei),
        shushan_secretary=make_user("shushan", Role.GRASSROOTS_SECRETARY, tree.shushan),
        branch_staff=make_user("branch", Role.BRANCH_STAFF, tree.branch),
        reviewer=make_user("reviewer", Role.REVIEWER, tree.anhui),
        viewer=make_user("viewer", Role.VIEWER, tree.hefei),
        outsider=make_user("jiangsu", Role.PROVINCIAL_ADMIN, tree.jiangsu),
        baohe_secretary=make_user("baohe", Role.GRASSROOTS_SECRETARY, tree.baohe),
    )


def with_language(client: Client, language: str) -> Client:
    """Pages speak Chinese unless the language cookie says otherwise."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def client_for(user: User, *, language: str | None = None) -> Client:
    """A client signed in as `user`; with `language`, pages read in it (tests read "en")."""
    client = Client()
    client.force_login(user, backend="jiceng.accounts.backends.UsernameOrPhoneBackend")
    return client if language is None else with_language(client, language)
