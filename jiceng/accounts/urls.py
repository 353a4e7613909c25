from django.contrib.auth import views as auth_views
from django.urls import path

from . import tokens, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", tokens.api_tokens, name="tokens"),
    path("accounts/", views.account_list, name="list"),
    path("accounts/new/", views.account_create, name="create"),
    path("accounts/<int:pk>/", views.account_edit, name="edit"),
    path("accounts/<int:pk>/unlock/", views.account_unlock, name="unlock"),
]
