from django.contrib import admin
from django.urls import include, path

from relais.api.api import api
from relais.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("dashboard/", include("relais.reporting.urls")),
    path("partners/", include("relais.partners.urls")),
    path("portal/", include("relais.portal.urls")),
    path("", include("relais.accounts.urls")),
]
