from django.urls import include, path
from django.views.i18n import set_language

from jiceng.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("jiceng.accounts.urls")),
    path("", include("jiceng.org.urls")),
    path("", include("jiceng.core.urls")),
    path("", include("jiceng.members.urls")),
    path("", include("jiceng.dues.urls")),
    path("", include("jiceng.activities.urls")),
    path("", include("jiceng.notifications.urls")),
    path("", include("jiceng.campaigns.urls")),
    path("", include("jiceng.assessments.urls")),
    path("", include("jiceng.documents.urls")),
    path("api/v1/", include("jiceng.api.urls")),
]

# The site's error pages, in its layout and language (core/error_views.py).
handler400 = "jiceng.core.error_views.bad_request"
handler403 = "jiceng.core.error_views.permission_denied"
handler404 = "jiceng.core.error_views.page_not_found"
handler500 = "jiceng.core.error_views.server_error"
