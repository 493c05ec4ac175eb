from django.contrib import admin
from django.urls import include, path

from relais.api.api import api
from relais.core import job_views
from relais.core.views import favicon, healthz, ping
from relais.leads import public as leads_public
from relais.leads.webhooks import inbound_email

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("favicon.ico", favicon, name="favicon"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>/file", job_views.job_file, name="job_file"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("dashboard/", include("relais.reporting.urls")),
    path("partners/", include("relais.partners.urls")),
    path("leads/", include("relais.leads.urls")),
    path("routing/", include("relais.routing.urls")),
    path("commissions/", include("relais.commissions.urls")),
    path("engagement/", include("relais.engagement.urls")),
    path("e/", include("relais.engagement.public_urls")),
    path("training/", include("relais.training.urls")),
    path("portal/training/", include("relais.training.portal_urls")),
    path("challenges/", include("relais.challenges.urls")),
    path("portal/challenges/", include("relais.challenges.portal_urls")),
    path("network/", include("relais.network.urls")),
    path("verify/", include("relais.training.public_urls")),
    path("integrations/", include("relais.integrations.urls")),
    path("surveys/", include("relais.surveys.urls")),
    path("s/", include("relais.surveys.public_urls")),
    path("rp/", include("relais.reporting.public_urls")),
    path("portal/nps/", include("relais.surveys.portal_urls")),
    path("r/<slug:code>/", leads_public.referral, name="referral"),
    path("r/<slug:code>/qr.png", leads_public.referral_qr, name="referral_qr"),
    path("p/<str:token>/", leads_public.prospect, name="prospect"),
    path("inbound/email/<str:secret>/", inbound_email, name="inbound_email"),
    path("portal/", include("relais.portal.urls")),
    path("", include("relais.accounts.urls")),
]
