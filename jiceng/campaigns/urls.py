from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
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
]
