from relais.surveys.views import public

app_name = "nps"

urlpatterns = public.urlpatterns
