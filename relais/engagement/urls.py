from relais.engagement.views import automations, campaigns, segments, templates

app_name = "engagement"

urlpatterns = [
    *segments.urlpatterns,
    *campaigns.urlpatterns,
    *templates.urlpatterns,
    *automations.urlpatterns,
]
