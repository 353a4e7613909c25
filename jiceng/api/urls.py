from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from jiceng.dues import api as dues_api

from . import views

app_name = "api"

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("members", views.MemberViewSet, basename="member")

urlpatterns = [
    path("me/", views.me, name="me"),
    path("units/<int:pk>/dues/", dues_api.collection_rate, name="unit-dues"),
    path(
        "units/<int:pk>/dues/children/",
        dues_api.collection_rates_by_child,
        name="unit-dues-children",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
