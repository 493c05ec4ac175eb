from relais.integrations import crm_pages, crm_views
from relais.integrations.views import app_name
from relais.integrations.views import urlpatterns as pages

urlpatterns = [*pages, *crm_pages.urlpatterns, *crm_views.urlpatterns]

__all__ = ["app_name", "urlpatterns"]
