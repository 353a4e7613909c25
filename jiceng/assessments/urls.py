from django.urls import path

from . import results_views, views

app_name = "assessments"

urlpatterns = [
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
