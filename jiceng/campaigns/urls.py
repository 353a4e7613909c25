from django.urls import path

from . import plan_views, progress_views, views

app_name = "campaigns"

urlpatterns = [
    path("units/<int:pk>/campaigns/", plan_views.plans, name="plans"),
    path("units/<int:pk>/campaigns/new/", plan_views.wizard, name="wizard"),
    path("units/<int:pk>/campaigns/<int:campaign_pk>/", plan_views.plan, name="plan"),
    path(
        "units/<int:pk>/campaigns/<int:campaign_pk>/tasks/new/",
        plan_views.task_add,
        name="plan_task_add",
    ),
    path(
        "units/<int:pk>/campaigns/<int:campaign_pk>/tasks/<int:task_pk>/deadline/",
        plan_views.task_deadline,
        name="plan_deadline",
    ),
    path(
        "units/<int:pk>/campaigns/<int:campaign_pk>/start/",
        plan_views.campaign_start,
        name="campaign_start",
    ),
    path(
        "units/<int:pk>/campaigns/<int:campaign_pk>/close/",
        plan_views.campaign_close,
        name="campaign_close",
    ),
    path("units/<int:pk>/campaign/", views.unit_campaign, name="unit_campaign"),
    path(
        "units/<int:pk>/campaign/tasks/<int:task_pk>/complete/",
        views.task_complete,
        name="task_complete",
    ),
    path(
        "units/<int:pk>/campaign/tasks/<int:task_pk>/waive/",
        views.task_waive,
        name="task_waive",
    ),
    path(
        "units/<int:pk>/campaign/files/<int:file_pk>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(
        "units/<int:pk>/campaign/tasks/<int:task_pk>/reopen/",
        views.task_reopen,
        name="task_reopen",
    ),
    path(
        "units/<int:pk>/campaign/<int:campaign_pk>/progress/",
        progress_views.progress,
        name="progress",
    ),
    path(
        "units/<int:pk>/campaign/<int:campaign_pk>/progress.xlsx",
        progress_views.progress_export,
        name="progress_export",
    ),
]
