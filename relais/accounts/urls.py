from django.urls import path

from relais.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.totp_verify, name="totp_verify"),
    path("login/link/", views.magic_link_request, name="magic_link_request"),
    path("login/link/<str:token>/", views.magic_link, name="magic_link"),
    path("logout/", views.logout_view, name="logout"),
    path("account/security/", views.totp_setup, name="totp_setup"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
