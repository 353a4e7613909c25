"""The campaign's plan: every rule refused with the field it concerns, nothing half-saved."""

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.campaigns.models import Campaign, CampaignStatus, Phase, Task
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.models import AuditEntry

from .conftest import d


def _refused(field: str, excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    errors = excinfo.value.message_dict
    assert field in errors, errors
    return " ".join(errors[field])


def _task_data(**extra: object) -> dict[str, object]:
    return {
        "level": "grassroots",
        "title": "自查",
        "deadline": d(5, 20),
        "completion": "form",
        **extra,
    }


# --- The campaign ------------------------------------------------------------------------------


def test_create_is_a_draft_of_its_scope_unit_and_audited(campaign: Campaign, tree: Tree):
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.unit == tree.root and campaign.copied_from is None
    assert AuditEntry.objects.filter(action="campaign.create", unit=tree.root).count() == 1


def test_a_province_may_run_its_own_campaign_a_city_may_not(tree: Tree, people: People):
    actor = Actor(user=people.anhui_admin)
    own = services.campaign_create(actor=actor, unit=tree.anhui, name="安徽建设年", year=2010)
    assert own.unit == tree.anhui
    with pytest.raises(ValidationError) as excinfo:
        services.campaign_create(
            actor=Actor(user=people.hefei_admin), unit=tree.hefei, name="合肥", year=2010
        )
    assert "neither" in _refused("unit", excinfo)


def test_duplicate_name_in_the_same_year_is_refused(campaign: Campaign, national_actor: Actor):
    with pytest.raises(ValidationError) as excinfo:
        services.campaign_create(actor=national_actor, unit=campaign.unit, name="建设年", year=2009)
    _refused("name", excinfo)


def test_year_cannot_move_once_phases_exist(
    campaign: Campaign, phases: list[Phase], national_actor: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.campaign_update(
            actor=national_actor,
            campaign=campaign,
            data={"year": 2010},
            expected_lock_version=campaign.lock_version,
        )
    assert "copy it" in _refused("year", excinfo)
    assert Campaign.objects.get(pk=campaign.pk).year == 2009


def test_update_with_a_stale_version_is_a_conflict(campaign: Campaign, national_actor: Actor):
    services.campaign_update(
        actor=national_actor, campaign=campaign, data={"name": "新名"}, expected_lock_version=1
    )
    with pytest.raises(ConflictError):
        services.campaign_update(
            actor=national_actor, campaign=campaign, data={"name": "又名"}, expected_lock_version=1
        )


def test_start_needs_phases_then_close(campaign: Campaign, national_actor: Actor):
    with pytest.raises(DomainError) as excinfo:
        services.campaign_start(actor=national_actor, campaign=campaign)
    assert excinfo.value.code == "campaign_empty"
    services.phase_create(
        actor=national_actor,
        campaign=campaign,
        data={"name": "准备动员", "starts": d(3, 1), "ends": d(3, 31)},
    )
    services.campaign_start(actor=national_actor, campaign=campaign)
    with pytest.raises(DomainError) as again:
        services.campaign_start(actor=national_actor, campaign=campaign)
    assert again.value.code == "campaign_status"
    services.campaign_close(actor=national_actor, campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    with pytest.raises(DomainError) as closed:
        services.phase_create(
            actor=national_actor,
            campaign=campaign,
            data={"name": "调查研究", "starts": d(4, 1), "ends": d(5, 31)},
        )
    assert closed.value.code == "campaign_closed"


# --- Phases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends", "field", "words"),
    [
        (d(3, 15), d(4, 15), "starts", "overlaps"),  # overlaps 准备动员
        (d(12, 1), d(1, 31, 2010), "ends", "within the campaign's year 2009"),
        (d(2, 1, 2008), d(2, 20), "starts", "within the campaign's year 2009"),
        (d(7, 1), d(6, 1), "ends", "before it starts"),
    ],
)
def test_bad_phase_windows_are_refused(
    campaign: Campaign,
    phases: list[Phase],
    national_actor: Actor,
    starts,
    ends,
    field: str,
    words: str,
):
    with pytest.raises(ValidationError) as excinfo:
        services.phase_create(
            actor=national_actor,
            campaign=campaign,
            data={"name": "新阶段", "starts": starts, "ends": ends},
        )
    assert words in _refused(field, excinfo)
    assert campaign.phases.count() == 2


def test_a_phase_leaving_the_year_is_refused_on_update(
    campaign: Campaign, phases: list[Phase], national_actor: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.phase_update(
            actor=national_actor,
            phase=phases[1],
            data={"ends": d(1, 15, 2010)},
            expected_lock_version=phases[1].lock_version,
        )
    assert "2009" in _refused("ends", excinfo)
    assert Phase.objects.get(pk=phases[1].pk).ends == d(5, 31)


def test_a_phase_cannot_shrink_past_its_tasks(
    phases: list[Phase], grassroots_task: Task, national_actor: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.phase_update(
            actor=national_actor,
            phase=phases[0],
            data={"ends": d(3, 20)},
            expected_lock_version=phases[0].lock_version,
        )
    assert "签收《规范》" in _refused("ends", excinfo)


def test_phases_are_appended_in_order(phases: list[Phase]):
    assert [p.order for p in phases] == [1, 2]


# --- Tasks -------------------------------------------------------------------------------------


def test_deadline_outside_its_phase_is_refused(
    phases: list[Phase], tree: Tree, national_actor: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.task_create(
            actor=national_actor,
            phase=phases[0],
            owner_unit=tree.root,
            data=_task_data(deadline=d(4, 10)),
        )
    assert "准备动员" in _refused("deadline", excinfo)
    assert not Task.objects.exists()


def test_task_level_must_be_below_the_scope_unit(campaign: Campaign, tree: Tree, people: People):
    actor = Actor(user=people.anhui_admin)
    own = services.campaign_create(actor=actor, unit=tree.anhui, name="安徽建设年", year=2009)
    phase = services.phase_create(
        actor=actor, campaign=own, data={"name": "准备动员", "starts": d(3, 1), "ends": d(3, 31)}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.task_create(
            actor=actor,
            phase=phase,
            owner_unit=tree.anhui,
            data=_task_data(level="province", deadline=d(3, 20)),
        )
    assert "below" in _refused("level", excinfo)
    city = services.task_create(
        actor=actor,
        phase=phase,
        owner_unit=tree.anhui,
        data=_task_data(level="city", deadline=d(3, 20)),
    )
    assert city.level == "city"


def test_national_or_group_level_is_refused(phases: list[Phase], tree: Tree, national_actor):
    for level in ("national", "group"):
        with pytest.raises(ValidationError) as excinfo:
            services.task_create(
                actor=national_actor,
                phase=phases[1],
                owner_unit=tree.root,
                data=_task_data(level=level),
            )
        _refused("level", excinfo)


def test_condition_goes_with_a_system_condition_task(
    phases: list[Phase], tree: Tree, national_actor: Actor
):
    with pytest.raises(ValidationError) as missing:
        services.task_create(
            actor=national_actor,
            phase=phases[0],
            owner_unit=tree.root,
            data=_task_data(level="province", deadline=d(3, 31), completion="condition"),
        )
    _refused("condition", missing)
    with pytest.raises(ValidationError) as stray:
        services.task_create(
            actor=national_actor,
            phase=phases[0],
            owner_unit=tree.root,
            data=_task_data(deadline=d(3, 31), condition="leading_group_recorded"),
        )
    _refused("condition", stray)
    task = services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data=_task_data(
            level="province",
            deadline=d(3, 31),
            completion="condition",
            condition="leading_group_recorded",
        ),
    )
    assert task.condition == "leading_group_recorded"


def test_a_task_update_keeps_its_deadline_in_the_phase(
    grassroots_task: Task, national_actor: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.task_update(
            actor=national_actor,
            task=grassroots_task,
            data={"deadline": d(4, 2), "title": "改了"},
            expected_lock_version=grassroots_task.lock_version,
        )
    _refused("deadline", excinfo)
    fresh = Task.objects.get(pk=grassroots_task.pk)
    assert (fresh.deadline, fresh.title) == (d(3, 31), "签收《规范》")


# --- A running campaign ------------------------------------------------------------------------


@pytest.fixture
def running(campaign: Campaign, grassroots_task: Task, national_actor: Actor) -> Campaign:
    return services.campaign_start(actor=national_actor, campaign=campaign)


def test_running_campaign_refuses_deleting_phases_and_tasks(
    running: Campaign, phases: list[Phase], grassroots_task: Task, national_actor: Actor
):
    with pytest.raises(DomainError) as task_refused:
        services.task_delete(actor=national_actor, task=grassroots_task)
    assert task_refused.value.code == "campaign_running"
    with pytest.raises(DomainError) as phase_refused:
        services.phase_delete(actor=national_actor, phase=phases[0])
    assert phase_refused.value.code == "campaign_running"
    assert Task.objects.filter(pk=grassroots_task.pk).exists()


def test_running_campaign_allows_extending_a_deadline_audited(
    running: Campaign, grassroots_task: Task, national_actor: Actor, tree: Tree
):
    with pytest.raises(ValidationError) as earlier:
        services.task_update(
            actor=national_actor,
            task=grassroots_task,
            data={"deadline": d(3, 20)},
            expected_lock_version=grassroots_task.lock_version,
        )
    assert "extended" in _refused("deadline", earlier)
    with pytest.raises(ValidationError) as level:
        services.task_update(
            actor=national_actor,
            task=grassroots_task,
            data={"level": "branch"},
            expected_lock_version=grassroots_task.lock_version,
        )
    _refused("level", level)
    # A task added while running, then its deadline extended: both allowed.
    task = services.task_create(
        actor=national_actor,
        phase=grassroots_task.phase,
        owner_unit=tree.root,
        data=_task_data(deadline=d(3, 15)),
    )
    services.task_update(
        actor=national_actor,
        task=task,
        data={"deadline": d(3, 25)},
        expected_lock_version=task.lock_version,
    )
    assert Task.objects.get(pk=task.pk).deadline == d(3, 25)
    entry = AuditEntry.objects.filter(action="campaign.task.update").latest("pk")
    assert entry.unit == tree.root
    assert entry.before is not None and entry.after is not None
    assert (entry.before["deadline"], entry.after["deadline"]) == ("2009-03-15", "2009-03-25")


def test_draft_campaign_deletes_a_phase_with_its_tasks(
    phases: list[Phase], grassroots_task: Task, national_actor: Actor
):
    services.phase_delete(actor=national_actor, phase=phases[0])
    assert not Task.objects.exists()
    entry = AuditEntry.objects.get(action="campaign.phase.delete")
    assert entry.before is not None and entry.before["tasks"] == 1


# --- Authorisation -----------------------------------------------------------------------------


def test_outsider_cannot_touch_a_province_campaign(tree: Tree, people: People):
    own = services.campaign_create(
        actor=Actor(user=people.anhui_admin), unit=tree.anhui, name="安徽建设年", year=2009
    )
    with pytest.raises(ForbiddenAction, match="outside your area"):
        services.phase_create(
            actor=Actor(user=people.outsider),
            campaign=own,
            data={"name": "准备动员", "starts": d(3, 1), "ends": d(3, 31)},
        )
    assert not own.phases.exists()


@pytest.mark.parametrize("who", ["shushan_secretary", "branch_staff", "reviewer", "viewer"])
def test_roles_without_campaign_manage_are_refused(
    who: str, people: People, phases: list[Phase], tree: Tree
):
    user = getattr(people, who)
    with pytest.raises(ForbiddenAction, match="Your role"):
        services.task_create(
            actor=Actor(user=user), phase=phases[1], owner_unit=tree.anhui, data=_task_data()
        )


def test_a_province_cannot_create_a_national_campaign(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        services.campaign_create(
            actor=Actor(user=people.anhui_admin), unit=tree.root, name="全国", year=2009
        )


def test_phases_and_tasks_are_scoped_by_their_plan_unit(tree: Tree, people: People):
    from jiceng.core.scope import in_scope

    actor = Actor(user=people.anhui_admin)
    own = services.campaign_create(actor=actor, unit=tree.anhui, name="安徽建设年", year=2009)
    phase = services.phase_create(
        actor=actor, campaign=own, data={"name": "准备动员", "starts": d(3, 1), "ends": d(3, 31)}
    )
    services.task_create(
        actor=actor, phase=phase, owner_unit=tree.anhui, data=_task_data(deadline=d(3, 9))
    )
    for model in (Campaign, Phase, Task):
        assert in_scope(model.objects.all(), people.anhui_admin).count() == 1, model
        assert not in_scope(model.objects.all(), people.outsider).exists(), model
    assert list(Campaign.objects.for_user(people.national)) == [own]
