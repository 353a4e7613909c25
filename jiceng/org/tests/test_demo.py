"""The demo network is real, coherent, and every demo login works."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jiceng.accounts.models import User
from jiceng.org.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_divisions
from jiceng.org.models import Level, Unit, Venue


def test_divisions_are_current():
    divisions = {d.code: d for d in load_divisions()}
    assert len(divisions) == 36  # 31 provinces and 5 separately-planned cities
    assert divisions["340000"].name == "安徽省"
    hefei = next(c for c in divisions["340000"].children if c.code == "340100")
    assert hefei.name == "合肥市"
    assert any(c.code == "340104" and c.name == "蜀山区" for c in hefei.children)
    # 大连 reports to the national body directly, not through 辽宁.
    assert "210200" in divisions
    assert all(c.code != "210200" for c in divisions["210000"].children)
    # Beijing's districts sit directly under the municipality.
    assert any(c.code == "110108" for c in divisions["110000"].children)
    # Hangzhou as reorganised in 2021: 下城区 and 江干区 abolished, 临平区 and 钱塘区 created;
    # 莱芜市 merged into 济南 in 2019.
    hangzhou = next(c for c in divisions["330000"].children if c.code == "330100")
    districts = {c.name for c in hangzhou.children}
    assert {"临平区", "钱塘区"} <= districts
    assert not {"下城区", "江干区"} & districts
    shandong = {c.code for c in divisions["370000"].children}
    assert "371200" not in shandong
    jinan = next(c for c in divisions["370000"].children if c.code == "370100")
    assert {"莱芜区", "钢城区"} <= {c.name for c in jinan.children}


@pytest.mark.django_db
def test_small_demo_is_coherent_and_logins_work(capsys):
    call_command("seed_demo", "--scale", "small")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "/public/units/340104/complaints/new/" in out  # where a member complains
    assert Unit.objects.filter(level=Level.PROVINCE).count() == 36
    assert Unit.objects.get(code="340104").parent.code == "340100"  # type: ignore[union-attr, unused-ignore]
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    for unit in Unit.objects.exclude(level=Level.NATIONAL).select_related("parent"):
        assert unit.parent is not None
        assert unit.path[: -Unit.steplen] == unit.parent.path
    # Every grassroots association has branches and a profile.
    grassroots = Unit.objects.filter(level=Level.GRASSROOTS)
    assert grassroots.count() > 100
    assert not grassroots.filter(numchild=0).exists()
    assert Venue.objects.filter(unit__level=Level.GRASSROOTS).count() == grassroots.count()
    for username, role, _code, _name in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.role == role
        client = Client()
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/", follow=True).status_code == 200
    # --if-empty leaves an existing network alone; without it the command refuses.
    call_command("seed_demo", "--if-empty")
    with pytest.raises(CommandError):
        call_command("seed_demo")
