from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/search/", views.unit_search, name="search"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/figures/", views.unit_figures, name="unit_figures"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/children/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/export.csv", views.unit_export, name="unit_export"),
    path("units/<int:pk>/venue/", views.venue_edit, name="venue_edit"),
    path("units/<int:pk>/profile/<slug:section>/new/", views.section_create, name="section_create"),
    path(
        "units/<int:pk>/profile/<slug:section>/<int:item_pk>/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "units/<int:pk>/profile/<slug:section>/<int:item_pk>/delete/",
        views.section_delete,
        name="section_delete",
    ),
    path("files/venue-photos/<int:pk>/", views.venue_photo_file, name="venue_photo"),
]
