from django.contrib.auth import views as auth_views
from django.urls import path

from . import security, tokens, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.sign_in_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", security.account_security, name="security"),
    path("account/confirm/", security.reauthenticate, name="reauth"),
    path("account/second-factor/", security.mfa_enrol, name="mfa_enrol"),
    path("account/second-factor/off/", security.mfa_disable, name="mfa_disable"),
    path("account/recovery-codes/", security.recovery_codes, name="recovery_codes"),
    path("account/recovery-codes/new/", security.recovery_codes_renew, name="recovery_renew"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", tokens.api_tokens, name="tokens"),
    path("accounts/", views.account_list, name="list"),
    path("accounts/new/", views.account_create, name="create"),
    path("accounts/<int:pk>/", views.account_edit, name="edit"),
    path("accounts/<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("accounts/<int:pk>/second-factor/reset/", views.account_mfa_reset, name="mfa_reset"),
]
