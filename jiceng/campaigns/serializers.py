"""The shapes of the campaign endpoints (api.py): a campaign and its plan, its progress, a unit's
own task states, and the body that completes a form or meeting task.

Dates are ISO dates ("2009-03-31"), times ISO date-times in Asia/Shanghai; rates are decimal
strings from 0 to 1 ("0.7500"), as the dues endpoints give them, null when nothing is expected.
"""

from typing import Any

from django.core.validators import RegexValidator
from django.http import QueryDict
from rest_framework import serializers

from jiceng.api.schema import NO_NUL

from .models import TASK_LEVELS, CampaignStatus, CompletionKind
from .selectors import TaskState

#: A unit's state of one of its tasks, as the API names it (`on_time` says how a done task
#: was done).
STATES = ("done", "waived", "not_done", "overdue")
_STATE_OF = {
    TaskState.ON_TIME: "done",
    TaskState.LATE: "done",
    TaskState.WAIVED: "waived",
    TaskState.NOT_DONE: "not_done",
    TaskState.OVERDUE: "overdue",
}


def api_state(selector_state: str) -> str:
    return _STATE_OF[selector_state]


#: The levels a task may be for, as the schema's enum `TaskLevelEnum` (settings'
#: ENUM_NAME_OVERRIDES: units have more levels under the same field name).
TASK_LEVEL_CHOICES = [(str(v), v.label) for v in TASK_LEVELS]


# --- The campaign and its plan -----------------------------------------------------------------


class PlanTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phase = serializers.IntegerField(source="phase_id", help_text="The phase's id.")
    level = serializers.ChoiceField(choices=TASK_LEVEL_CHOICES)
    title = serializers.CharField()
    description = serializers.CharField()
    deadline = serializers.DateField(
        help_text="The campaign's deadline (local plans may set an earlier one)."
    )
    completion = serializers.ChoiceField(
        choices=CompletionKind.values, help_text="What completes the task."
    )


class PhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    tasks = PlanTaskSerializer(many=True, source="tasks.all")


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    unit_id = serializers.IntegerField(help_text="The unit that runs the campaign (its scope).")
    unit_name = serializers.CharField(source="unit.name")


class CampaignDetailSerializer(CampaignSerializer):
    phases = PhaseSerializer(many=True, help_text="In order, each with the campaign's own tasks.")


# --- Progress ----------------------------------------------------------------------------------


def _rate(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text=help_text
    )


class ProgressSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="Units that must do it.")
    done = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    waived = serializers.IntegerField()
    not_done = serializers.IntegerField()
    reporting_rate = _rate("(done + waived) ÷ expected, 0–1; null when nothing is expected.")
    on_time_rate = _rate("Done on time ÷ expected, 0–1; null when nothing is expected.")


class TaskProgressSerializer(ProgressSerializer):
    id = serializers.IntegerField()
    phase = serializers.IntegerField(help_text="The phase's id.")
    level = serializers.ChoiceField(choices=TASK_LEVEL_CHOICES)
    title = serializers.CharField()
    deadline = serializers.DateField()
    owner_unit_id = serializers.IntegerField(help_text="The unit whose plan added the task.")


class ChildProgressSerializer(ProgressSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class CampaignProgressSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    total = ProgressSerializer(help_text="The unit's whole subtree, over every task.")
    tasks = TaskProgressSerializer(many=True)
    children = ChildProgressSerializer(many=True, help_text="Each child unit, over every task.")


# --- A unit's own tasks ------------------------------------------------------------------------


class UnitTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The task's id.")
    phase = serializers.IntegerField(help_text="The phase's id.")
    phase_name = serializers.CharField()
    title = serializers.CharField()
    level = serializers.ChoiceField(choices=TASK_LEVEL_CHOICES)
    completion = serializers.ChoiceField(
        choices=CompletionKind.values, help_text="What completes the task."
    )
    deadline = serializers.DateField(
        help_text="The deadline in force for the unit (a local plan may have brought it forward)."
    )
    state = serializers.ChoiceField(
        choices=STATES, help_text="overdue: not done and past the deadline in force."
    )
    on_time = serializers.BooleanField(
        allow_null=True, help_text="For a done task: done on or before its deadline."
    )
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(allow_null=True, help_text="Who recorded it as done.")
    waived_at = serializers.DateTimeField(allow_null=True)
    waived_by = serializers.CharField(allow_null=True)
    waived_reason = serializers.CharField(allow_null=True)


class UnitCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)


class UnitTasksSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    campaign = UnitCampaignSerializer(
        allow_null=True, help_text="null when no campaign is running for the unit."
    )
    results = UnitTaskSerializer(many=True)


# --- Completing a task -------------------------------------------------------------------------


class _Text(serializers.CharField):
    """Text without the NUL character, which the schema says too (as for query parameters)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(NO_NUL))


class TaskCompleteSerializer(serializers.Serializer):
    """A form task needs `note`; a meeting task `date`, `place` and `attendance` (and may have a
    note). Fields another kind does not use are ignored."""

    note = _Text(required=False, allow_blank=True, max_length=2000)
    date = serializers.DateField(
        required=False, help_text="Meeting tasks: the meeting's date (not in the future)."
    )
    place = _Text(required=False, allow_blank=True, max_length=100, help_text="Meeting tasks.")
    attendance = serializers.IntegerField(
        required=False, min_value=1, max_value=100_000, help_text="Meeting tasks."
    )

    #: The JSON type of each field in a JSON body (DRF would take 12 as the text "12" and
    #: "5" as the number 5; a form body holds only text). A date is checked by its field.
    JSON_TYPES: dict[str, type] = {"note": str, "place": str, "attendance": int}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {
                name: [self.fields[name].error_messages["invalid"]]
                for name, expected in self.JSON_TYPES.items()
                if name in data
                and (not isinstance(data[name], expected) or isinstance(data[name], bool))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
