from django.urls import path

from . import import_views, views

app_name = "members"

urlpatterns = [
    path("units/<int:pk>/members/", views.member_list, name="list"),
    path("units/<int:pk>/members/new/", views.member_create, name="create"),
    path("units/<int:pk>/members/export.csv", views.member_export_csv, name="export_csv"),
    path("units/<int:pk>/members/export/", views.member_export_start, name="export_start"),
    path("units/<int:pk>/members/import/", import_views.import_upload, name="import_upload"),
    path("units/<int:pk>/members/imports/", import_views.import_list, name="import_list"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="edit"),
    path("members/<int:pk>/move/", views.member_move, name="move"),
    path("members/<int:pk>/unmask/", views.member_unmask, name="unmask"),
    path("member-imports/<int:pk>/", import_views.import_detail, name="import"),
    path(
        "member-imports/<int:pk>/mapping/", import_views.import_configure, name="import_configure"
    ),
    path("member-imports/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("member-imports/<int:pk>/resume/", import_views.import_resume, name="import_resume"),
    path("member-imports/<int:pk>/report.xlsx", import_views.import_report, name="import_report"),
    path("member-exports/<int:pk>/", views.export_detail, name="export"),
    path("member-exports/<int:pk>/download/", views.export_download, name="export_download"),
]
