from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    # Activities and services
    path("units/<int:pk>/activities/", views.activity_list, name="activity_list"),
    path("units/<int:pk>/activities/summary/", views.activity_rollup, name="activity_rollup"),
    path("units/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/photos/new/", views.activity_photo_add, name="activity_photo_add"),
    path(
        "activity-photos/<int:pk>/delete/",
        views.activity_photo_delete,
        name="activity_photo_delete",
    ),
    path("files/activity-photos/<int:pk>/", views.activity_photo, name="activity_photo"),
    # Complaints and help requests
    path("units/<int:pk>/complaints/", views.complaint_list, name="complaint_list"),
    path("units/<int:pk>/complaints/summary/", views.complaint_rollup, name="complaint_rollup"),
    path("units/<int:pk>/complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<int:pk>/transition/",
        views.complaint_transition,
        name="complaint_transition",
    ),
    path(
        "public/units/<str:code>/complaints/new/",
        views.public_complaint_new,
        name="public_complaint_new",
    ),
    path(
        "public/units/<str:code>/complaints/thanks/",
        views.public_complaint_thanks,
        name="public_complaint_thanks",
    ),
    # Rules
    path("units/<int:pk>/rules/", views.rules, name="rules"),
    path(
        "units/<int:pk>/rules/<int:item_pk>/",
        views.rule_document_edit,
        name="rule_document_edit",
    ),
    path(
        "rule-documents/<int:pk>/delete/",
        views.rule_document_delete,
        name="rule_document_delete",
    ),
    path("files/rule-documents/<int:pk>/", views.rule_document_file, name="rule_document_file"),
    path("rules/checklist/", views.rule_checklist, name="rule_checklist"),
    path("rules/checklist/new/", views.rule_item_create, name="rule_item_create"),
    path("rules/checklist/<int:pk>/edit/", views.rule_item_edit, name="rule_item_edit"),
    path("rules/checklist/<int:pk>/move/", views.rule_item_move, name="rule_item_move"),
    path("rules/checklist/<int:pk>/toggle/", views.rule_item_toggle, name="rule_item_toggle"),
    path("rules/checklist/<int:pk>/delete/", views.rule_item_delete, name="rule_item_delete"),
    # Recognition
    path("units/<int:pk>/recognition/", views.recognition, name="recognition"),
    path(
        "units/<int:pk>/recognition/honours/new/",
        views.honour_create,
        name="honour_create",
    ),
    path("honours/<int:pk>/edit/", views.honour_edit, name="honour_edit"),
    path("honours/<int:pk>/delete/", views.honour_delete, name="honour_delete"),
    path("files/honours/<int:pk>/", views.honour_file, name="honour_file"),
    path(
        "units/<int:pk>/recognition/media/new/",
        views.media_report_create,
        name="media_report_create",
    ),
    path("media-reports/<int:pk>/edit/", views.media_report_edit, name="media_report_edit"),
    path("media-reports/<int:pk>/delete/", views.media_report_delete, name="media_report_delete"),
    path("files/media-reports/<int:pk>/", views.media_report_file, name="media_report_file"),
]
