from django.urls import path

from . import results_views, rubric_views, views

app_name = "assessments"

urlpatterns = [
    path("rubrics/", rubric_views.rubric_list, name="rubrics"),
    path("rubrics/import/", rubric_views.rubric_import, name="rubric_import"),
    path("rubrics/<int:pk>/", rubric_views.rubric_detail, name="rubric"),
    path("rubrics/<int:pk>/rubric.xlsx", rubric_views.rubric_download, name="rubric_download"),
    path(
        "rubrics/<int:pk>/new-version/",
        rubric_views.rubric_new_version,
        name="rubric_new_version",
    ),
    path("rubrics/<int:pk>/choose/", rubric_views.rubric_choose, name="rubric_choose"),
    path("rubrics/items/<int:pk>/edit/", rubric_views.rubric_item_edit, name="rubric_item_edit"),
    path("units/<int:pk>/assessment/", views.unit_assessment, name="unit_assessment"),
    path("units/<int:pk>/assessment/results/", results_views.results, name="results"),
    path(
        "units/<int:pk>/assessment/results.xlsx",
        results_views.results_export,
        name="results_export",
    ),
    path("units/<int:pk>/assessment/score-sheet.pdf", views.score_sheet, name="score_sheet"),
    path("units/<int:pk>/assessment/start/", views.start, name="start"),
    path("units/<int:pk>/assessment/scores/<str:code>/", views.score, name="score"),
    path("units/<int:pk>/assessment/evidence/<str:code>/", views.evidence, name="evidence"),
    path("units/<int:pk>/assessment/files/<int:file_pk>/", views.evidence_file, name="file"),
    path(
        "units/<int:pk>/assessment/files/<int:file_pk>/remove/",
        views.evidence_remove,
        name="file_remove",
    ),
    path("units/<int:pk>/assessment/submit/", views.submit, name="submit"),
    path("units/<int:pk>/assessment/adjust/<str:code>/", views.adjust, name="adjust"),
    path("units/<int:pk>/assessment/return/", views.return_, name="return"),
    path("units/<int:pk>/assessment/approve/", views.approve, name="approve"),
    path("units/<int:pk>/assessment/unapprove/", views.unapprove, name="unapprove"),
    path(
        "units/<int:pk>/assessment/rectification/new/",
        views.rectification_new,
        name="rectification_new",
    ),
    path(
        "units/<int:pk>/assessment/rectification/<int:item_pk>/close/",
        views.rectification_close,
        name="rectification_close",
    ),
    path(
        "units/<int:pk>/assessment/rectification/<int:item_pk>/verify/",
        views.rectification_verify,
        name="rectification_verify",
    ),
    path(
        "units/<int:pk>/assessment/rectification/files/<int:file_pk>/",
        views.rectification_file,
        name="rectification_file",
    ),
    path("units/<int:pk>/assessment/approve-area/", views.area_approve, name="area_approve"),
    path("units/<int:pk>/assessment/unapprove-area/", views.area_unapprove, name="area_unapprove"),
]
